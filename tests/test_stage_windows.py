"""The like-with-like funnel and bottleneck of kpi-definitions.md ("Stages and the
bottleneck"): hand-built cases at the windows' edges, the tie and zero rules, and the app's
figures against a reference written here from the definition, in plain Python over the rows."""

import datetime
import random
import statistics
from fractions import Fraction

import pytest

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead
from metrics import kpis
from sdr_ops.models import Role, StaffingRecord, Team

from .factories import LeadFactory

D = datetime.date
H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
W47 = "2026-W47"  # Monday 2026-11-16 to Sunday 11-22, Asia/Seoul


@pytest.fixture
def week(org):
    return kpis.Week.parse(org.desk, W47)


def lead_created(org, when, owner=None):
    return LeadFactory(owner=owner or org.alice, created_at=when)


def touch(org, lead, when, outcome="no_answer"):
    return Activity.objects.create(
        lead=lead, sdr=lead.owner, type="call", outcome=outcome, started_at=when
    )


def step(figures, source):
    return next(s for s in figures["stage_conversion"] if s["from"] == source)


# -- the window's edges ------------------------------------------------------------------------


def test_exactly_the_window_counts_and_a_minute_past_it_does_not(org, week):
    created = week.start + datetime.timedelta(days=1, hours=9)
    on_the_edge = lead_created(org, created)
    touch(org, on_the_edge, created + 7 * DAY)  # exactly 7 days of 24 hours
    past_it = lead_created(org, created)
    touch(org, past_it, created + 7 * DAY + datetime.timedelta(minutes=1))
    lead_created(org, created)  # never touched
    figures = kpis.stages(week, today=D(2026, 12, 31))
    assert step(figures, "new") == {
        "from": "new",
        "to": "working",
        "entered": 3,
        "converted": 2,
        "rate": 0.6667,
        "window_days": 7,
        "converted_in_window": 1,
        "rate_in_window": 0.3333,
        "mature": True,
    }


def test_a_cohort_one_day_short_of_mature_is_too_early_to_tell(org, week):
    created = week.start + datetime.timedelta(hours=9)
    touch(org, lead_created(org, created), created + H)
    # week_end 11-22 + 7 days = 11-29: mature from 11-30 on.
    short = kpis.stages(week, today=D(2026, 11, 29))
    assert step(short, "new")["mature"] is False
    assert step(short, "new")["rate_in_window"] == 1.0  # reported, but not judged
    assert short["bottleneck"] is None
    ready = kpis.stages(week, today=D(2026, 11, 30))
    assert step(ready, "new")["mature"] is True
    assert ready["bottleneck"] == {"from": "new", "to": "working"}


def test_the_window_is_the_teams_setting(org, week):
    Team.objects.filter(pk=org.desk.pk).update(
        transition_windows={**org.desk.transition_windows, "new->working": 10}
    )
    org.desk.refresh_from_db()
    week = kpis.Week.parse(org.desk, W47)
    created = week.start + datetime.timedelta(hours=9)
    touch(org, lead_created(org, created), created + 9 * DAY)
    figures = kpis.stages(week, today=D(2026, 12, 2))  # 11-22 + 10 = 12-02: not yet
    assert step(figures, "new")["window_days"] == 10
    assert step(figures, "new")["converted_in_window"] == 1
    assert step(figures, "new")["mature"] is False
    assert step(kpis.stages(week, today=D(2026, 12, 3)), "new")["mature"] is True


def test_an_immature_step_cannot_be_the_bottleneck_however_low(org, week):
    # opportunity -> won (90 days) is the lowest rate, but only new -> working is mature.
    created = week.start + datetime.timedelta(hours=9)
    lead = lead_created(org, created)
    touch(org, lead, created + H)
    h = Handoff.objects.create(
        lead=lead,
        sdr=org.alice,
        ae=org.aaron,
        certainty="A",
        created_at=created + 2 * H,
        status="accepted",
        decided_at=created + 3 * H,
    )
    Opportunity.objects.create(handoff=h, amount_at_creation=10, created_at=created + 3 * H)
    figures = kpis.stages(week, today=D(2026, 12, 1))
    assert step(figures, "opportunity")["rate_in_window"] == 0.0
    assert step(figures, "opportunity")["mature"] is False
    assert figures["bottleneck"] == {"from": "new", "to": "working"}


# -- the tie and zero rules ----------------------------------------------------------------------


def F(n, d=1):
    return Fraction(n, d)


def test_no_history_anywhere_the_lowest_rate_wins():
    candidates = [("new", "working", F(1, 2), None), ("working", "connected", F(1, 3), None)]
    assert kpis.bottleneck_of(candidates) == {"from": "working", "to": "connected"}


def test_a_step_without_history_cannot_win_while_another_has_history():
    candidates = [("new", "working", F(0), None), ("working", "connected", F(9, 10), F(1, 2))]
    assert kpis.bottleneck_of(candidates) == {"from": "working", "to": "connected"}


def test_a_mean_of_zero_is_ratio_one_with_a_zero_rate_and_no_bottleneck_above_it():
    zero_zero = ("new", "working", F(0), F(0))
    above_zero = ("working", "connected", F(1, 2), F(0))
    slightly_down = ("connected", "handed_off", F(9, 10), F(1))
    fell = {"from": "connected", "to": "handed_off"}
    assert kpis.bottleneck_of([zero_zero, slightly_down]) == fell
    assert kpis.bottleneck_of([zero_zero, above_zero]) == {"from": "new", "to": "working"}
    assert kpis.bottleneck_of([above_zero]) is None  # the only step with history rose from 0


def test_ties_go_to_the_earlier_step():
    candidates = [("new", "working", F(1, 2), F(1)), ("working", "connected", F(1, 4), F(1, 2))]
    assert kpis.bottleneck_of(candidates) == {"from": "new", "to": "working"}


def test_nothing_mature_with_data_is_null():
    assert kpis.bottleneck_of([]) is None


def test_the_history_is_the_previous_mature_weeks_with_data(org, week):
    # W47: new -> working 1 of 2 in window. History: W45 2 of 2, W44 nothing (skipped),
    # W43 0 of 1. Mean (1 + 0) / 2 = 0.5, rate 0.5: ratio 1. working -> connected: rate 0,
    # W45's cohort of 2 working leads connected 1 in window: ratio 0, the bottleneck.
    def cohort(w, touched, connected=0, total=None):
        start = w.start + datetime.timedelta(hours=9)
        for n in range(total if total is not None else touched):
            lead = lead_created(org, start)
            if n < touched:
                touch(org, lead, start + H)
            if n < connected:
                touch(org, lead, start + 2 * H, outcome="connected")

    cohort(week, touched=1, total=2)
    cohort(week.shifted(-2), touched=2, connected=1)
    cohort(week.shifted(-4), touched=0, total=1)
    figures = kpis.stages(week, today=D(2027, 1, 31))
    assert step(figures, "new")["rate_in_window"] == 0.5
    assert figures["bottleneck"] == {"from": "working", "to": "connected"}


# -- against a reference from the definition ------------------------------------------------------

STEPS = list(zip(kpis.STAGES, kpis.STAGES[1:], strict=False))


def reference_entries(team: Team) -> list[tuple[datetime.datetime, dict]]:
    """Each lead owned by an SDR of the team on the day it entered a stage: its entry times,
    from the events, one Python loop per lead."""
    entries = []
    for lead in Lead.objects.all():
        acts = sorted(Activity.objects.filter(lead=lead), key=lambda a: a.started_at)
        connected = [a for a in acts if a.type == "call" and a.outcome == "connected"]
        handoffs = list(Handoff.objects.filter(lead=lead))
        accepted = sorted(h.decided_at for h in handoffs if h.status == "accepted")
        won = sorted(
            o.closed_at
            for o in Opportunity.objects.filter(handoff__lead=lead)
            if o.status == "won" and o.closed_at
        )
        entries.append(
            {
                "owner": lead.owner_id,
                "new": lead.created_at,
                "working": acts[0].started_at if acts else None,
                "connected": connected[0].started_at if connected else None,
                "handed_off": min((h.created_at for h in handoffs), default=None),
                "opportunity": accepted[0] if accepted else None,
                "won": won[0] if won else None,
            }
        )
    return entries


def on_team(records, person, day):
    return any(
        r.start_date <= day and (r.end_date is None or day <= r.end_date)
        for r in records
        if r.person_id == person
    )


def reference_stages(team: Team, label: str, today: datetime.date) -> dict:
    entries = reference_entries(team)
    zone = team.zone
    target_week = kpis.Week.parse(team, label)
    records = list(StaffingRecord.objects.filter(team=team, role=Role.SDR))

    def cohort_counts(week, source, target, window):
        n = k = j = 0
        for e in entries:
            at = e[source]
            if at is None or not (week.start <= at < week.stop):
                continue
            if not on_team(records, e["owner"], at.astimezone(zone).date()):
                continue
            n += 1
            if e[target] is not None:
                k += 1
                if e[target] <= at + datetime.timedelta(days=window):
                    j += 1
        return n, k, j

    conversion, scored, unscored, with_history = [], [], [], 0
    for source, target in STEPS:
        window = team.transition_windows[f"{source}->{target}"]
        n, k, j = cohort_counts(target_week, source, target, window)
        mature = target_week.end_date + datetime.timedelta(days=window) < today
        conversion.append(
            {
                "from": source,
                "to": target,
                "entered": n,
                "converted": k,
                "rate": round(k / n, 4) if n else None,
                "window_days": window,
                "converted_in_window": j,
                "rate_in_window": round(j / n, 4) if n else None,
                "mature": mature,
            }
        )
        if not (mature and n):
            continue
        history = []
        for back in range(1, kpis.STAGE_LOOKBACK + 1):
            earlier = target_week.shifted(-back)
            if earlier.end_date + datetime.timedelta(days=window) >= today:
                continue
            e, _k, c = cohort_counts(earlier, source, target, window)
            if e:
                history.append(Fraction(c, e))
            if len(history) == 8:
                break
        rate = Fraction(j, n)
        if not history:
            unscored.append((rate, source, target))
            continue
        with_history += 1
        mean = statistics.mean(history)
        if mean == 0:
            if rate == 0:
                scored.append((Fraction(1), source, target))
        else:
            scored.append((rate / mean, source, target))
    order = [s for s, _t in STEPS]
    pool = scored if with_history else unscored  # no history anywhere: the lowest rate
    if pool:
        best = min(pool, key=lambda x: (x[0], order.index(x[1])))
        bottleneck = {"from": best[1], "to": best[2]}
    else:
        bottleneck = None
    return {"stage_conversion": conversion, "bottleneck": bottleneck}


def random_history(org, weeks: int, seed: int) -> None:
    """A few leads a week over `weeks` weeks before W47, each going down the path some way,
    at random steps of hours to weeks; some owned by bob, who left on 11-10, and by carol of
    another team."""
    rng = random.Random(seed)
    StaffingRecord.objects.filter(person=org.bob).update(end_date=D(2026, 11, 10))
    end = kpis.Week.parse(org.desk, W47).stop
    start = end - datetime.timedelta(weeks=weeks)
    for _ in range(weeks * 4):
        owner = rng.choice([org.alice, org.alice, org.bob, org.carol])
        at = start + datetime.timedelta(minutes=rng.randrange(weeks * 7 * 24 * 60))
        lead = lead_created(org, at, owner=owner)
        path = rng.randrange(6)
        gaps = [datetime.timedelta(hours=rng.choice([1, 30, 24 * 7, 24 * 7 + 1, 24 * 20]))]
        for _ in range(5):
            gaps.append(datetime.timedelta(hours=rng.choice([2, 24 * 6, 24 * 7, 24 * 40])))
        if path >= 1:
            at += gaps[0]
            touch(org, lead, at)
        if path >= 2:
            at += gaps[1]
            touch(org, lead, at, outcome="connected")
        if path >= 3:
            at += gaps[2]
            rejected_first = rng.random() < 0.3
            h = Handoff.objects.create(
                lead=lead,
                sdr=owner,
                ae=org.aaron,
                certainty="B",
                created_at=at,
                status="rejected" if rejected_first or path == 3 else "accepted",
                decided_at=at + gaps[3],
                rejection_reason="no_need" if rejected_first or path == 3 else "",
            )
            if path >= 4 and not rejected_first:
                Opportunity.objects.create(
                    handoff=h,
                    amount_at_creation=100,
                    created_at=h.decided_at,
                    status="won" if path == 5 else "open",
                    amount_at_close=120 if path == 5 else None,
                    closed_at=h.decided_at + gaps[4] if path == 5 else None,
                )


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("today", [D(2026, 11, 30), D(2026, 12, 10), D(2027, 3, 1)])
def test_the_funnel_and_bottleneck_equal_the_reference(org, seed, today):
    random_history(org, weeks=14, seed=seed)
    got = kpis.stages(kpis.Week.parse(org.desk, W47), today=today)
    assert got == reference_stages(org.desk, W47, today)


def test_weeks_computed_together_keep_the_like_with_like_fields(org):
    random_history(org, weeks=10, seed=7)
    labels = [kpis.Week.parse(org.desk, W47).shifted(-b).label for b in range(3, -1, -1)]
    together = kpis.compute_weeks(org.desk, labels, today=D(2026, 12, 20))
    for label in labels:
        assert together[label] == kpis.compute_week(org.desk, label, today=D(2026, 12, 20))
        assert (
            together[label]["stage_conversion"]
            == reference_stages(org.desk, label, D(2026, 12, 20))["stage_conversion"]
        )
