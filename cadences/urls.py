from django.urls import path

from . import views, views_public, views_team

urlpatterns = [
    path("cadences/", views.cadence_list, name="cadence-list"),
    path("cadences/<id:pk>/", views.cadence_edit, name="cadence-edit"),
    path("cadences/<id:pk>/analytics/", views.cadence_analytics, name="cadence-analytics"),
    path("cadences/days-off/", views_team.days_off, name="days-off"),
    path(
        "cadences/enrollments/<id:pk>/compose/", views_team.compose_step, name="enrollment-compose"
    ),
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
]
