"""Logging many touches at once (log_activities) writes what logging each through
log_activity writes, in a fixed number of statements whatever their number."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.domain.activities import Touch, log_activities, log_activity
from leads.models import Activity, CallList, CallListEntry, Lead, StageChange
from metrics.models import StageEntry
from sdr_ops.models import AuditEvent

from .factories import LeadFactory

SEOUL = datetime.timezone(datetime.timedelta(hours=9))
MORNING = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=SEOUL)


def at(minutes: int) -> datetime.datetime:
    return MORNING + datetime.timedelta(minutes=minutes)


def world(org, tag: str) -> dict[str, Lead]:
    """A new lead, one already working, one planned on today's list, one planned on
    tomorrow's, one with its call already logged by the phone system (to dedupe), one
    with a callback agreed."""
    names = ["new", "working", "today", "tomorrow", "logged", "callback"]
    leads = {
        name: LeadFactory(
            owner=org.alice,
            email=f"{name}-{tag}@customer.example",
            stage="new" if name == "new" else "working",
            callback_at=at(600) if name == "callback" else None,
        )
        for name in names
    }
    for offset, name in ((0, "today"), (1, "tomorrow")):
        day = MORNING.date() + datetime.timedelta(days=offset)
        call_list, _made = CallList.objects.get_or_create(sdr=org.alice, day=day, team=org.desk)
        CallListEntry.objects.create(
            call_list=call_list, lead=leads[name], position=1, reason="rule"
        )
    Activity.objects.create(
        lead=leads["logged"],
        sdr=org.alice,
        type="call",
        outcome="no_answer",
        started_at=at(5),
        duration_seconds=42,
    )
    return leads


def touches(org, leads: dict[str, Lead]) -> list[Touch]:
    alice = org.alice
    return [
        Touch(leads["new"], alice, "email", "sent", at(1), notes="Hello"),
        Touch(leads["new"], alice, "call", "connected", at(2), duration_seconds=60),
        Touch(leads["working"], alice, "email", "replied", at(3), notes="Re: Hello"),
        # The same touch twice in one call: one activity, the later outcome.
        Touch(leads["working"], alice, "email", "replied", at(3), notes="Re: Hello again"),
        Touch(leads["today"], alice, "call", "no_answer", at(4)),
        Touch(leads["tomorrow"], alice, "call", "do_not_call", at(4)),
        Touch(leads["logged"], alice, "call", "connected", at(5), notes="Talked"),
        Touch(leads["callback"], alice, "call", "callback", at(6), callback_at=at(24 * 60)),
    ]


def written(leads: dict[str, Lead]) -> dict[str, list]:
    """Every row logging writes, by lead name instead of id."""
    name = {lead.pk: n for n, lead in leads.items()}
    ids = list(name)

    def rows(queryset, *fields):
        return sorted((name[row[0]], *row[1:]) for row in queryset.values_list("lead_id", *fields))

    stage_audit = AuditEvent.objects.filter(lead_id__in=ids).exclude(action="created")
    return {
        "activities": rows(
            Activity.objects.filter(lead_id__in=ids),
            "sdr_id",
            "type",
            "outcome",
            "started_at",
            "duration_seconds",
            "notes",
            "callback_at",
        ),
        "leads": sorted(
            (name[pk], *rest)
            for pk, *rest in Lead.objects.filter(pk__in=ids).values_list(
                "pk", "stage", "callback_at", "do_not_call"
            )
        ),
        "stage changes": rows(
            StageChange.objects.filter(lead_id__in=ids), "from_stage", "to_stage", "by_id", "at"
        ),
        "audit": rows(stage_audit, "subject", "action", "actor_id", "before", "after", "via"),
        "entries": rows(
            CallListEntry.objects.filter(lead_id__in=ids), "call_list__day", "status", "done_at"
        ),
        "stage entries": rows(
            StageEntry.objects.filter(lead_id__in=ids), "working_at", "connected_at"
        ),
    }


def test_many_touches_write_what_each_logged_in_turn_writes(org):
    one_by_one, together = world(org, "one"), world(org, "many")
    for touch in touches(org, one_by_one):
        log_activity(
            touch.lead,
            by=touch.by,
            type=touch.type,
            outcome=touch.outcome,
            started_at=touch.started_at,
            duration_seconds=touch.duration_seconds,
            notes=touch.notes,
            callback_at=touch.callback_at,
        )
    log_activities(touches(org, together))
    expected, got = written(one_by_one), written(together)
    assert got == expected
    # What the rules say, so that both being wrong the same way fails too.
    assert {n: s for n, s, _cb, _dnc in got["leads"]} == {
        "new": "connected",
        "working": "working",
        "today": "working",
        "tomorrow": "working",
        "logged": "connected",
        "callback": "working",
    }
    assert [(n, f, t) for n, f, t, _by, _at in got["stage changes"]] == [
        ("logged", "working", "connected"),
        ("new", "new", "working"),
        ("new", "working", "connected"),
    ]
    assert ("working", org.alice.pk, "email", "replied", at(3), 0, "Re: Hello again", None) in (
        got["activities"]
    )
    assert ("logged", org.alice.pk, "call", "connected", at(5), 42, "Talked", None) in (
        got["activities"]
    )
    assert len(got["activities"]) == 7
    tomorrow = MORNING.date() + datetime.timedelta(days=1)
    assert got["entries"] == [
        ("callback", tomorrow, "planned", None),  # its callback lands on that day's list
        ("today", MORNING.date(), "called", at(4)),
        ("tomorrow", tomorrow, "planned", None),
    ]
    assert [n for n, _s, _cb, dnc in got["leads"] if dnc] == ["tomorrow"]
    assert [(n, cb) for n, _s, cb, _dnc in got["leads"] if cb] == [("callback", at(24 * 60))]


@pytest.mark.parametrize("n", [2, 6, 20])
def test_logging_many_touches_takes_the_same_statements_whatever_their_number(org, n):
    leads = [LeadFactory(owner=org.alice, stage="new" if i % 2 else "working") for i in range(n)]
    call_list = CallList.objects.create(sdr=org.alice, day=MORNING.date(), team=org.desk)
    for lead in leads:
        CallListEntry.objects.create(call_list=call_list, lead=lead, position=1, reason="rule")
    Activity.objects.create(
        lead=leads[0], sdr=org.alice, type="email", outcome="sent", started_at=at(1)
    )
    batch = [Touch(lead, org.alice, "email", "replied", at(1), notes="Re") for lead in leads]
    with CaptureQueriesContext(connection) as queries:
        log_activities(batch)
    # The savepoint and its release; the activities there already (locked), the new ones,
    # those updated; the stage changes and their audit events; the leads; the call-list
    # entries read and marked called; the stage entry times; the weeks marked.
    assert len(queries) == 12
    assert Activity.objects.filter(lead__in=leads).count() == n
