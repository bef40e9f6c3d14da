from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from handoffs import api as handoffs_api
from leads import api as leads_api
from metrics import api as metrics_api
from sdr_ops import converters  # noqa: F401 - registers <id:...>

from . import api, health, views, views_settings
from .forms import PasswordResetForm

api_v1 = [
    path("me/", api.MeView.as_view(), name="api-me"),
    path("leads/", leads_api.LeadListView.as_view(), name="api-leads"),
    path("leads/<id:pk>/", leads_api.LeadDetailView.as_view(), name="api-lead"),
    path(
        "leads/<id:pk>/activities/",
        leads_api.LeadActivitiesView.as_view(),
        name="api-lead-activities",
    ),
    path(
        "leads/<id:pk>/qualification/",
        leads_api.QualificationListView.as_view(),
        name="api-lead-qualification",
    ),
    path(
        "leads/<id:pk>/qualification/<slug:item>/",
        leads_api.QualificationItemView.as_view(),
        name="api-lead-qualification-item",
    ),
    path("call-list/", leads_api.MyCallListView.as_view(), name="api-call-list"),
    path("handoffs/", handoffs_api.HandoffListView.as_view(), name="api-handoffs"),
    path("handoffs/<id:pk>/", handoffs_api.HandoffDetailView.as_view(), name="api-handoff"),
    path("handoffs/<id:pk>/accept/", handoffs_api.AcceptView.as_view(), name="api-handoff-accept"),
    path("handoffs/<id:pk>/reject/", handoffs_api.RejectView.as_view(), name="api-handoff-reject"),
    path("valve/", handoffs_api.ValveView.as_view(), name="api-valve"),
    path("reviews/", handoffs_api.ReviewListView.as_view(), name="api-reviews"),
    path("reviews/<id:pk>/", handoffs_api.ReviewDetailView.as_view(), name="api-review"),
    path("praise/", handoffs_api.PraiseListView.as_view(), name="api-praise"),
    path("insights/", leads_api.InsightListView.as_view(), name="api-insights"),
    path("tasks/", leads_api.TaskListView.as_view(), name="api-tasks"),
    path("tasks/<id:pk>/done/", leads_api.TaskDoneView.as_view(), name="api-task-done"),
    path("tasks/<id:pk>/move/", leads_api.TaskMoveView.as_view(), name="api-task-move"),
    path("kpis/weekly/", metrics_api.WeeklyKpisView.as_view(), name="api-kpis-weekly"),
    path("capacity/<id:ae_id>/", handoffs_api.CapacityView.as_view(), name="api-capacity"),
    path(
        "capacity/<id:ae_id>/reductions/",
        handoffs_api.ReductionCreateView.as_view(),
        name="api-capacity-reductions",
    ),
    path("opportunities/", handoffs_api.OpportunityListView.as_view(), name="api-opportunities"),
    path(
        "opportunities/<id:pk>/",
        handoffs_api.OpportunityDetailView.as_view(),
        name="api-opportunity",
    ),
    path(
        "opportunities/<id:pk>/close/",
        handoffs_api.OpportunityCloseView.as_view(),
        name="api-opportunity-close",
    ),
    path(
        "call-list/entries/<id:pk>/skip/",
        leads_api.SkipEntryView.as_view(),
        name="api-call-list-skip",
    ),
    path("telephony/", include("telephony.api_urls")),
    path("cadences/", include("cadences.api_urls")),
]

# A lost database connection answers 503 "try again", not the 500 page (sdr_ops.health).
handler500 = "sdr_ops.health.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.ready, name="healthz"),
    path("healthz/live", health.live, name="healthz-live"),
    path("healthz/ready", health.ready, name="healthz-ready"),
    path("metrics", health.metrics, name="metrics"),
    # Before Django's own: the reset form that also serves a first log-in, throttled.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", views.profile, name="profile"),
    path("account/tokens/", views.create_token, name="create-token"),
    path("account/tokens/<id:pk>/revoke/", views.revoke_api_token, name="revoke-token"),
    path("account/language/", views.set_language, name="set-language"),
    path("team/settings/", views_settings.settings_page, name="team-settings"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notifications_badge, name="notifications-badge"),
    path("admin/", admin.site.urls),
    path("", include("leads.urls")),
    path("", include("handoffs.urls")),
    path("", include("metrics.urls")),
    path("", include("telephony.urls")),
    path("", include("meetings.urls")),
    path("", include("certainty.urls")),
    path("", include("cadences.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # DRF views opt out of the login middleware; the documentation page is for people, so a
    # visitor who is not logged in is sent to the login form like everywhere else.
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="swagger-ui",
    ),
]
