"""What the cadence panels of other apps' pages show (the brief's enrollments, Today's steps,
the lead list's enrol controls): one context builder each, used by the template tags that
put them on those pages and by the views that answer a change with the panel again."""

import datetime
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.access import may_edit
from leads.forms import LeadFilterForm
from sdr_ops import audit, calendar
from sdr_ops.models import AuditEvent, Role

from . import queries_sdr
from .domain.enrolment import suppressed_addresses
from .forms_sdr import AudienceForm, EnrolForm, FinishForm, PauseForm
from .models import Enrollment


def _mark_composable(enrollments, user, now) -> None:
    """`composable` on each enrollment whose current step is an e-mail the reader sends by
    hand and that is due now: the page links the compose form then, and only then."""
    for enrollment in enrollments:
        enrollment.composable = (
            enrollment.state == Enrollment.State.ACTIVE
            and enrollment.manual_email
            and enrollment.sdr_id == user.pk
            and enrollment.next_due is not None
            and enrollment.next_due <= now
        )


# Why the app itself paused an enrollment: the poll of a mailbox pauses it on an out-of-office
# answer (domain.replies), the only pause made by nobody.
OUT_OF_OFFICE = _("an out-of-office answer")


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False


def _pause_reasons(enrollments) -> dict[int, str]:
    """Why each paused enrollment is paused, as its last pause's audit record keeps it (one
    query, none when none is paused): the reason given, or OUT_OF_OFFICE for a pause the
    app made. The record keeps the day to resume on instead of the reason when there is one
    (enrolment.pause_many): a person's pause until a day then has no reason to show."""
    paused = [e.pk for e in enrollments if e.state == Enrollment.State.PAUSED]
    if not paused:
        return {}
    events = AuditEvent.objects.filter(
        subject=AuditEvent.Subject.ENROLLMENT, subject_id__in=paused, action=audit.Action.PAUSED
    ).order_by("subject_id", "-at", "-pk")
    reasons: dict[int, str] = {}
    for pk, actor, after in events.values_list("subject_id", "actor_id", "after"):
        if pk in reasons:
            continue
        if after and not _is_day(after):
            reasons[pk] = after
        elif actor is None and after:
            reasons[pk] = str(OUT_OF_OFFICE)
        else:
            reasons[pk] = ""
    return reasons


def lead_panel(
    request, lead, *, enrol_form=None, bound=None, bound_for=None, inline_messages=False
) -> dict:
    """The lead's enrollments with what the reader may do to them: pause (with why), resume,
    finish (with the reason), or enrol the lead in an active cadence of its team; a paused
    one says why (`pause_reason`). The reason a lead cannot be enrolled (in a cadence
    already, an address that opted out or bounced) shows in place of the form. `bound` is a
    refused form of the enrollment `bound_for`."""
    user = request.user
    if user.role not in (Role.SDR, Role.MANAGER) and not user.is_admin:
        return {"show": False}
    enrollments = queries_sdr.lead_enrollments(lead)
    today = user.local_today()
    reasons = _pause_reasons(enrollments)
    for enrollment in enrollments:
        enrollment.pause_reason = reasons.get(enrollment.pk, "")
        enrollment.may_change = enrollment.sdr_id == user.pk or user.role == Role.MANAGER
        enrollment.may_change = enrollment.may_change or user.is_admin
        mine = bound_for == enrollment.pk
        enrollment.pause_form = bound if mine and isinstance(bound, PauseForm) else PauseForm()
        enrollment.finish_form = bound if mine and isinstance(bound, FinishForm) else FinishForm()
    _mark_composable(enrollments, user, timezone.now())
    open_ = next((e for e in enrollments if e.state in Enrollment.OPEN), None)
    can_enrol = open_ is None and may_edit(user, lead)
    refusal = ""
    if can_enrol and lead.email:
        refusal = suppressed_addresses([lead.email]).get(lead.email.lower(), "")
    cadences = []
    if can_enrol and not refusal:
        cadences = list(queries_sdr.enrol_choices(user, lead.owner.current_team))
    return {
        "show": True,
        "lead": lead,
        "enrollments": enrollments,
        "open": open_,
        "can_enrol": can_enrol,
        "refusal": refusal,
        "cadences": cadences,
        "enrol_form": enrol_form or EnrolForm(cadences=cadences, auto_id="enrol-%s"),
        "min_resume": today + calendar.ONE_DAY,
        "inline_messages": inline_messages,
    }


def today_panel(request, *, inline_messages=False) -> dict:
    """The SDR's cadence steps due today and the enrollments finished since the last working
    day began, each with what to do about it."""
    user = request.user
    team = user.current_team
    zone = team.zone if team else timezone.get_current_timezone()
    today = user.local_today()
    start = calendar.day_bounds(today, zone)[0]
    since = calendar.subtract_working_days(start, 1)
    now = timezone.now()
    due = queries_sdr.due_steps(user, today, zone)
    _mark_composable(due, user, now)
    return {
        "due": due,
        "finished": queries_sdr.finished_since(user, since),
        "now_moment": now,
        "inline_messages": inline_messages,
    }


def bulk_controls(request, query: str = "") -> dict:
    """The lead list's cadence controls: enrol the ticked leads, or keep the filters as an
    audience; the active cadences of the reader's team (an admin's: every team's)."""
    user = request.user
    if user.role not in (Role.SDR, Role.MANAGER) and not user.is_admin:
        return {"show": False}
    team = None if user.is_admin else user.current_team
    cadences = list(queries_sdr.enrol_choices(user, team)) if user.is_admin or team else []
    return {
        "show": bool(cadences),
        "form": AudienceForm(cadences=cadences, auto_id="cadence-%s"),
        "query": query,
    }


def described(audiences, *, owners=None) -> list:
    """Each audience with its filters in words (`words`, label and value pairs) and the lead
    list's query that shows them (`query`); owners named from the list read once."""
    names = {u.pk: str(u) for u in owners or []}
    fields = LeadFilterForm.base_fields
    for audience in audiences:
        words = []
        for key, value in audience.filters.items():
            field = fields.get(key)
            if field is None:
                continue
            if key == "owner":
                shown = names.get(value, "—")
            else:
                shown = dict(getattr(field, "choices", ())).get(value, value)
            words.append((field.label, shown))
        audience.words = words
        audience.query = urlencode(audience.filters)
    return audiences
