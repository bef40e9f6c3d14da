from django.urls import path

from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import views, views_day, views_import, views_insights, views_rules, views_tasks

urlpatterns = [
    path("leads/", views.lead_list, name="lead-list"),
    path("leads/new/", views.lead_new, name="lead-new"),
    path("leads/bulk/", views.lead_bulk, name="lead-bulk"),
    path("leads/<id:pk>/edit/", views.lead_edit, name="lead-edit"),
    path("leads/import/", views_import.import_leads, name="lead-import"),
    path("leads/import/jobs/<id:pk>/", views_import.import_job, name="lead-import-job"),
    path("leads/<id:pk>/call/", views_day.call, name="lead-call"),
    path("leads/<id:pk>/log/", views.log_touch, name="lead-log-touch"),
    path("leads/<id:pk>/insight/", views_insights.record, name="lead-insight"),
    path("leads/<id:pk>/tasks/", views_tasks.new, name="lead-task-new"),
    path("tasks/<id:pk>/done/", views_tasks.done, name="task-done"),
    path("tasks/<id:pk>/move/", views_tasks.move, name="task-move"),
    path("insights/", views_insights.digest, name="insights"),
    path("call-lists/rules/", views_rules.rules, name="call-list-rules"),
    path("call-lists/adherence/", views_rules.adherence, name="call-list-adherence"),
    path("call-lists/rebuild/", views_rules.rebuild, name="call-list-rebuild"),
    path("call-lists/day/", views_rules.day_lists, name="call-list-day"),
    path("today/", views_day.today, name="today"),
    path("today/build/", views_day.build_mine, name="today-build"),
    path("tomorrow/", views_day.tomorrow, name="tomorrow"),
    path("call-lists/<id:list_id>/add/", views_day.add, name="call-list-add"),
    path("call-lists/<id:list_id>/candidates/", views_day.candidates, name="call-list-candidates"),
    path("call-lists/<id:list_id>/reviewed/", views_day.reviewed, name="call-list-reviewed"),
    path("call-lists/<id:list_id>/entries/<id:pk>/skip/", views_day.skip, name="call-list-skip"),
    path("call-lists/<id:list_id>/entries/<id:pk>/move/", views_day.move, name="call-list-move"),
    path(
        "call-lists/<id:list_id>/entries/<id:pk>/remove/",
        views_day.remove,
        name="call-list-remove",
    ),
]
