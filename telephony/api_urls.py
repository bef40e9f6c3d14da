from django.urls import path

from . import api

urlpatterns = [
    path("events/", api.CallEventsView.as_view(), name="api-telephony-events"),
]
