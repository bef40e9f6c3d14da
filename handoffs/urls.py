from django.urls import path

from . import views

urlpatterns = [
    path("leads/<int:pk>/handoff/", views.new, name="handoff-new"),
    path("inbox/", views.inbox, name="ae-inbox"),
    path("inbox/<int:pk>/<str:action>/", views.decide, name="handoff-decide"),
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/<int:ae_id>/", views.capacity_edit, name="capacity-edit"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path(
        "opportunities/<int:pk>/<str:action>/", views.update_opportunity, name="opportunity-update"
    ),
]
