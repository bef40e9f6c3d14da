from django.urls import path

from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import views

urlpatterns = [
    path("leads/<id:pk>/handoff/slots/", views.handoff_slots, name="meeting-slots"),
    path("meetings/settings/<id:ae_id>/", views.availability, name="meeting-availability"),
    path("meetings/<id:pk>/move/", views.move, name="meeting-move"),
]
