from django.urls import path

from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import views, views_drilldown, views_import

urlpatterns = [
    path("dashboards/", views.dashboards, name="dashboards"),
    path("dashboards/import/", views_import.import_history, name="history-import"),
    path("dashboards/people/", views.people, name="dashboard-people"),
    path("dashboards/export/<slug:table>.csv", views.export, name="dashboard-export"),
    path("dashboards/rows/<slug:figure>/", views_drilldown.rows, name="dashboard-rows"),
    path(
        "dashboards/rows/<slug:figure>.csv",
        views_drilldown.export,
        name="dashboard-rows-export",
    ),
]
