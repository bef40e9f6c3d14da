from django.urls import path

from . import views, views_mail, views_public, views_sdr, views_team

urlpatterns = [
    path("cadences/", views.cadence_list, name="cadence-list"),
    path("cadences/<id:pk>/", views.cadence_edit, name="cadence-edit"),
    path("cadences/<id:pk>/analytics/", views.cadence_analytics, name="cadence-analytics"),
    path("cadences/days-off/", views_team.days_off, name="days-off"),
    path("cadences/mail-settings/", views_mail.mail_settings_page, name="cadence-mail-settings"),
    path("cadences/mailbox/", views_mail.mailbox_page, name="cadence-mailbox"),
    path(
        "cadences/enrollments/<id:pk>/compose/", views_team.compose_step, name="enrollment-compose"
    ),
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
    # The SDR's side (views_sdr.py).
    path("cadences/leads/<id:pk>/enrol/", views_sdr.enrol, name="cadence-enrol"),
    path("cadences/enrol/", views_sdr.enrol_leads, name="cadence-enrol-leads"),
    path("cadences/enrollments/<id:pk>/pause/", views_sdr.pause, name="enrollment-pause"),
    path("cadences/enrollments/<id:pk>/resume/", views_sdr.resume, name="enrollment-resume"),
    path("cadences/enrollments/<id:pk>/finish/", views_sdr.finish, name="enrollment-finish"),
    path("cadences/enrollments/<id:pk>/done/", views_sdr.step_done, name="enrollment-step-done"),
    path("cadences/audiences/", views_sdr.audiences, name="cadence-audiences"),
    path(
        "cadences/audiences/<id:pk>/delete/",
        views_sdr.audience_delete,
        name="cadence-audience-delete",
    ),
]
