from django.urls import path

from . import views_public

urlpatterns = [
    path("unsubscribe/<str:token>/", views_public.unsubscribe, name="unsubscribe"),
]
