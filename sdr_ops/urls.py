from django.contrib import admin
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
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]

# Pages that later features fill are served by the placeholder view until then.
urlpatterns += [
    path(page.path, views.placeholder, {"page": page.name}, name=page.name)
    for page in PAGES
    if page.placeholder
]
