"""Cadences: business-day scheduling across Chuseok and a substitute holiday, the sending
window in the lead's zone, caps that hold back and release, one open enrollment per lead,
pause keeping its delay, versioning, the set-based nightly advance and the audit trail."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cadences import domain, merge
from cadences.models import CadenceSettings, Enrollment, Step, StepRun
from leads.models import Activity, Stage
from sdr_ops.models import AuditEvent

from .cadence_helpers import activate
from .factories import LeadFactory

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
LONDON = zoneinfo.ZoneInfo("Europe/London")


def seoul(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


def three_steps():
    return [
        domain.StepData(
            type=Step.Type.CALL,
            offset_days=0,
            instruction="Ask how such projects are approved.",
            aims_at=["timing", "approval_process"],
        ),
        domain.StepData(
            type=Step.Type.EMAIL,
            offset_days=2,
            variants=[
                domain.VariantData(subject="Hello {{ first_name }}", body="From {{ sdr_name }}")
            ],
        ),
        domain.StepData(type=Step.Type.TASK, offset_days=3, instruction="Connect on LinkedIn"),
    ]


@pytest.fixture
def cadence(org):
    cadence = domain.create_cadence(org.desk, name="Enterprise intro", by=org.mia)
    domain.save_steps(cadence, three_steps(), by=org.mia)
    return activate(cadence, org.mia)


def lead_of(org, **kwargs):
    return LeadFactory(owner=org.alice, **kwargs)


def test_steps_fall_due_on_working_days_across_chuseok(org, cadence):
    lead = lead_of(org)
    enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(9, 23, 10))
    assert enrollment.next_due == seoul(9, 23, 10)  # offset 0, inside the window: at once
    domain.run_step(enrollment, outcome="done", by=org.alice, now=seoul(9, 23, 11))
    enrollment.refresh_from_db()
    # Two working days after Wednesday 23: Chuseok (24-26) and the weekend do not count.
    assert (enrollment.step, enrollment.next_due) == (2, seoul(9, 29, 9))


def test_a_substitute_holiday_is_skipped(org, cadence):
    enrollment = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(10, 1, 10))
    domain.run_step(enrollment, outcome="done", by=org.alice, now=seoul(10, 1, 10))
    enrollment.refresh_from_db()
    # Thursday 1 October + 2 working days: Friday 2, (Monday 5 is a substitute holiday), Tuesday 6.
    assert enrollment.next_due == seoul(10, 6, 9)


def test_outside_the_window_waits_for_the_next_opening_in_the_leads_zone(org, cadence):
    evening = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(10, 2, 19))
    assert evening.next_due == seoul(10, 6, 9)  # Friday evening: Tuesday morning (5 is off)
    london = domain.enrol(
        lead_of(org, time_zone="Europe/London"), cadence, by=org.alice, now=seoul(12, 1, 10)
    )
    # 10:00 in Seoul is 01:00 in London: the lead's window opens at 09:00 there.
    assert london.next_due == datetime.datetime(2026, 12, 1, 9, tzinfo=LONDON)


def test_a_narrower_window_and_advertising_quiet_hours(org, cadence):
    CadenceSettings.objects.create(
        team=org.desk,
        window_start=datetime.time(7, 0),
        window_end=datetime.time(22, 0),
        advertising=True,
    )
    # Advertising: nothing between 21:00 and 08:00 whatever the window says.
    early = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 7, 30))
    assert early.next_due == seoul(12, 1, 8)
    late = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 21, 30))
    assert late.next_due == seoul(12, 2, 8)


def test_one_open_enrollment_per_lead_a_second_is_refused_with_the_reason(org, cadence):
    lead = lead_of(org)
    domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
    other = domain.create_cadence(org.desk, name="Follow-up", by=org.mia)
    domain.save_steps(other, three_steps(), by=org.mia)
    activate(other, org.mia)
    with pytest.raises(domain.AlreadyEnrolled, match="Enterprise intro \\(step 1 of 3\\)"):
        domain.enrol(lead, other, by=org.alice, now=seoul(12, 1, 10))
    first = Enrollment.objects.get(lead=lead)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(
            team=org.desk,
            lead=lead,
            version=first.version,
            sdr=org.alice,
            starts_on=first.starts_on,
        )
    domain.finish(first, reason="manual", by=org.alice)
    assert domain.enrol(lead, other, by=org.alice, now=seoul(12, 1, 11)).version.cadence == other


def test_leads_that_cannot_be_enrolled_are_refused_in_a_bulk_enrolment(org, cadence):
    good, closed, foreign = (
        lead_of(org),
        lead_of(org, stage=Stage.DISQUALIFIED),
        LeadFactory(owner=org.carol),
    )
    result = domain.enrol_many(
        cadence, [good.pk, closed.pk, foreign.pk, 999999], by=org.mia, now=seoul(12, 1, 10)
    )
    assert [e.lead_id for e in result.enrolled] == [good.pk]
    assert set(result.refused) == {closed.pk, foreign.pk, 999999}
    draft = domain.create_cadence(org.desk, name="Draft", by=org.mia)
    with pytest.raises(ValidationError, match="active cadence"):
        domain.enrol(good, draft, by=org.mia)


def test_the_cap_on_new_enrollments_holds_back_and_never_drops(org, cadence):
    CadenceSettings.objects.create(team=org.desk, new_per_sdr_per_day=2)
    leads = [lead_of(org) for _ in range(5)]
    result = domain.enrol_many(
        cadence, [lead.pk for lead in leads], by=org.mia, now=seoul(12, 3, 10)
    )
    starts = sorted(e.starts_on for e in result.enrolled)
    # Thursday 3: two; Friday 4: two; Monday 7: the fifth.
    assert starts == [
        datetime.date(2026, 12, 3),
        datetime.date(2026, 12, 3),
        datetime.date(2026, 12, 4),
        datetime.date(2026, 12, 4),
        datetime.date(2026, 12, 7),
    ]
    held = next(e for e in result.enrolled if e.starts_on == datetime.date(2026, 12, 7))
    assert held.next_due == seoul(12, 7, 9)
    # Next day, the Friday is full already; a new lead goes to Monday.
    later = domain.enrol(lead_of(org), cadence, by=org.mia, now=seoul(12, 4, 10))
    assert later.starts_on == datetime.date(2026, 12, 7)


def test_bulk_enrolment_is_set_based(org, cadence, django_assert_max_num_queries):
    few = [lead_of(org).pk for _ in range(2)]
    many = [lead_of(org).pk for _ in range(25)]
    with django_assert_max_num_queries(16) as few_queries:
        domain.enrol_many(cadence, few, by=org.mia, now=seoul(12, 1, 10))
    with django_assert_max_num_queries(len(few_queries.captured_queries)):
        domain.enrol_many(cadence, many, by=org.mia, now=seoul(12, 1, 10))
    assert AuditEvent.objects.filter(action="enrolled").count() == 27


def test_a_pause_keeps_the_working_days_left(org, cadence):
    enrollment = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.run_step(enrollment, outcome="done", by=org.alice, now=seoul(12, 1, 10))
    enrollment.refresh_from_db()
    assert enrollment.next_due == seoul(12, 3, 9)
    paused = domain.pause(enrollment, by=org.alice, now=seoul(12, 1, 12))
    assert (paused.state, paused.remaining_days, paused.next_due) == ("paused", 2, None)
    with pytest.raises(domain.NotOpen):
        domain.pause(paused, by=org.alice)
    resumed = domain.resume(paused, by=org.alice, now=seoul(12, 8, 15))
    assert (resumed.state, resumed.next_due) == ("active", seoul(12, 10, 9))


def test_a_pause_until_a_day_resumes_in_the_nightly_run(org, cadence):
    enrollment = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    domain.pause(enrollment, by=None, until=datetime.date(2026, 12, 8), now=seoul(12, 1, 10))
    assert domain.advance_due(seoul(12, 7, 20))["resumed"] == 0
    assert domain.advance_due(seoul(12, 8, 6))["resumed"] == 1
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.next_due) == ("active", seoul(12, 8, 9))


def test_editing_a_cadence_in_use_makes_a_new_version(org, cadence):
    enrollment = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    steps = three_steps()[:2]
    version = domain.save_steps(cadence, steps, by=org.mia)
    cadence.refresh_from_db()
    assert (cadence.version, version.number, version.steps.count()) == (2, 2, 2)
    enrollment.refresh_from_db()
    assert (enrollment.version.number, enrollment.version.steps.count()) == (1, 3)
    newer = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    assert (newer.version.number, newer.steps) == (2, 2)
    # Unused, the current version's steps are replaced in place.
    domain.finish(newer, reason="manual", by=org.alice)
    again = domain.save_steps(cadence, three_steps(), by=org.mia)
    assert (again.number, again.steps.count()) == (2, 3)
    assert AuditEvent.objects.filter(action="cadence_versioned", subject_id=cadence.pk).count() == 1


def test_steps_are_checked_when_saved(org, cadence):
    bad_item = [domain.StepData(type="call", aims_at=["budget", "horoscope"])]
    with pytest.raises(ValidationError, match="horoscope"):
        domain.save_steps(cadence, bad_item, by=org.mia)
    no_text = [domain.StepData(type="email", variants=[])]
    with pytest.raises(ValidationError, match="subject and a text"):
        domain.save_steps(cadence, no_text, by=org.mia)
    code = [
        domain.StepData(
            type="email", variants=[domain.VariantData(subject="Hi", body="{% load x %}")]
        )
    ]
    with pytest.raises(ValidationError, match="Only merge fields"):
        domain.save_steps(cadence, code, by=org.mia)
    with pytest.raises(ValidationError, match="at least one step"):
        domain.save_steps(cadence, [], by=org.mia)


def test_merge_fields_render_safely():
    values = {"first_name": "<b>Kim</b>", "company": "A&B"}
    merge.check("Hi {{ first_name }} at {{company}}")
    with pytest.raises(ValidationError, match="password"):
        merge.check("{{ password }}")
    with pytest.raises(ValidationError):
        merge.check("{{ first_name|upper }}")
    assert merge.render_text("Hi {{ first_name }}", values) == "Hi <b>Kim</b>"
    html = merge.render_html("Hi {{ first_name }} & {{ company }}\n\nBye", values)
    assert html == "<p>Hi &lt;b&gt;Kim&lt;/b&gt; &amp; A&amp;B</p>\n\n<p>Bye</p>"


def test_the_nightly_advance_marks_touched_call_steps_done_and_moves_on(
    org, cadence, django_assert_max_num_queries
):
    def enrol_touched(n):
        enrollments = []
        for _ in range(n):
            lead = lead_of(org)
            enrollment = domain.enrol(lead, cadence, by=org.alice, now=seoul(12, 1, 10))
            Activity.objects.create(
                lead=lead,
                sdr=org.alice,
                type="call",
                outcome="connected",
                started_at=seoul(12, 1, 11),
            )
            enrollments.append(enrollment)
        return enrollments

    untouched = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    first = enrol_touched(2)
    with django_assert_max_num_queries(20) as captured:
        counts = domain.advance_due(seoul(12, 1, 20))
    assert counts == {
        "qualified": 0,
        "skipped": 0,
        "done": 2,
        "resumed": 0,
        "moved": 2,
        "finished": 0,
    }
    enrol_touched(12)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert domain.advance_due(seoul(12, 1, 20))["moved"] == 12
    first[0].refresh_from_db()
    assert (first[0].step, first[0].next_due) == (2, seoul(12, 3, 9))
    run = StepRun.objects.get(enrollment=first[0])
    assert (run.outcome, run.connected) == ("done", True)
    untouched.refresh_from_db()
    assert untouched.step == 1  # its call waits, never dropped
    assert domain.advance_due(seoul(12, 1, 21)) == {
        "qualified": 0,
        "skipped": 0,
        "done": 0,
        "resumed": 0,
        "moved": 0,
        "finished": 0,
    }


def test_the_last_step_finishes_with_no_more_steps_and_the_trail_says_so(org, cadence):
    enrollment = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
    for hour in (10, 11, 12):
        domain.run_step(enrollment, outcome="done", by=org.alice, now=seoul(12, 1, hour))
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.finish_reason) == ("finished", "no_more_steps")
    with pytest.raises(domain.NotOpen):
        domain.finish(enrollment, reason="manual", by=org.alice)
    with pytest.raises(ValidationError, match="Say why"):
        other = domain.enrol(lead_of(org), cadence, by=org.alice, now=seoul(12, 1, 10))
        domain.run_step(other, outcome="skipped", by=org.alice)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"cadence_saved", "enrolled"} <= actions


def test_the_scheduled_jobs_run_and_are_safe_to_run_again(org, cadence):
    from cadences import tasks

    domain.enrol(lead_of(org), cadence, by=org.alice)
    for _ in range(2):
        assert tasks.advance_due.apply().get()["finished"] == 0
        assert tasks.send_due.apply().get()["sent"] == 0  # no mailbox: held, never dropped
        assert tasks.poll_mailboxes.apply().get() == 0
