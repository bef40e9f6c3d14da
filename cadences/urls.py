from django.urls import path

from . import views, views_public

urlpatterns = [
    path("cadences/", views.cadence_list, name="cadence-list"),
    path("cadences/<id:pk>/", views.cadence_edit, name="cadence-edit"),
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
]
