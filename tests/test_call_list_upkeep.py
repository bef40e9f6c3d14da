"""Keeping a built list up to date (issue 14): a late callback or a task lands in its rule's
place, a rebuild keeps what the SDR did and says what it changed, tasks due come first, and
the rules page's preview counts what the build would take."""

import datetime
from unittest.mock import ANY

import pytest
from django.utils import timezone

from leads import domain
from leads.domain import calllists, tasks
from leads.models import Activity, CallList, CallListEntry, CallListRule, Source, Stage, Task
from sdr_ops.models import AuditEvent

from .factories import LeadFactory


@pytest.fixture
def tomorrow(org):
    return calllists.next_working_day(org.desk.local_today())


def at(day, hour, team):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=team.zone)


def listed(sdr, day) -> list[tuple[int, str]]:
    return list(
        CallListEntry.objects.filter(call_list__sdr=sdr, call_list__day=day)
        .order_by("position")
        .values_list("lead_id", "reason")
    )


def quiet_lead(org, days=9):
    lead = LeadFactory(owner=org.alice, stage=Stage.WORKING, source=Source.OUTBOUND)
    Activity.objects.create(
        lead=lead,
        sdr=org.alice,
        type="call",
        outcome="no_answer",
        started_at=timezone.now() - datetime.timedelta(days=days),
    )
    return lead


def test_a_callback_logged_after_the_build_lands_in_its_rules_place(org, tomorrow):
    new = [LeadFactory(owner=org.alice) for _ in range(2)]
    quiet = quiet_lead(org)
    calllists.build_call_lists(org.desk, tomorrow)
    assert [lead for lead, _ in listed(org.alice, tomorrow)] == [new[1].pk, new[0].pk, quiet.pk]
    late = quiet_lead(org, days=2)  # on no rule until the callback is agreed
    early = quiet_lead(org, days=2)
    domain.log_activity(
        late, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 15, org.desk)
    )
    domain.log_activity(
        early, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 9, org.desk)
    )
    rows = listed(org.alice, tomorrow)
    assert rows[:2] == [(early.pk, "Callbacks due"), (late.pk, "Callbacks due")]
    assert [lead for lead, _ in rows[2:]] == [new[1].pk, new[0].pk, quiet.pk]
    positions = CallListEntry.objects.filter(call_list__day=tomorrow, call_list__sdr=org.alice)
    assert sorted(positions.values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_a_callback_on_a_lead_already_listed_moves_it_up_to_the_callbacks(org, tomorrow):
    """Found walking the app: a callback agreed after the build on a lead the build had taken
    by a later rule left it there, far down, though the form says the list puts it first."""
    new = [LeadFactory(owner=org.alice) for _ in range(2)]
    quiet = quiet_lead(org)
    calllists.build_call_lists(org.desk, tomorrow)
    assert [lead for lead, _ in listed(org.alice, tomorrow)] == [new[1].pk, new[0].pk, quiet.pk]
    domain.log_activity(
        quiet, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 9, org.desk)
    )
    rows = listed(org.alice, tomorrow)
    assert rows == [(quiet.pk, "Callbacks due"), (new[1].pk, ANY), (new[0].pk, ANY)]
    positions = CallListEntry.objects.filter(call_list__day=tomorrow, call_list__sdr=org.alice)
    assert sorted(positions.values_list("position", flat=True)) == [1, 2, 3]


def test_an_entry_the_sdr_moved_stays_where_they_put_it(org, tomorrow):
    _new = [LeadFactory(owner=org.alice) for _ in range(2)]
    quiet = quiet_lead(org)
    calllists.build_call_lists(org.desk, tomorrow)
    entry = CallListEntry.objects.get(call_list__day=tomorrow, lead=quiet)
    calllists.move_entry(entry, by=org.alice, up=True)
    before = listed(org.alice, tomorrow)
    domain.log_activity(
        quiet, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 9, org.desk)
    )
    assert listed(org.alice, tomorrow) == before


def test_a_callback_for_a_day_not_built_yet_waits_for_that_days_build(org, tomorrow):
    lead = quiet_lead(org, days=2)
    domain.log_activity(
        lead, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 9, org.desk)
    )
    assert not CallList.objects.filter(day=tomorrow).exists()
    calllists.build_call_lists(org.desk, tomorrow)
    assert listed(org.alice, tomorrow)[0] == (lead.pk, "Callbacks due")


def test_a_rebuild_keeps_the_sdrs_edits_and_says_what_it_changed(org, tomorrow):
    leads = [LeadFactory(owner=org.alice) for _ in range(5)]
    calllists.build_call_lists(org.desk, tomorrow)
    call_list = CallList.objects.get(sdr=org.alice, day=tomorrow)
    order = [lead for lead, _ in listed(org.alice, tomorrow)]
    entry = {e.lead_id: e for e in call_list.entries.all()}
    # The SDR moves the last one to the top, takes the second off, adds one by hand, reviews.
    last = entry[order[-1]]
    for _ in range(4):
        last.refresh_from_db()
        calllists.move_entry(last, by=org.alice, up=True)
    calllists.remove_entry(entry[order[1]], by=org.alice)
    handed = LeadFactory(owner=org.alice, source=Source.OUTBOUND, stage=Stage.WORKING)
    calllists.add_to_list(call_list, handed, by=org.alice)
    calllists.mark_reviewed(call_list, by=org.alice)
    edited = [lead for lead, _ in listed(org.alice, tomorrow)]
    # Meanwhile a lead stops matching (disqualified) and a new inbound lead arrives.
    leads[2].stage = Stage.DISQUALIFIED
    leads[2].save()
    fresh = LeadFactory(owner=org.alice)

    build = calllists.rebuild_call_lists(org.desk, tomorrow, by=org.mia)

    after = [lead for lead, _ in listed(org.alice, tomorrow)]
    assert after[0] == order[-1]  # moved: kept at the top
    assert order[1] not in after  # removed: stays off
    assert leads[2].pk not in after  # no longer matches: dropped
    assert handed.pk in after and fresh.pk in after
    assert after.index(fresh.pk) < after.index(handed.pk)  # new inbound in its rule's place
    call_list.refresh_from_db()
    assert call_list.reviewed_at is not None
    assert (build.report.added, build.report.dropped) == (1, 1)
    assert build.report.kept == 4  # moved, added by hand, removed, reviewed
    assert len(edited) == 5
    event = AuditEvent.objects.get(action="call_lists_rebuilt")
    assert (event.field, event.after) == (tomorrow.isoformat(), "+1 -1 =4")


def test_a_rebuild_keeps_called_and_skipped_entries_where_they_were(org):
    today = org.desk.local_today()
    leads = [LeadFactory(owner=org.alice) for _ in range(3)]
    calllists.build_call_lists(org.desk, today)
    call_list = CallList.objects.get(sdr=org.alice, day=today)
    first, second, _third = call_list.entries.order_by("position")
    domain.log_activity(first.lead, by=org.alice, type="call", outcome="no_answer")
    calllists.skip_entry(second, by=org.alice, reason="On holiday")
    calllists.build_call_lists(org.desk, today)
    rows = list(call_list.entries.order_by("position").values_list("lead_id", "status"))
    assert rows[0] == (first.lead_id, "called")
    assert rows[1] == (second.lead_id, "skipped")
    assert len(rows) == 3 and {lead for lead, _ in rows} == {lead.pk for lead in leads}


def test_a_lead_taken_off_is_not_placed_again_by_a_callback(org, tomorrow):
    lead = LeadFactory(owner=org.alice)
    calllists.build_call_lists(org.desk, tomorrow)
    calllists.remove_entry(CallListEntry.objects.get(lead=lead), by=org.alice)
    domain.log_activity(
        lead, by=org.alice, type="call", outcome="callback", callback_at=at(tomorrow, 9, org.desk)
    )
    assert listed(org.alice, tomorrow) == []


def test_pinned_entries_hold_their_slots_and_the_others_fill_the_gaps():
    entries = [CallListEntry(pk=pk, position=pos) for pk, pos in [(1, 1), (2, 2), (3, 3), (4, 4)]]
    order = calllists._pinned_first(entries, pinned={4: 1, 2: 3})
    assert [e.pk for e in order] == [4, 1, 2, 3]


def test_leads_with_a_task_due_that_day_come_first(org, tomorrow):
    new = LeadFactory(owner=org.alice)
    quiet = quiet_lead(org, days=3)  # on no rule
    later = quiet_lead(org, days=3)
    due = at(tomorrow, 16, org.desk)
    tasks.create_task(later, by=org.alice, kind=Task.Kind.MATERIAL, due_at=due)
    due = at(tomorrow, 11, org.desk)
    tasks.create_task(quiet, by=org.alice, kind=Task.Kind.CHECK_AE, due_at=due)
    next_week = at(tomorrow + datetime.timedelta(days=7), 11, org.desk)
    tasks.create_task(new, by=org.alice, kind=Task.Kind.OTHER, due_at=next_week)
    calllists.build_call_lists(org.desk, tomorrow)
    assert listed(org.alice, tomorrow) == [
        (quiet.pk, "Task due"),
        (later.pk, "Task due"),
        (new.pk, "New inbound leads"),
    ]


def test_the_task_due_reason_is_written_in_each_sdrs_language(org, tomorrow):
    org.bob.language = "ko"
    org.bob.save(update_fields=["language"])
    for sdr in (org.alice, org.bob):
        lead = LeadFactory(owner=sdr)
        tasks.create_task(lead, by=sdr, kind=Task.Kind.OTHER, due_at=at(tomorrow, 11, org.desk))
    calllists.build_call_lists(org.desk, tomorrow)
    assert [reason for _lead, reason in listed(org.alice, tomorrow)] == ["Task due"]
    assert [reason for _lead, reason in listed(org.bob, tomorrow)] == ["오늘 할 일"]


def test_the_preview_counts_what_the_build_takes_per_sdr_and_rule(
    org, tomorrow, django_assert_num_queries
):
    for _ in range(3):
        LeadFactory(owner=org.alice)
    LeadFactory(owner=org.bob)
    quiet_lead(org)
    rules = calllists.ensure_rules(org.desk)
    # the SDRs of the day, the cadence steps due (the registered entry source), the plan counted
    with django_assert_num_queries(3):
        counts = calllists.plan_counts(org.desk, tomorrow, rules)
    assert counts == {(org.alice.pk, 2): 3, (org.bob.pk, 2): 1, (org.alice.pk, 4): 1}
    unsaved = [CallListRule(team=org.desk, name="Everyone", order="oldest", cap=2)]
    assert calllists.plan_counts(org.desk, tomorrow, unsaved) == {
        (org.alice.pk, 1): 2,
        (org.bob.pk, 1): 1,
    }
