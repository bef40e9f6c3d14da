"""The pages of the app, which roles see each, and the navigation built from them."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Role

ALL_ROLES = (Role.SDR, Role.MANAGER, Role.AE, Role.STAKEHOLDER, Role.ADMIN)


@dataclass(frozen=True)
class Page:
    name: str
    label: str | Promise
    roles: tuple[str, ...]

    def allows(self, user) -> bool:
        return user.is_authenticated and user.has_role(*self.roles)


PAGES: tuple[Page, ...] = (
    Page(
        "today",
        _("Today"),
        (Role.SDR,),
    ),
    Page(
        "tomorrow",
        _("Tomorrow"),
        (Role.SDR,),
    ),
    Page(
        "lead-list",
        _("Leads"),
        (Role.SDR, Role.MANAGER),
    ),
    Page(
        "call-list-rules",
        _("Call-list rules"),
        (Role.MANAGER,),
    ),
    Page(
        "cadence-list",
        _("Cadences"),
        (Role.MANAGER,),
    ),
    Page(
        "call-list-adherence",
        _("Adherence"),
        (Role.MANAGER,),
    ),
    Page(
        "ae-inbox",
        _("Inbox"),
        (Role.AE,),
    ),
    Page(
        "opportunities",
        _("Opportunities"),
        (Role.AE,),
    ),
    Page(
        "capacity",
        _("Capacity"),
        (Role.AE, Role.MANAGER),
    ),
    Page(
        "review-desk",
        _("Review desk"),
        (Role.MANAGER,),
    ),
    Page(
        "my-feedback",
        _("My feedback"),
        (Role.SDR,),
    ),
    Page(
        "praise-feed",
        _("Praise"),
        ALL_ROLES,
    ),
    Page(
        "insights",
        _("Market insights"),
        ALL_ROLES,
    ),
    Page(
        "dashboards",
        _("Dashboards"),
        (Role.MANAGER, Role.STAKEHOLDER),
    ),
    Page(
        "certainty-calibration",
        _("Certainty"),
        (Role.MANAGER,),
    ),
    Page(
        "team-settings",
        _("Team settings"),
        (Role.MANAGER,),
    ),
)


def pages_for(user) -> list[Page]:
    return [page for page in PAGES if page.allows(user)]


@lru_cache(maxsize=64)
def _paths(prefix: str, urlconf: str, registry: int) -> dict[str, str]:
    """Every page's path, reversed once per process (and script prefix, URL configuration and
    page registry), not once per request."""
    return {page.name: reverse(page.name) for page in PAGES}


def navigation(request: HttpRequest) -> dict:
    """Template context: the navigation entries of the logged-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "currency": "KRW"}
    team = user.current_team  # already read by the time-zone middleware
    current = request.resolver_match.url_name if request.resolver_match else None
    paths = _paths(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, id(PAGES))
    items = [
        {
            "name": page.name,
            "label": page.label,
            "url": paths[page.name],
            "active": page.name == current,
        }
        for page in pages_for(user)
    ]
    return {"nav_items": items, "currency": team.currency if team else "KRW"}
