from django.urls import path

from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import views, views_brief, views_reviews

urlpatterns = [
    path("leads/<id:pk>/", views_brief.lead_brief, name="lead-brief"),
    path("leads/<id:pk>/handoff/", views.new, name="handoff-new"),
    path("accounts/<id:pk>/", views_brief.account, name="account"),
    path("inbox/", views.inbox, name="ae-inbox"),
    path("inbox/<id:pk>/<str:action>/", views.decide, name="handoff-decide"),
    path("capacity/", views.capacity, name="capacity"),
    path("reviews/", views_reviews.desk, name="review-desk"),
    path("reviews/<id:pk>/", views_reviews.review, name="review-record"),
    path("reviews/<id:pk>/share/", views_reviews.share, name="review-share"),
    path("reviews/sdr/<id:sdr_id>/", views_reviews.coaching, name="coaching"),
    path("feedback/", views_reviews.my_feedback, name="my-feedback"),
    path("feedback/<id:pk>/read/", views_reviews.mark_read, name="feedback-read"),
    path("praise/", views_reviews.praise_feed, name="praise-feed"),
    path("praise/digest/", views_reviews.praise_digest, name="praise-digest"),
    path("praise/<id:pk>/react/", views_reviews.react, name="praise-react"),
    path("capacity/<id:ae_id>/", views.capacity_edit, name="capacity-edit"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<id:pk>/correct/", views.correct_amount, name="opportunity-correct"),
    path(
        "opportunities/<id:pk>/<str:action>/", views.update_opportunity, name="opportunity-update"
    ),
]
