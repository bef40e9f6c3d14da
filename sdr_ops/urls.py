from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, views
from .navigation import PAGES

api_v1 = [
    path("me/", api.MeView.as_view(), name="api-me"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("account/", views.profile, name="profile"),
    path("account/token/", views.regenerate_token, name="regenerate-token"),
    path("admin/", admin.site.urls),
    path("", include("leads.urls")),
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

# Pages that later features fill are served by the placeholder view until then.
urlpatterns += [
    path(page.path, views.placeholder, {"page": page.name}, name=page.name)
    for page in PAGES
    if page.placeholder
]
