"""The set-based nightly advance gives what the rules give one enrollment at a time.

`per_row_advance` below is the advance written the plain way, one enrollment after another
with the scheduling functions, as the app did before it moved to set-based statements. A
mixed case (two cadence versions, leads in three zones and one with an unknown zone,
touched and untouched call steps, connected calls, steps whose items are all known or only
some, an e-mail step due, last steps, pauses due to resume or not, finished enrollments,
and a lead ready to hand off) is advanced both ways, twice, and the enrollments and step
runs must be the same.
"""

import pytest
from django.db import transaction

from cadences import domain
from cadences.domain.evidence import finish_qualified
from cadences.models import Enrollment, Step, StepRun
from cadences.scheduling import lead_zone
from leads.models import Activity, QualificationAnswer, QualificationStatus

from .cadence_helpers import activate
from .factories import LeadFactory
from .test_cadence_day import answer
from .test_cadences import seoul, three_steps

SKIP_REASON = "Every item it asks is known already."


def per_row_advance(now) -> None:
    """The advance, one enrollment at a time (the reference)."""
    finish_qualified(now)
    due = Enrollment.objects.filter(state="active", next_due__lte=now).select_related(
        "team", "lead"
    )
    for enrollment in due.order_by("pk"):
        step = enrollment.version.steps.get(position=enrollment.step)
        if StepRun.objects.filter(enrollment=enrollment, step=step).exists():
            continue
        known = set(
            QualificationAnswer.objects.filter(lead=enrollment.lead)
            .exclude(status=QualificationStatus.UNKNOWN)
            .values_list("item", flat=True)
        )
        touches = Activity.objects.filter(lead=enrollment.lead, started_at__gte=enrollment.next_due)
        if step.aims_at and set(step.aims_at) <= known:
            StepRun.objects.create(
                enrollment=enrollment, step=step, outcome="skipped", reason=SKIP_REASON, at=now
            )
        elif step.type in ("call", "task") and touches.exists():
            connected = touches.filter(type="call", outcome="connected").exists()
            StepRun.objects.create(
                enrollment=enrollment, step=step, outcome="done", connected=connected, at=now
            )
    paused = Enrollment.objects.filter(state="paused", resume_on__isnull=False)
    for enrollment in paused.select_related("team", "lead").order_by("pk"):
        team = enrollment.team
        if enrollment.resume_on > now.astimezone(team.zone).date():
            continue
        zone = lead_zone(enrollment.lead.time_zone, team.zone)
        enrollment.next_due = domain.window_for(team).due(now, enrollment.remaining_days or 0, zone)
        enrollment.state, enrollment.remaining_days, enrollment.resume_on = "active", None, None
        enrollment.save()
    for enrollment in Enrollment.objects.filter(state="active").select_related("team", "lead"):
        if not StepRun.objects.filter(
            enrollment=enrollment, step__position=enrollment.step
        ).exists():
            continue
        if enrollment.step >= enrollment.steps:
            enrollment.state, enrollment.finish_reason = "finished", "no_more_steps"
            enrollment.next_due = None
        else:
            following = enrollment.version.steps.get(position=enrollment.step + 1)
            zone = lead_zone(enrollment.lead.time_zone, enrollment.team.zone)
            enrollment.step += 1
            enrollment.next_due = domain.window_for(enrollment.team).due(
                now, following.offset_days, zone
            )
        enrollment.save()


def state() -> tuple[list, list]:
    enrollments = list(
        Enrollment.objects.order_by("pk").values_list(
            "pk", "state", "finish_reason", "step", "next_due", "remaining_days", "resume_on"
        )
    )
    runs = list(
        StepRun.objects.order_by("enrollment_id", "step_id").values_list(
            "enrollment_id", "step_id", "outcome", "reason", "connected"
        )
    )
    return enrollments, runs


class Rollback(Exception):
    pass


def mixed_case(org):
    cadence = domain.create_cadence(org.desk, name="Mixed", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    activate(cadence, org.mia)
    zones = ["", "Europe/London", "America/New_York", "Mars/Olympus"]
    leads = [LeadFactory(owner=org.alice, time_zone=zones[i % 4]) for i in range(24)]
    first = [domain.enrol(lead, cadence, by=org.alice, now=seoul(11, 30, 10)) for lead in leads]
    # A second version, with other offsets and a call aiming at "need" as its second step.
    steps = three_steps()
    steps[1] = domain.StepData(type=Step.Type.CALL, offset_days=1, aims_at=["need"])
    steps[2] = domain.StepData(type=Step.Type.TASK, offset_days=4)
    domain.save_steps(cadence, steps, by=org.mia)
    later = [LeadFactory(owner=org.bob, time_zone=zones[i % 4]) for i in range(12)]
    second = [domain.enrol(lead, cadence, by=org.bob, now=seoul(11, 30, 11)) for lead in later]
    for i, enrollment in enumerate(first + second):
        lead = enrollment.lead
        kind = i % 8
        if kind in (0, 1):  # touched after the step fell due; every other one got through
            Activity.objects.create(
                lead=lead,
                sdr=enrollment.sdr,
                type="call",
                outcome="connected" if kind == 0 else "no_answer",
                started_at=seoul(12, 1, 10),
            )
        elif kind == 2:  # every item the call asks is known
            answer(lead, "timing")
            answer(lead, "approval_process", status="not_asked")
            answer(lead, "need")
        elif kind == 3:  # only some
            answer(lead, "timing")
        elif kind == 4:  # the first steps done by hand: now on the e-mail (or second call)
            domain.run_step(enrollment, outcome="done", by=None, now=seoul(11, 30, 12))
            if i % 16 == 4:
                Activity.objects.create(
                    lead=lead, sdr=enrollment.sdr, type="email", started_at=seoul(12, 3, 10)
                )
        elif kind == 5:  # paused: due back on 2 December, or later, or with no day
            domain.pause(enrollment, by=None, until=seoul(12, 2, 0).date(), now=seoul(12, 1, 8))
        elif kind == 6:
            domain.pause(enrollment, by=None, now=seoul(12, 1, 8))
        elif kind == 7 and i % 16 == 7:
            domain.finish(enrollment, reason="manual", by=None, now=seoul(12, 1, 8))
        elif kind == 7:  # on the last step, which ran
            for hour in (12, 13):
                domain.run_step(enrollment, outcome="done", by=None, now=seoul(11, 30, hour))
            domain.run_step(enrollment, outcome="done", by=None, now=seoul(12, 1, 9))
    # The last step of one enrollment recorded without moving it (a step run written by
    # an earlier version of the app): the advance finishes it.
    stuck = second[-1]
    Enrollment.objects.filter(pk=stuck.pk).update(step=3)
    StepRun.objects.create(
        enrollment=stuck, step=stuck.version.steps.get(position=3), outcome="done"
    )
    # A lead ready to hand off: every checklist item known.
    answer(leads[8].enrollments.get().lead, "budget", "need", "timing", "approval_process")


@pytest.mark.parametrize(
    "moments",
    [
        [seoul(12, 1, 20), seoul(12, 2, 20)],
        [seoul(12, 4, 23), seoul(12, 8, 7)],  # a Friday night, then before the window opens
    ],
)
def test_the_set_based_advance_gives_the_per_row_results(org, moments):
    mixed_case(org)
    before = state()
    try:
        with transaction.atomic():
            for now in moments:
                per_row_advance(now)
            expected = state()
            raise Rollback
    except Rollback:
        pass
    assert state() == before
    for now in moments:
        domain.advance_due(now)
    got = state()
    assert got == expected
    outcomes = {run[2] for run in got[1]}
    assert outcomes == {"done", "skipped"}  # the case holds each kind of run
    states = {(row[1], row[2]) for row in got[0]}
    assert {
        ("active", ""),
        ("paused", ""),
        ("finished", "no_more_steps"),
        ("finished", "qualified"),
        ("finished", "manual"),
    } <= states
