"""The lead brief: everything known about one lead before dialling or visiting.

It lives in handoffs, not leads, because it shows the lead's handoffs and decides whether a
new one may be made; leads knows nothing of handoffs (see docs/architecture.md)."""

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string

from leads import queries as lead_queries
from leads.access import account_for, lead_for, leads_visible_to, may_edit
from leads.forms import LogTouchForm, TaskForm
from leads.models import Insight, StageChange
from sdr_ops import audit, fragments
from sdr_ops.models import ChangeMark, Role, StaffingRecord

from . import hooks, queries
from .models import HANDOFF_FROM

BODY = "leads/partials/lead_brief_body.html"


def lead_brief(request: HttpRequest, pk: int) -> HttpResponse:
    """Company, history, checklist (the owner's team's items), handoffs and the trail.

    The body is a fragment cached under the viewer's team's data version (sdr_ops.fragments):
    the access check runs first, on every request, so a viewer who may not see the lead gets
    a 404 and never a stored brief; on a hit nothing else of the page's data is read."""
    lead = lead_for(request.user, pk)
    # One token for the page and its fragment, as the one context of the page had before.
    csrf_token = get_token(request)

    def body_html() -> str:
        return render_to_string(BODY, _brief_context(request, lead, csrf_token), request)

    # (inside a transaction fragments.cached renders every time: sdr_ops.fragments)
    body = fragments.cached(
        request, "lead-brief", _parts(request, lead), body_html, csrf_token=csrf_token
    )
    return render(
        request, "leads/lead_brief.html", {"lead": lead, "body": body, "csrf_token": csrf_token}
    )


def _parts(request: HttpRequest, lead) -> tuple:
    """What the brief's HTML depends on beyond the viewer, their team's version and the
    minute: the lead, and for a viewer the brief's writes may not mark, the version of the
    lead owner's teams.

    Every row the brief shows is reached through the lead and so marks every team of its
    owner (sdr_ops.changes.TABLES). The viewer's own team is one of them when the viewer is
    the owner, or a manager (not an admin), whom `lead_for` lets in only for an SDR staffed on
    their team today; an AE (of the sales team) or an admin may be on another team, so their
    parts carry the owner's teams' version: one query, only for them, only when cached."""
    user = request.user
    if fragments.version_of(request) is None:
        return (lead.pk,)  # nothing is cached: no version to read
    if lead.owner_id == user.pk or (user.role == Role.MANAGER and not user.is_admin):
        return (lead.pk,)
    return (lead.pk, _owner_teams_version(lead.owner_id))


def _owner_teams_version(owner_id: int) -> int:
    """`changes.version` of every team the owner has a staffing record on, in one query."""
    teams = StaffingRecord.objects.filter(person_id=owner_id).values("team_id")
    marks = ChangeMark.objects.filter(team_id__in=teams)
    return marks.aggregate(v=Sum("weight"))["v"] or 0


def _brief_context(request: HttpRequest, lead, csrf_token: str) -> dict:
    """The body's context, read only when the fragment is not in the cache."""
    own = lead.owner_id == request.user.pk
    handoffs = queries.handoffs_of_lead(lead)
    # The score as it would be if handed off now, for the SDR and the managers.
    could_hand_off = lead.stage in HANDOFF_FROM and request.user.role != Role.AE
    return {
        "lead": lead,
        "csrf_token": csrf_token,
        "activities": lead.activities.select_related("sdr").order_by("-started_at"),
        "stages": StageChange.objects.filter(lead=lead).select_related("by").order_by("-at", "-pk"),
        "handoffs": handoffs,
        "answers": lead_queries.checklist(lead),
        "touch_form": LogTouchForm() if own else None,
        "can_edit": may_edit(request.user, lead),
        "tasks": lead_queries.open_tasks(lead) if own else [],
        "task_form": TaskForm() if own else None,
        "can_hand_off": own and queries.may_hand_off(lead, handoffs),
        "assessment": hooks.assess(lead) if could_hand_off else None,
        "insight_topics": Insight.Topic.choices,
        # Reviews are private to the SDR and managers; an AE sees the rest of the trail.
        "events": audit.for_lead(lead.pk, with_reviews=request.user.role != Role.AE)[:50],
    }


def account(request: HttpRequest, pk: int) -> HttpResponse:
    """A company: its facts and every lead there the viewer may see, with their stages and
    handoffs (here, not in leads, since it shows the handoffs)."""
    company = account_for(request.user, pk)
    leads = queries.account_leads(leads_visible_to(request.user).filter(account=company))
    return render(request, "leads/account.html", {"account": company, "leads": leads})
