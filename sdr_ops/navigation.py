"""The pages of the app, which roles see each, and the navigation built from them.

A page that a later feature fills is listed with ``placeholder=True`` and a plain summary of
what it will do; the same URL name then moves to the real view.
"""

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
    path: str
    label: str | Promise
    roles: tuple[str, ...]
    summary: str | Promise = ""
    placeholder: bool = True

    def allows(self, user) -> bool:
        return user.is_authenticated and user.has_role(*self.roles)


PAGES: tuple[Page, ...] = (
    Page(
        "today",
        "today/",
        _("Today"),
        (Role.SDR,),
        _(
            "Your call list for today in order, with the reason each lead is on it, a timer for "
            "each call and the qualification items still open."
        ),
        placeholder=False,
    ),
    Page(
        "tomorrow",
        "tomorrow/",
        _("Tomorrow"),
        (Role.SDR,),
        _("Tomorrow's call list as built tonight, to adjust and mark reviewed."),
        placeholder=False,
    ),
    Page(
        "lead-list",
        "leads/",
        _("Leads"),
        (Role.SDR, Role.MANAGER),
        _(
            "Every lead you can reach, with filters by stage, segment, source, owner and last "
            "touch, and search."
        ),
        placeholder=False,
    ),
    Page(
        "call-list-rules",
        "call-lists/rules/",
        _("Call-list rules"),
        (Role.MANAGER,),
        _(
            "The ordered conditions that build every SDR's call list the night before, each "
            "with its cap, and the daily list size."
        ),
        placeholder=False,
    ),
    Page(
        "call-list-adherence",
        "call-lists/adherence/",
        _("Adherence"),
        (Role.MANAGER,),
        _("How each SDR worked the day's plan: called, skipped and why, added by hand."),
        placeholder=False,
    ),
    Page(
        "ae-inbox",
        "inbox/",
        _("Inbox"),
        (Role.AE,),
        _(
            "Handoffs addressed to you, oldest first, with the comment and the qualification "
            "checklist, to accept or reject."
        ),
        placeholder=False,
    ),
    Page(
        "opportunities",
        "opportunities/",
        _("Opportunities"),
        (Role.AE,),
        _("Your open deals, to revise and close as won or lost."),
        placeholder=False,
    ),
    Page(
        "capacity",
        "capacity/",
        _("Capacity"),
        (Role.AE, Role.MANAGER),
        _("Every AE's capacity, load, utilisation and the certainty a new handoff needs."),
        placeholder=False,
    ),
    Page(
        "review-desk",
        "reviews/",
        _("Review desk"),
        (Role.MANAGER,),
        _(
            "Handoff comments not yet reviewed, with the questions used for every item, to "
            "rate and coach."
        ),
        placeholder=False,
    ),
    Page(
        "my-feedback",
        "feedback/",
        _("My feedback"),
        (Role.SDR,),
        _("Your manager's reviews of your handoffs, private to the two of you."),
        placeholder=False,
    ),
    Page(
        "praise-feed",
        "praise/",
        _("Praise"),
        ALL_ROLES,
        _("Handoffs the managers singled out as exemplary, for every department to read."),
        placeholder=False,
    ),
    Page(
        "insights",
        "insights/",
        _("Market insights"),
        ALL_ROLES,
        _("What prospects say about the product, by topic and week, with quotes."),
        placeholder=False,
    ),
    Page(
        "dashboards",
        "dashboards/",
        _("Dashboards"),
        (Role.MANAGER, Role.STAKEHOLDER),
        _(
            "Productive headcount, handoff-to-opportunity ratio, amount drift and the stage "
            "funnel, week by week."
        ),
        placeholder=False,
    ),
)

PAGES_BY_NAME = {page.name: page for page in PAGES}


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
