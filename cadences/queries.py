"""Reads of cadences for the pages and the API: per-step outcomes and enrollment counts."""

from django.db.models import Count, Q

from .models import Cadence, Enrollment, Step, StepRun


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


def _rates(row: dict) -> dict:
    """Reply rate: replied over sent; connect rate: connected over calls and tasks done;
    None where nothing was sent or done."""
    row["reply_rate"] = row["replied"] / row["sent"] if row["sent"] else None
    row["connect_rate"] = row["connected"] / row["done"] if row["done"] else None
    return row


def step_analytics(cadence: Cadence) -> list[dict]:
    """Per step position over every version: type, sent, replied, connected, done, skipped,
    the reply and connect rates, and for e-mail steps each variant's figures side by side.
    Two queries (the runs grouped by step and variant, the current steps), whatever the
    number of runs, steps or variants."""
    counts = ("sent", "replied", "connected", "done", "skipped")
    rows = (
        StepRun.objects.filter(step__version__cadence=cadence)
        .values("step__position", "variant__label")
        .annotate(
            sent=Count("id", filter=Q(outcome=StepRun.Outcome.SENT)),
            replied=Count("id", filter=Q(replied_at__isnull=False)),
            connected=Count("id", filter=Q(connected=True)),
            done=Count("id", filter=Q(outcome=StepRun.Outcome.DONE)),
            skipped=Count("id", filter=Q(outcome=StepRun.Outcome.SKIPPED)),
        )
        .order_by("step__position", "variant__label")
    )
    current = {
        step.position: step
        for step in Step.objects.filter(version__cadence=cadence, version__number=cadence.version)
    }
    steps: dict[int, dict] = {
        position: {"position": position, "step": step, "variants": []} | dict.fromkeys(counts, 0)
        for position, step in current.items()
    }
    for row in rows:
        position, label = row.pop("step__position"), row.pop("variant__label")
        total = steps.setdefault(
            position,
            {"position": position, "step": None, "variants": []} | dict.fromkeys(counts, 0),
        )
        for name in counts:
            total[name] += row[name]
        if label:
            total["variants"].append(_rates({"label": label, **row}))
    return [_rates(steps[position]) for position in sorted(steps)]
