from django.urls import path

from . import api

urlpatterns = [
    path("", api.CadenceListView.as_view(), name="api-cadences"),
    path("enrollments/", api.EnrollmentListView.as_view(), name="api-enrollments"),
    path("enrollments/<id:pk>/pause/", api.PauseView.as_view(), name="api-enrollment-pause"),
    path("enrollments/<id:pk>/resume/", api.ResumeView.as_view(), name="api-enrollment-resume"),
    path("enrollments/<id:pk>/finish/", api.FinishView.as_view(), name="api-enrollment-finish"),
    path("enrollments/<id:pk>/runs/", api.StepRunListView.as_view(), name="api-enrollment-runs"),
]
