from django.urls import path

from . import views

urlpatterns = [
    path("certainty/", views.calibration, name="certainty-calibration"),
    path("certainty/versions/<id:pk>/pin/", views.pin, name="certainty-pin"),
]
