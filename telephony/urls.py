from django.urls import path

from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("leads/<id:pk>/dial/", views.dial, name="telephony-dial"),
    path("leads/<id:pk>/call-state/", views.live, name="telephony-call-state"),
    path("telephony/incoming/", views.incoming, name="telephony-incoming"),
    path("telephony/calls/<id:pk>/lead/", views.lead_from_call, name="telephony-lead-from-call"),
    path(
        "telephony/twilio/<slug:team>/<slug:kind>/",
        views.twilio_callback,
        name="telephony-twilio",
    ),
]
