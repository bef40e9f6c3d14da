"""Reads of cadences for the SDR's pages: a lead's enrollments (the brief), the day's due steps
and the enrollments just finished (Today), the cadences one may enrol in. Each is a fixed
number of queries whatever the number of rows; none writes."""

import datetime
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sdr_ops import calendar
from sdr_ops.models import User

from .access import cadences_visible_to, enrollments_visible_to
from .calllist import step_reason
from .models import Cadence, Enrollment, Step

# What the SDR does about an enrollment that finished, by its reason (Today).
NEXT_MOVE = {
    Enrollment.Reason.REPLIED: _("read the reply"),
    Enrollment.Reason.QUALIFIED: _("hand it off to an AE"),
    Enrollment.Reason.HANDED_OFF: _("handed off: nothing to do"),
    Enrollment.Reason.DISQUALIFIED: _("disqualified: nothing to do"),
    Enrollment.Reason.OPTED_OUT: _("opted out: no more e-mail to this address"),
    Enrollment.Reason.BOUNCED: _("the address bounced: find a valid one"),
    Enrollment.Reason.NO_MORE_STEPS: _("no more steps: decide what comes next"),
    Enrollment.Reason.MANUAL: _("finished by hand"),
}

STEPS_SHOWN = 100  # due steps on Today (the list itself is the call list's)


def _is_manual_email(step: Step) -> bool:
    return step.type == Step.Type.EMAIL and step.manual


def lead_enrollments(lead, limit: int = 20) -> list[Enrollment]:
    """The lead's enrollments, newest first, with their cadence and whether the current step
    is an e-mail sent by hand (`manual_email`) (one query; the SDR as `sdr_id` only)."""
    manual_email = Step.objects.filter(
        version=OuterRef("version"), position=OuterRef("step"), type=Step.Type.EMAIL, manual=True
    )
    return list(
        Enrollment.objects.filter(lead=lead)
        .annotate(manual_email=Exists(manual_email))
        .select_related("version__cadence")
        .order_by("-enrolled_at", "-pk")[:limit]
    )


def enrol_choices(user: User, team) -> QuerySet[Cadence]:
    """The active cadences of the team the user may enrol leads in (a query to run)."""
    cadences = cadences_visible_to(user).filter(status=Cadence.Status.ACTIVE)
    if team is not None:
        cadences = cadences.filter(team=team)
    return cadences.order_by("name", "pk")


def _steps_of(enrollments) -> dict[tuple[int, int], Step]:
    """The current step of each enrollment, by (version, position) (one query)."""
    wanted = {(e.version_id, e.step) for e in enrollments}
    if not wanted:
        return {}
    # Unordered: the steps go into a dict, and their default ordering would join the version
    # and the cadence for nothing.
    steps = Step.objects.filter(version_id__in={v for v, _p in wanted}).order_by()
    return {(s.version_id, s.position): s for s in steps if (s.version_id, s.position) in wanted}


def due_steps(sdr: User, day: datetime.date, zone) -> list[Enrollment]:
    """The SDR's call, task and by-hand e-mail steps due by the day's end, soonest first; each
    enrollment carries its `current` step, the `reason` the call list gives it and whether
    the step is an e-mail sent by hand (`manual_email`) (two queries)."""
    end = calendar.day_bounds(day, zone)[1]
    by_hand = Step.objects.filter(version=OuterRef("version"), position=OuterRef("step")).filter(
        Q(type__in=[Step.Type.CALL, Step.Type.TASK]) | Q(type=Step.Type.EMAIL, manual=True)
    )
    enrollments = list(
        enrollments_visible_to(sdr)
        .filter(sdr=sdr, state=Enrollment.State.ACTIVE, next_due__lt=end)
        .filter(Exists(by_hand))
        .select_related("lead__account", "version__cadence")
        .order_by("next_due", "pk")[:STEPS_SHOWN]
    )
    steps = _steps_of(enrollments)
    due = []
    for enrollment in enrollments:
        step = steps.get((enrollment.version_id, enrollment.step))
        if step is None:  # its version's steps replaced between the two reads
            continue
        enrollment.current = step
        enrollment.manual_email = _is_manual_email(step)
        enrollment.reason = step_reason(
            enrollment.version.cadence.name, step.position, enrollment.steps, step.aims_at or []
        )
        due.append(enrollment)
    return due


def finished_since(sdr: User, since: datetime.datetime) -> list[Enrollment]:
    """The SDR's enrollments finished since the moment, newest first, each with its
    `next_move` (one query)."""
    enrollments = list(
        enrollments_visible_to(sdr)
        .filter(sdr=sdr, state=Enrollment.State.FINISHED, finished_at__gte=since)
        .select_related("lead__account", "version__cadence")
        .order_by("-finished_at", "-pk")[:STEPS_SHOWN]
    )
    for enrollment in enrollments:
        enrollment.next_move = NEXT_MOVE.get(enrollment.finish_reason, "")
    return enrollments


def refusals(refused: dict[int, str]) -> list[tuple[str, int]]:
    """The reasons of refused enrolments with how many leads each, most first."""
    counts: dict[str, int] = defaultdict(int)
    for reason in refused.values():
        counts[reason] += 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
