"""The nightly call list: rule evaluation, every exclusion, caps, order, idempotent rebuilds,
the beat job's timing, and the task through a real Celery worker."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from handoffs.models import Handoff
from leads.domain import calllists
from leads.models import (
    Activity,
    CallList,
    CallListBuild,
    CallListEntry,
    CallListRule,
    Segment,
    Source,
    Stage,
)
from leads.tasks import build_day_lists, build_due_call_lists
from sdr_ops.models import OutboxMessage

from .factories import AccountFactory, LeadFactory
from .helpers import Worker, run_database_url

DAY = datetime.date(2026, 12, 1)  # a Tuesday


def at(day: datetime.date, hour: int, team) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=team.zone)


def entries(sdr, day=DAY) -> list[tuple[int, str]]:
    return list(
        CallListEntry.objects.filter(call_list__sdr=sdr, call_list__day=day)
        .order_by("position")
        .values_list("lead_id", "reason")
    )


def lead_ids(sdr, day=DAY) -> list[int]:
    return [lead for lead, _ in entries(sdr, day)]


def touch(lead, when, type=Activity.Type.CALL):
    return Activity.objects.create(
        lead=lead, sdr=lead.owner, type=type, outcome="no_answer", started_at=when
    )


@pytest.fixture
def build(org):
    def run(day=DAY):
        return calllists.build_call_lists(org.desk, day)

    return run


def test_default_rules_are_created_for_a_team_on_first_build(org, build):
    build()
    names = list(org.desk.call_list_rules.order_by("position").values_list("name", flat=True))
    assert names == [
        "Callbacks due",
        "New inbound leads",
        "Enterprise leads in progress",
        "Quiet for 7+ days",
    ]


def test_default_rules_in_order_with_the_rule_that_put_each_lead_there(org, build):
    desk = org.desk
    quiet = LeadFactory(owner=org.alice, stage=Stage.WORKING, source=Source.OUTBOUND)
    touch(quiet, at(DAY, 10, desk) - datetime.timedelta(days=9))
    enterprise = LeadFactory(
        owner=org.alice,
        stage=Stage.WORKING,
        source=Source.OUTBOUND,
        account=AccountFactory(segment=Segment.ENTERPRISE),
    )
    touch(enterprise, at(DAY, 10, desk) - datetime.timedelta(days=1))
    old_inbound = LeadFactory(
        owner=org.alice, created_at=at(DAY, 9, desk) - datetime.timedelta(days=3)
    )
    new_inbound = LeadFactory(
        owner=org.alice, created_at=at(DAY, 9, desk) - datetime.timedelta(days=1)
    )
    callback = LeadFactory(
        owner=org.alice, stage=Stage.WORKING, source=Source.OUTBOUND, callback_at=at(DAY, 15, desk)
    )
    build()
    assert entries(org.alice) == [
        (callback.pk, "Callbacks due"),
        (new_inbound.pk, "New inbound leads"),  # newest first
        (old_inbound.pk, "New inbound leads"),
        (enterprise.pk, "Enterprise leads in progress"),
        (quiet.pk, "Quiet for 7+ days"),
    ]
    assert [
        e.position
        for e in CallListEntry.objects.filter(call_list__sdr=org.alice).order_by("position")
    ] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "make_excluded",
    [
        pytest.param(
            lambda org, day: LeadFactory(owner=org.alice, do_not_call=True), id="do-not-call"
        ),
        pytest.param(
            lambda org, day: LeadFactory(owner=org.alice, stage=Stage.DISQUALIFIED),
            id="disqualified",
        ),
        pytest.param(
            lambda org, day: (
                Handoff.objects.create(
                    lead=LeadFactory(owner=org.alice), sdr=org.alice, ae=org.aaron, certainty="A"
                ).lead
            ),
            id="pending-handoff",
        ),
        pytest.param(
            lambda org, day: touch(LeadFactory(owner=org.alice), at(day, 9, org.desk)).lead,
            id="touched-that-day",
        ),
        pytest.param(lambda org, day: LeadFactory(owner=org.carol), id="other-team"),
    ],
)
def test_excluded_leads_never_appear(org, build, make_excluded):
    included = LeadFactory(owner=org.alice)
    excluded = make_excluded(org, DAY)
    build()
    ids = lead_ids(org.alice) + lead_ids(org.carol)
    assert included.pk in ids
    assert excluded.pk not in ids


def test_a_decided_handoff_does_not_exclude_the_lead(org, build):
    lead = LeadFactory(owner=org.alice, stage=Stage.WORKING, callback_at=at(DAY, 11, org.desk))
    Handoff.objects.create(
        lead=lead,
        sdr=org.alice,
        ae=org.aaron,
        certainty="B",
        status="rejected",
        decided_at=timezone.now(),
        rejection_reason="bad_timing",
    )
    build()
    assert lead.pk in lead_ids(org.alice)


def test_each_rule_caps_per_sdr_and_the_list_is_cut_at_the_daily_size(org, build):
    desk = org.desk
    desk.call_list_size = 5
    desk.save()
    CallListRule.objects.create(
        team=desk, position=1, name="Inbound", sources=["inbound"], cap=3, order="oldest"
    )
    CallListRule.objects.create(
        team=desk, position=2, name="Events", sources=["event"], cap=10, order="oldest"
    )
    inbound = [LeadFactory(owner=org.alice, source="inbound") for _ in range(5)]
    events = [LeadFactory(owner=org.alice, source="event") for _ in range(5)]
    bob_inbound = [LeadFactory(owner=org.bob, source="inbound") for _ in range(2)]
    build()
    assert lead_ids(org.alice) == [lead.pk for lead in inbound[:3] + events[:2]]
    assert lead_ids(org.bob) == [lead.pk for lead in bob_inbound]


@pytest.mark.parametrize(
    ("rule", "matching", "other"),
    [
        ({"stages": ["nurture"]}, {"stage": "nurture"}, {"stage": "working"}),
        ({"segments": ["smb"]}, {"account__segment": "smb"}, {"account__segment": "enterprise"}),
        ({"sources": ["referral"]}, {"source": "referral"}, {"source": "event"}),
    ],
)
def test_in_conditions(org, build, rule, matching, other):
    CallListRule.objects.create(team=org.desk, position=1, name="Rule", cap=10, **rule)
    yes = LeadFactory(owner=org.alice, **matching)
    no = LeadFactory(owner=org.alice, **other)
    build()
    assert lead_ids(org.alice) == [yes.pk]
    assert no.pk not in lead_ids(org.alice)


def test_attempts_and_never_touched_conditions(org, build):
    desk = org.desk
    CallListRule.objects.create(team=desk, position=1, name="Never", never_touched=True, cap=10)
    CallListRule.objects.create(team=desk, position=2, name="Few attempts", max_attempts=2, cap=10)
    fresh = LeadFactory(owner=org.alice)
    once = LeadFactory(owner=org.alice)
    touch(once, at(DAY, 9, desk) - datetime.timedelta(days=2))
    thrice = LeadFactory(owner=org.alice)
    for d in (2, 3, 4):
        touch(thrice, at(DAY, 9, desk) - datetime.timedelta(days=d))
    build()
    assert dict(entries(org.alice)) == {fresh.pk: "Never", once.pk: "Few attempts"}


def test_rebuilding_the_same_day_gives_the_same_result_and_keeps_the_sdrs_skip(org, build):
    # Issue 14 changed this: a rebuild used to wipe the skip; it keeps what the SDR did now.
    for _ in range(4):
        LeadFactory(owner=org.alice)
    build()
    first = entries(org.alice)
    entry = CallListEntry.objects.filter(call_list__sdr=org.alice).first()
    calllists.skip_entry(entry, by=org.alice, reason="moved")
    build()
    assert entries(org.alice) == first
    assert CallList.objects.filter(sdr=org.alice, day=DAY).count() == 1
    assert CallListBuild.objects.filter(team=org.desk, day=DAY).count() == 1
    assert CallListEntry.objects.get(status="skipped").lead_id == entry.lead_id


def test_a_failed_rebuild_leaves_the_old_list(org, build, monkeypatch):
    LeadFactory(owner=org.alice)
    build()
    before = entries(org.alice)

    def broken(*args, **kwargs):
        return "INSERT INTO no_such_table VALUES (1)", []

    monkeypatch.setattr(calllists, "call_list_sql", broken)
    with pytest.raises(Exception):  # noqa: B017 - any database error
        build()
    assert entries(org.alice) == before


def test_next_working_day_skips_the_weekend():
    friday = datetime.date(2026, 11, 27)
    assert calllists.next_working_day(friday) == datetime.date(2026, 11, 30)
    assert calllists.next_working_day(datetime.date(2026, 11, 30)) == datetime.date(2026, 12, 1)


def test_teams_are_due_after_their_build_time_in_their_time_zone(org):
    desk, growth = org.desk, org.growth
    growth.time_zone = "Europe/London"
    growth.save()
    # 19:30 in Seoul is 10:30 in London.
    now = datetime.datetime(2026, 11, 30, 10, 30, tzinfo=datetime.UTC)
    due = calllists.teams_due(now)
    assert [(t.slug, d) for t, d in due] == [("enterprise-desk", datetime.date(2026, 12, 1))]
    calllists.build_call_lists(desk, datetime.date(2026, 12, 1))
    assert calllists.teams_due(now) == []


def test_command_builds_every_team(org, capsys):
    LeadFactory(owner=org.alice)
    LeadFactory(owner=org.carol)
    call_command("build_call_lists", "--date", DAY.isoformat())
    assert len(lead_ids(org.alice)) == 1 and len(lead_ids(org.carol)) == 1


def test_adding_skipping_and_moving_entries(org, build):
    a, b = LeadFactory(owner=org.alice), LeadFactory(owner=org.alice)
    build()
    call_list = CallList.objects.get(sdr=org.alice, day=DAY)
    extra = LeadFactory(owner=org.alice, do_not_call=False, stage=Stage.HANDED_OFF)
    added = calllists.add_to_list(call_list, extra, by=org.alice)
    assert (added.position, added.added_by_hand) == (3, True)
    with pytest.raises(ValidationError, match="already on the list"):
        calllists.add_to_list(call_list, extra, by=org.alice)
    with pytest.raises(ValidationError, match="own leads"):
        calllists.add_to_list(call_list, LeadFactory(owner=org.bob), by=org.alice)
    calllists.move_entry(added, by=org.alice, up=True)
    assert lead_ids(org.alice)[1] == extra.pk
    with pytest.raises(ValidationError):
        calllists.skip_entry(added, by=org.alice, reason="  ")
    calllists.skip_entry(added, by=org.alice, reason="Customer on holiday")
    summary = calllists.adherence(CallList.objects.filter(pk=call_list.pk)).get()
    assert (summary.planned, summary.planned_skipped, summary.added) == (2, 0, 1)
    assert {a.pk, b.pk} <= set(lead_ids(org.alice))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_task_builds_through_a_real_worker(org, tmp_path):
    lead = LeadFactory(owner=org.alice)
    worker = Worker(tmp_path / "worker.log", DATABASE_URL=run_database_url())
    try:
        result = build_day_lists.delay(team_ids=[org.desk.pk], day=DAY.isoformat())
        assert result.get(timeout=60) == 1
    finally:
        worker.stop()
    assert lead_ids(org.alice) == [lead.pk]
    assert "leads.build_call_lists" in worker.log()


def test_teams_built_together_get_what_each_would_get_alone(org):
    CallListRule.objects.create(
        team=org.growth, position=1, name="Events", sources=["event"], cap=5
    )
    for source in ("inbound", "event"):
        LeadFactory(owner=org.alice, source=source)
        LeadFactory(owner=org.carol, source=source)
    calllists.build_call_lists(org.desk, DAY)
    calllists.build_call_lists(org.growth, DAY)
    alone = (entries(org.alice), entries(org.carol))
    builds = calllists.build_many([org.desk, org.growth], DAY)
    assert (entries(org.alice), entries(org.carol)) == alone
    assert [r for _, r in entries(org.carol)] == ["Events"]
    assert builds[org.growth.pk].entries == 1


def test_an_sdr_building_their_own_list_does_not_count_as_the_nightly_build(org):
    LeadFactory(owner=org.alice)
    calllists.build_call_lists(org.desk, DAY, only=[org.alice.pk])
    assert lead_ids(org.alice) and not CallList.objects.filter(sdr=org.bob).exists()
    assert not CallListBuild.objects.exists()


def test_the_beat_job_queues_one_build_per_day_for_the_teams_due(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        build_day_lists, "apply_async", lambda kwargs, **options: queued.append(kwargs)
    )
    monkeypatch.setattr(
        calllists.timezone,
        "now",
        lambda: datetime.datetime(2026, 11, 30, 11, 0, tzinfo=datetime.UTC),
    )
    with django_capture_on_commit_callbacks(execute=True):
        build_due_call_lists()
    # Sent through the outbox, which records it as sent.
    assert queued == [
        {"team_ids": [org.desk.pk, org.growth.pk], "day": "2026-12-01", "nightly": True}
    ]
    assert OutboxMessage.objects.get().sent_at is not None


def test_the_priority_segments_shape_the_default_rules(org):
    org.growth.patient_segments = ["mid_market", "smb"]
    org.growth.save()
    rules = calllists.rules_for(org.growth)
    assert (rules[2].name, rules[2].segments) == (
        "Priority segments in progress",
        ["mid_market", "smb"],
    )
    assert calllists.rules_for(org.desk)[2].segments == ["enterprise"]


def test_a_rolled_back_job_enqueues_nothing(org, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import transaction

    queued = []
    monkeypatch.setattr(
        build_day_lists, "apply_async", lambda kwargs, **options: queued.append(kwargs)
    )
    monkeypatch.setattr(
        calllists.timezone,
        "now",
        lambda: datetime.datetime(2026, 11, 30, 11, 0, tzinfo=datetime.UTC),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        build_due_call_lists()
        transaction.set_rollback(True)
    assert callbacks == [] and queued == [] and not OutboxMessage.objects.exists()
