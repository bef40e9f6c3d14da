"""A cadence's call step in call mode (a part of `leads.hooks.call_parts`): the items the step
aims at come first among the open ones, its script shows beside them (the template tag
`cadence_call_step`), and logging the call records the step done when it is due today, which
moves the enrollment on to its next step (`domain.run_step`, the same write as the API's)."""

import contextlib
import datetime

from django.utils import timezone

from leads.models import Activity
from sdr_ops import calendar

from . import domain
from .models import Enrollment, Step, StepRun

CACHE = "_cadence_call_step"


class CallStep:
    """The lead's active enrollment whose current step is a call, and that step."""

    def __init__(self, enrollment: Enrollment, step: Step, now: datetime.datetime):
        self.enrollment = enrollment
        self.step = step
        zone = enrollment.team.zone
        day_end = calendar.day_bounds(now.astimezone(zone).date(), zone)[1]
        self.due_today = bool(enrollment.next_due and enrollment.next_due < day_end)


def call_step(lead, now: datetime.datetime | None = None) -> CallStep | None:
    """The lead's cadence call step, or None (one query, kept on the lead for the page)."""
    if CACHE in lead.__dict__:
        return lead.__dict__[CACHE]
    found = None
    enrollment = (
        Enrollment.objects.filter(lead=lead, state=Enrollment.State.ACTIVE)
        .select_related("version__cadence", "team")
        .first()
    )
    if enrollment is not None:
        steps = enrollment.version.steps.filter(position=enrollment.step, type=Step.Type.CALL)
        step = steps.first()
        if step is not None:
            found = CallStep(enrollment, step, now or timezone.now())
    lead.__dict__[CACHE] = found
    return found


class _Part:
    def focus(self, lead) -> list[str]:
        found = call_step(lead)
        return list(found.step.aims_at or []) if found else []

    def logged(self, lead, activity, *, by) -> None:
        """The call done for a step due today: the step is done (connected when the call got
        through) and the enrollment moves on."""
        lead.__dict__.pop(CACHE, None)  # as it is now, not as the page was read
        found = call_step(lead)
        if found is None or not found.due_today or activity.type != Activity.Type.CALL:
            return
        # Another tab may have logged it a moment ago: the call never completes the step after.
        with contextlib.suppress(domain.NotOpen):
            domain.run_step(
                found.enrollment,
                outcome=StepRun.Outcome.DONE,
                by=by,
                connected=activity.outcome == Activity.Outcome.CONNECTED,
                expected_step=found.step.position,
            )
        lead.__dict__.pop(CACHE, None)


part = _Part()
