"""Reads of cadences for the pages and the API: per-step outcomes and enrollment counts."""

from django.db.models import Count, Q

from .models import Cadence, Enrollment, StepRun


def step_outcomes(cadence: Cadence) -> dict[int, dict[str, int]]:
    """For each step position over every version: sent, replied, connected, done, skipped
    (one query)."""
    rows = (
        StepRun.objects.filter(step__version__cadence=cadence)
        .values("step__position")
        .annotate(
            sent=Count("id", filter=Q(outcome=StepRun.Outcome.SENT)),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            connected=Count("id", filter=Q(connected=True)),
            done=Count("id", filter=Q(outcome=StepRun.Outcome.DONE)),
            skipped=Count("id", filter=Q(outcome=StepRun.Outcome.SKIPPED)),
        )
    )
    return {row.pop("step__position"): row for row in rows}


def enrollment_counts(cadence: Cadence) -> dict[str, int]:
    """How many enrollments of the cadence are in each state (one query)."""
    rows = (
        Enrollment.objects.filter(version__cadence=cadence).values("state").annotate(n=Count("id"))
    )
    counts = dict.fromkeys(Enrollment.State.values, 0)
    counts.update({row["state"]: row["n"] for row in rows})
    return counts


def with_counts(cadences):
    return cadences.annotate(
        active=Count("versions__enrollments", filter=Q(versions__enrollments__state="active")),
        enrolled=Count("versions__enrollments"),
    )
