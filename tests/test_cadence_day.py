"""Cadence steps in the SDR's day: due call and task steps on the nightly list with their
reason, in the same build; the `qualified` exit and steps skipped because their items are
known."""

import datetime

import pytest

from cadences import domain
from cadences.models import Enrollment, Step, StepRun
from leads.domain import calllists
from leads.models import CallListEntry, QualificationAnswer
from sdr_ops.models import Notification

from .cadence_helpers import activate
from .factories import LeadFactory
from .test_cadences import seoul, three_steps

DAY = datetime.date(2026, 12, 2)  # a Wednesday


@pytest.fixture
def cadence(org):
    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    return activate(cadence, org.mia)


def entries(sdr, day=DAY):
    return list(
        CallListEntry.objects.filter(call_list__sdr=sdr, call_list__day=day)
        .order_by("position")
        .values_list("lead_id", "reason", "rule_id")
    )


def test_due_call_steps_go_first_on_the_list_with_their_reason(org, cadence):
    plain = LeadFactory(owner=org.alice)  # a new inbound lead, taken by a rule
    stepped = LeadFactory(owner=org.alice)
    domain.enrol(stepped, cadence, by=org.alice, now=seoul(12, 1, 19))  # due 2 December 09:00
    later = LeadFactory(owner=org.alice)
    domain.enrol(later, cadence, by=org.alice, now=seoul(12, 2, 19))  # due 3 December
    calllists.build_call_lists(org.desk, DAY)
    rows = entries(org.alice)
    assert rows[0] == (
        stepped.pk,
        "Cadence Enterprise intro · step 1 of 3 · asks: timing, approval process",
        None,
    )
    # Each lead once: the enrolled leads also match "New inbound leads".
    assert [r[0] for r in rows] == [stepped.pk, later.pk, plain.pk]
    assert rows[1][1] == "New inbound leads"


def test_each_sdrs_cadence_reasons_are_written_in_their_language(org, cadence):
    org.bob.language = "ko"
    org.bob.save(update_fields=["language"])
    alices, bobs = LeadFactory(owner=org.alice), LeadFactory(owner=org.bob)
    for lead in (alices, bobs):
        domain.enrol(lead, cadence, by=lead.owner, now=seoul(12, 1, 19))
    calllists.build_call_lists(org.desk, DAY)
    assert entries(org.alice)[0][:2] == (
        alices.pk,
        "Cadence Enterprise intro · step 1 of 3 · asks: timing, approval process",
    )
    assert entries(org.bob)[0][:2] == (
        bobs.pk,
        "케이던스 Enterprise intro · 3단계 중 1단계 · 확인할 항목: 시기, 결재 절차",
    )


def test_email_steps_are_not_on_the_list_and_task_steps_are(org, cadence):
    lead = LeadFactory(owner=org.alice, do_not_call=False)
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.run_step(enrollment, outcome="done", by=org.alice, now=seoul(12, 1, 10))  # now e-mail
    Enrollment.objects.filter(pk=enrollment.pk).update(next_due=seoul(12, 1, 12))
    calllists.build_call_lists(org.desk, DAY)
    assert all("Cadence" not in r[1] for r in entries(org.alice))
    domain.run_step(enrollment, outcome="sent", by=None, now=seoul(12, 1, 13))  # now the task
    Enrollment.objects.filter(pk=enrollment.pk).update(next_due=seoul(12, 1, 14))
    calllists.build_call_lists(org.desk, DAY)
    assert entries(org.alice)[0][1] == "Cadence Enterprise intro · step 3 of 3"


def test_the_build_keeps_its_exclusions_for_cadence_entries(org, cadence):
    lead = LeadFactory(owner=org.alice, do_not_call=True)
    domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    calllists.build_call_lists(org.desk, DAY)
    assert entries(org.alice) == []


def answer(lead, *items, status="confirmed"):
    for item in items:
        QualificationAnswer.objects.update_or_create(
            lead=lead, item=item, defaults={"status": status, "answer": "yes"}
        )


def test_a_lead_with_every_item_known_finishes_qualified_ready_to_hand_off(org, cadence):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    answer(lead, "budget", "need", "timing")
    assert domain.advance_due(seoul(12, 1, 20))["qualified"] == 0
    answer(lead, "approval_process")
    assert domain.advance_due(seoul(12, 1, 20))["qualified"] == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "qualified")
    [note] = Notification.objects.filter(user=org.alice)
    assert note.text.startswith("Ready to hand off")


def test_the_qualified_exit_waits_for_what_the_valve_takes(org, cadence):
    from handoffs.models import Capacity

    Capacity.objects.filter(ae__in=[org.aaron, org.ada]).delete()
    for ae in (org.aaron, org.ada):
        Capacity.objects.create(ae=ae, normal=0)  # no room at all: the valve takes nothing
    lead = LeadFactory(owner=org.alice)
    domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    answer(lead, "budget", "need", "timing", "approval_process")
    assert domain.advance_due(seoul(12, 1, 20))["qualified"] == 0


def test_a_step_whose_items_are_known_is_skipped_with_that_reason(org, cadence):
    lead = LeadFactory(owner=org.alice)
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    answer(lead, "timing")
    answer(lead, "approval_process", status="not_asked")
    counts = domain.advance_due(seoul(12, 1, 20))
    assert (counts["skipped"], counts["moved"]) == (1, 1)
    run = StepRun.objects.get(enrollment=enrollment)
    assert (run.outcome, run.reason) == ("skipped", "Every item it asks is known already.")
    enrollment.refresh_from_db()
    assert enrollment.step == 2
    assert Step.objects.get(pk=run.step_id).position == 1
