"""Benchmark of one team-week of KPIs on PostgreSQL (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench \
        .venv/bin/python bench/kpis.py [--leads 1000000] [--handoffs 200000] [--skip-generate]

It creates its own data in the database DATABASE_URL names (after migrating it; every table
of the app is emptied first, so never point it at real data): 5 SDR teams, 500 SDRs with
joins, moves between teams and leavers, 1,000,000 leads over 30 weeks with their activities,
200,000 handoffs (accepted, rejected and pending) and the opportunities of the accepted ones.

Then, for one team and one week, it times the app's `compute_week` (what `manage.py kpis` and
the API run) against `HAND_WRITTEN`: the same figures written directly in SQL, independently
of the app's queries, with only the last arithmetic (ratios, the bottleneck) in Python. After
a warm-up each runs five times, the two in turn; the median is reported. Both must give the
same object; the script exits 1 if they differ.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdr_ops.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench.data import empty_app_tables, insert_select, run  # noqa: E402
from handoffs.models import Handoff, Opportunity  # noqa: E402
from leads.models import Account, Activity, Lead  # noqa: E402
from metrics import kpis, rollups, stage_entries  # noqa: E402
from sdr_ops.models import StaffingRecord, Team, User  # noqa: E402

TEAMS = 5
SDRS = 500
AES = 50
WEEK = "2026-W46"
RUNS = 5


def generate(leads: int, handoffs: int) -> None:
    print(f"generating {leads:,} leads and {handoffs:,} handoffs ...", flush=True)
    started = time.monotonic()
    empty_app_tables()
    p = {
        "teams": TEAMS,
        "sdrs": SDRS,
        "aes": AES,
        "leads": leads,
        "handoffs": handoffs,
        "accounts": max(leads // 20, 1),
    }
    insert_select(
        Team,
        {
            "slug": "'team-' || t",
            "name": "'Team ' || t",
            "time_zone": "'Asia/Seoul'",
            "ramp_factors": "'[0.0, 0.5]'",
            "ratio_band_low": "0.70",
            "ratio_band_high": "0.80",
        },
        "FROM generate_series(1, %(teams)s) t",
        p,
    )
    for role, count in (("sdr", "sdrs"), ("ae", "aes")):
        insert_select(
            User,
            {
                "password": "'!'",
                "first_name": f"'{role.upper()}'",
                "last_name": "s::text",
                "email": f"'{role}' || s || '@bench.test'",
                "role": f"'{role}'",
            },
            f"FROM generate_series(1, %({count})s) s",
            p,
        )
    # Staffing: most SDRs since 2025; every 7th joined in the autumn (ramping); every 50th
    # moved to the next team on 2026-10-01; every 60th left on 2026-11-11.
    insert_select(
        StaffingRecord,
        {
            "person_id": "u.id",
            "team_id": "1 + (u.id - 1) %% %(teams)s",
            "role": "'sdr'",
            "start_date": """CASE WHEN u.id %% 7 = 0 AND u.id %% 50 <> 0
                THEN DATE '2026-09-01' + (u.id %% 60)::int ELSE DATE '2025-01-01' END""",
            "end_date": """CASE WHEN u.id %% 50 = 0 THEN DATE '2026-09-30'
                WHEN u.id %% 60 = 0 THEN DATE '2026-11-11' END""",
            "reason": "'hired'",
        },
        "FROM sdr_ops_user u WHERE u.role = 'sdr'",
        p,
    )
    insert_select(
        StaffingRecord,
        {
            "person_id": "u.id",
            "team_id": "1 + u.id %% %(teams)s",
            "role": "'sdr'",
            "start_date": "DATE '2026-10-01'",
            "reason": "'moved'",
        },
        "FROM sdr_ops_user u WHERE u.role = 'sdr' AND u.id %% 50 = 0",
        p,
    )
    insert_select(
        Account,
        {
            "name": "'Account ' || a",
            "segment": """CASE a %% 10 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'enterprise'
                WHEN 2 THEN 'mid_market' WHEN 3 THEN 'mid_market' WHEN 4 THEN 'mid_market'
                ELSE 'smb' END""",
            "size": "50",
            "industry": "'Bench'",
        },
        "FROM generate_series(1, %(accounts)s) a",
        p,
    )
    # Leads over the 30 weeks up to 2026-11-29, owned round robin by the SDRs.
    insert_select(
        Lead,
        {
            "account_id": "1 + (i * 7) %% %(accounts)s",
            "first_name": "'Lead'",
            "last_name": "i::text",
            "email": "'l' || i || '@x.test'",
            "source": """CASE i %% 5 WHEN 0 THEN 'inbound' WHEN 1 THEN 'outbound'
                WHEN 2 THEN 'event' WHEN 3 THEN 'referral' ELSE 'inbound' END""",
            "owner_id": "1 + i %% %(sdrs)s",
            "do_not_call": "false",
            "stage": "'working'",
            "created_at": """TIMESTAMPTZ '2026-11-29 18:00+09'
                - ((i::bigint * 7919) %% 210) * INTERVAL '1 day'
                - (i %% 540) * INTERVAL '1 minute'""",
        },
        "FROM generate_series(1, %(leads)s) i",
        p,
    )
    # 70 % touched once (a call or an e-mail), 30 % with a connected call after that.
    touch = {"lead_id": "l.id", "sdr_id": "l.owner_id"}
    insert_select(
        Activity,
        {
            **touch,
            "type": "CASE WHEN l.id %% 3 = 0 THEN 'email' ELSE 'call' END",
            "outcome": "'no_answer'",
            "started_at": "l.created_at + (l.id %% 50) * INTERVAL '1 hour'",
            "duration_seconds": "30",
        },
        "FROM leads_lead l WHERE l.id %% 10 < 7",
    )
    insert_select(
        Activity,
        {
            **touch,
            "type": "'call'",
            "outcome": "'connected'",
            "started_at": "l.created_at + (50 + l.id %% 70) * INTERVAL '1 hour'",
            "duration_seconds": "240",
        },
        "FROM leads_lead l WHERE l.id %% 10 < 3",
    )
    # Handoffs: the connected leads, then as many more as asked for; 65 % accepted,
    # 25 % rejected, 10 % pending.
    insert_select(
        Handoff,
        {
            "lead_id": "l.id",
            "sdr_id": "l.owner_id",
            "ae_id": "%(sdrs)s + 1 + l.id %% %(aes)s",
            "created_at": "l.created_at + INTERVAL '6 days'",
            "certainty": "CASE l.id %% 3 WHEN 0 THEN 'A' WHEN 1 THEN 'B' ELSE 'C' END",
            "checklist": "'[]'",
            "status": """CASE WHEN l.id / 5 %% 20 < 13 THEN 'accepted'
                WHEN l.id / 5 %% 20 < 18 THEN 'rejected' ELSE 'pending' END""",
            "decided_at": "CASE WHEN l.id / 5 %% 20 < 18 THEN l.created_at + INTERVAL '8 days' END",
            "rejection_reason": """CASE WHEN l.id / 5 %% 20 BETWEEN 13 AND 17
                THEN 'not_ready' ELSE '' END""",
        },
        "FROM leads_lead l WHERE l.id %% 5 = 0 AND l.id <= %(handoffs)s * 5",
        p,
    )
    created = "1000000 + (h.id %% 50) * 100000"
    insert_select(
        Opportunity,
        {
            "handoff_id": "h.id",
            "amount_at_creation": created,
            "amount": "NULL",
            "created_at": "h.decided_at",
            "status": """CASE WHEN h.id %% 10 < 3 THEN 'won' WHEN h.id %% 10 < 5 THEN 'lost'
                ELSE 'open' END""",
            "amount_at_close": f"""CASE WHEN h.id %% 10 < 5
                THEN ({created}) * (0.8 + (h.id %% 5) * 0.1) END""",
            "closed_at": "CASE WHEN h.id %% 10 < 5 THEN h.decided_at + INTERVAL '20 days' END",
        },
        "FROM handoffs_handoff h WHERE h.status = 'accepted'",
    )
    run("VACUUM ANALYZE")
    print(f"  generated in {time.monotonic() - started:.1f} s", flush=True)


ON_TEAM = """EXISTS (SELECT 1 FROM sdr_ops_staffingrecord s
    WHERE s.person_id = {person} AND s.team_id = %(team)s AND s.role = 'sdr'
      AND s.start_date <= ({moment} AT TIME ZONE %(zone)s)::date
      AND (s.end_date IS NULL OR s.end_date >= ({moment} AT TIME ZONE %(zone)s)::date))"""

HAND_WRITTEN = {
    "people": """
        WITH recs AS (
            SELECT person_id, team_id, start_date, end_date,
                   max(coalesce(end_date, 'infinity'::date)) OVER (
                       PARTITION BY person_id ORDER BY start_date
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
            FROM sdr_ops_staffingrecord WHERE role = 'sdr'
        ), islands AS (
            SELECT *, sum(CASE WHEN prev_end IS NOT NULL AND start_date <= prev_end + 1
                               THEN 0 ELSE 1 END)
                      OVER (PARTITION BY person_id ORDER BY start_date) AS island
            FROM recs
        ), served AS (
            SELECT *, min(start_date) OVER (PARTITION BY person_id, island) AS service_start
            FROM islands
        )
        SELECT count(*),
               coalesce(sum(coalesce((t.ramp_factors ->> (
                   ((extract(year FROM %(sunday)s::date) - extract(year FROM service_start)) * 12
                    + extract(month FROM %(sunday)s::date) - extract(month FROM service_start)
                    - CASE WHEN extract(day FROM %(sunday)s::date) < extract(day FROM service_start)
                           THEN 1 ELSE 0 END)::int))::numeric, 1.0)), 0)
        FROM served JOIN sdr_ops_team t ON t.id = served.team_id
        WHERE served.team_id = %(team)s AND start_date <= %(sunday)s
          AND (end_date IS NULL OR end_date >= %(sunday)s)""",
    "activities": """
        SELECT count(*) FILTER (WHERE a.type = 'call'),
               count(*) FILTER (WHERE a.type = 'call' AND a.outcome = 'connected'),
               count(*) FILTER (WHERE a.type = 'email')
        FROM leads_activity a
        WHERE a.started_at >= %(start)s AND a.started_at < %(stop)s AND """
    + ON_TEAM.format(person="a.sdr_id", moment="a.started_at"),
    "speed": """
        SELECT percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM f.first - l.created_at) / 3600)
                   FILTER (WHERE f.first IS NOT NULL),
               count(*) FILTER (WHERE f.first IS NULL)
        FROM leads_lead l
        LEFT JOIN LATERAL (SELECT min(a.started_at) AS first FROM leads_activity a
                           WHERE a.lead_id = l.id) f ON true
        WHERE l.source = 'inbound' AND l.created_at >= %(start)s AND l.created_at < %(stop)s
          AND """
    + ON_TEAM.format(person="l.owner_id", moment="l.created_at"),
    # The handoff counts of the week and of the 25 before it (for the pipeline), by week.
    "handoffs": """
        SELECT floor(extract(epoch FROM h.created_at - %(pipe_start)s) / 604800)::int AS wk,
               count(*), count(*) FILTER (WHERE h.status = 'accepted'),
               count(*) FILTER (WHERE h.status = 'rejected'),
               count(*) FILTER (WHERE h.status = 'pending')
        FROM handoffs_handoff h
        WHERE h.created_at >= %(pipe_start)s AND h.created_at < %(stop)s AND """
    + ON_TEAM.format(person="h.sdr_id", moment="h.created_at")
    + " GROUP BY 1",
    "pending": """
        SELECT count(*) FROM handoffs_handoff h WHERE h.status = 'pending' AND """
    + ON_TEAM.format(person="h.sdr_id", moment="h.created_at"),
    "created_amounts": """
        SELECT floor(extract(epoch FROM o.created_at - %(pipe_start)s) / 604800)::int AS wk,
               count(*), sum(o.amount_at_creation)
        FROM handoffs_opportunity o JOIN handoffs_handoff h ON h.id = o.handoff_id
        WHERE o.created_at >= %(pipe_start)s AND o.created_at < %(stop)s AND """
    + ON_TEAM.format(person="h.sdr_id", moment="h.created_at")
    + " GROUP BY 1",
    "won": """
        SELECT count(*), sum(o.amount_at_creation), sum(o.amount_at_close),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY
                   (o.amount_at_close - o.amount_at_creation) / o.amount_at_creation)
                   FILTER (WHERE o.amount_at_creation <> 0)
        FROM handoffs_opportunity o JOIN handoffs_handoff h ON h.id = o.handoff_id
        WHERE o.status = 'won' AND o.closed_at >= %(start)s AND o.closed_at < %(stop)s AND """
    + ON_TEAM.format(person="h.sdr_id", moment="h.created_at"),
    # Stage entries of the leads owned by the team's SDRs that entered some stage in the 17
    # weeks (created, touched, handed off, accepted or won in them), derived from the events,
    # then for each step and each week the leads that entered the step's first stage (owner
    # on the team that day), how many of them reached the next, and how many within the
    # step's window.
    "stages": """
        WITH moved AS (
            SELECT id FROM leads_lead
            WHERE created_at >= %(hist_start)s AND created_at < %(stop)s
            UNION SELECT lead_id FROM leads_activity
            WHERE started_at >= %(hist_start)s AND started_at < %(stop)s
            UNION SELECT lead_id FROM handoffs_handoff
            WHERE created_at >= %(hist_start)s AND created_at < %(stop)s
               OR (status = 'accepted' AND decided_at >= %(hist_start)s
                   AND decided_at < %(stop)s)
            UNION SELECT h.lead_id FROM handoffs_opportunity o
            JOIN handoffs_handoff h ON h.id = o.handoff_id
            WHERE o.status = 'won' AND o.closed_at >= %(hist_start)s AND o.closed_at < %(stop)s
        ), tl AS (
            SELECT l.id, l.owner_id, l.created_at FROM leads_lead l JOIN moved ON moved.id = l.id
            WHERE l.owner_id IN (SELECT person_id FROM sdr_ops_staffingrecord
                                 WHERE team_id = %(team)s AND role = 'sdr')
        ), a AS (
            SELECT a.lead_id, min(a.started_at) AS working,
                   min(a.started_at) FILTER (WHERE a.type = 'call'
                                               AND a.outcome = 'connected') AS connected
            FROM leads_activity a JOIN tl ON tl.id = a.lead_id GROUP BY a.lead_id
        ), h AS (
            SELECT h.lead_id, min(h.created_at) AS handed_off,
                   min(h.decided_at) FILTER (WHERE h.status = 'accepted') AS opportunity
            FROM handoffs_handoff h JOIN tl ON tl.id = h.lead_id GROUP BY h.lead_id
        ), w AS (
            SELECT h.lead_id, min(o.closed_at) AS won
            FROM handoffs_opportunity o JOIN handoffs_handoff h ON h.id = o.handoff_id
            JOIN tl ON tl.id = h.lead_id WHERE o.status = 'won' GROUP BY h.lead_id
        ), t AS (
            SELECT tl.owner_id, x.step, x.entered_at, x.reached, x.window_days
            FROM tl LEFT JOIN a ON a.lead_id = tl.id LEFT JOIN h ON h.lead_id = tl.id
            LEFT JOIN w ON w.lead_id = tl.id
            CROSS JOIN LATERAL (VALUES (0, tl.created_at, a.working, %(w0)s),
                                       (1, a.working, a.connected, %(w1)s),
                                       (2, a.connected, h.handed_off, %(w2)s),
                                       (3, h.handed_off, h.opportunity, %(w3)s),
                                       (4, h.opportunity, w.won, %(w4)s))
                                x(step, entered_at, reached, window_days)
            WHERE x.entered_at >= %(hist_start)s AND x.entered_at < %(stop)s
        )
        SELECT step, floor(extract(epoch FROM entered_at - %(hist_start)s) / 604800)::int,
               count(*), count(reached),
               count(*) FILTER (WHERE reached <= entered_at + make_interval(days => window_days))
        FROM t WHERE """
    + ON_TEAM.format(person="t.owner_id", moment="t.entered_at")
    + " GROUP BY 1, 2",
}


def fetch(name: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(HAND_WRITTEN[name], params)
        return cursor.fetchall()


STEPS = list(zip(kpis.STAGES, kpis.STAGES[1:], strict=False))


def compute_by_hand(team: Team, label: str) -> dict:
    """The same object as kpis.compute_week, from HAND_WRITTEN and a little arithmetic."""
    week = kpis.Week.parse(team, label)
    today = team.local_today()
    p = {
        "team": team.pk,
        "zone": team.time_zone,
        "sunday": week.end_date,
        "start": week.start,
        "stop": week.stop,
        "hist_start": week.shifted(-kpis.STAGE_LOOKBACK).start,
        **{
            f"w{n}": kpis.window_days(team, source, target)
            for n, (source, target) in enumerate(STEPS)
        },
        "pipe_start": week.shifted(-25).start,
    }
    heads, productive = fetch("people", p)[0]
    calls, connects, emails = fetch("activities", p)[0]
    median, untouched = fetch("speed", p)[0]
    by_week = {wk: counts for wk, *counts in fetch("handoffs", p)}
    created, accepted, rejected, pending_created = by_week.get(25, (0, 0, 0, 0))
    ratio = accepted / (accepted + rejected) if accepted + rejected else None
    won, won_created, won_closed, median_drift = fetch("won", p)[0]
    steps = {(step, wk): (n, k, j) for step, wk, n, k, j in fetch("stages", p)}
    back = kpis.STAGE_LOOKBACK  # the week itself is number `back` in the span
    conversion, candidates = [], []
    for step, (source, target) in enumerate(STEPS):
        window = p[f"w{step}"]

        def mature(wk, window=window):
            sunday = week.end_date - datetime.timedelta(weeks=back - wk)
            return sunday + datetime.timedelta(days=window) < today

        n, k, j = steps.get((step, back), (0, 0, 0))
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
                "mature": mature(back),
            }
        )
        if not (n and mature(back)):
            continue
        past = [
            Fraction(jj, nn)
            for wk in range(back - 1, -1, -1)
            for nn, _kk, jj in [steps.get((step, wk), (0, 0, 0))]
            if nn and mature(wk)
        ][:8]
        mean = sum(past, Fraction(0)) / len(past) if past else None
        candidates.append((step, source, target, Fraction(j, n), mean))
    bottleneck = None
    if any(c[4] is not None for c in candidates):
        scored = [
            (Fraction(1) if c[3] == 0 else None, c[0], c) if c[4] == 0 else (c[3] / c[4], c[0], c)
            for c in candidates
            if c[4] is not None
        ]
        scored = [s for s in scored if s[0] is not None]
        if scored:
            best = min(scored)[2]
            bottleneck = {"from": best[1], "to": best[2]}
    elif candidates:
        best = min(candidates, key=lambda c: (c[3], c[0]))
        bottleneck = {"from": best[1], "to": best[2]}
    ratios = []
    for wk in range(25, -1, -1):
        _c, acc, rej, _p = by_week.get(wk, (0, 0, 0, 0))
        if acc + rej:
            ratios.append((wk, round(acc / (acc + rej), 4)))
        if len(ratios) == 4:
            break
    pending = fetch("pending", p)[0][0]
    expected = expected_amount = None
    if ratios:
        expected = pending * statistics.mean(r for _wk, r in ratios)
        amounts = {wk: (n, total) for wk, n, total in fetch("created_amounts", p)}
        n = sum(amounts.get(wk, (0, 0))[0] for wk, _r in ratios)
        total = sum(amounts.get(wk, (0, 0))[1] for wk, _r in ratios)
        if n:
            expected_amount = round(float(Decimal(str(expected)) * (total / n)), 2)
        expected = round(expected, 4)
    drift = (won_closed - won_created) if won else None
    return {
        "team": team.slug,
        "week": week.label,
        "week_start": week.monday.isoformat(),
        "week_end": week.end_date.isoformat(),
        "headcount": heads,
        "productive_headcount": round(float(productive), 4),
        "calls": calls,
        "connects": connects,
        "emails": emails,
        "speed_to_lead_median_hours": round(median, 4) if median is not None else None,
        "inbound_untouched": untouched,
        "handoffs_created": created,
        "handoffs_accepted": accepted,
        "handoffs_rejected": rejected,
        "handoffs_pending": pending_created,
        "handoff_to_opportunity_ratio": round(ratio, 4) if ratio is not None else None,
        "dead_ratio": round(1 - ratio, 4) if ratio is not None else None,
        "ratio_status": kpis.ratio_status(ratio, team),
        "opportunities_won": won,
        "amount_at_creation_won": won_created or 0,
        "amount_won": won_closed or 0,
        "amount_drift": drift or 0,
        "amount_drift_pct": round(float(drift / won_created), 4) if won else None,
        "median_drift_pct": round(median_drift, 4) if median_drift is not None else None,
        "stage_conversion": conversion,
        "bottleneck": bottleneck,
        "pending_handoffs": pending,
        "expected_opportunities": expected,
        "expected_amount": expected_amount,
    }


def normalised(figures: dict) -> str:
    def number(value):
        if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
            return round(float(value), 4)
        return value

    return json.dumps({k: number(v) for k, v in figures.items()}, sort_keys=False, default=str)


def timed_in_turn(*fns, args=()) -> list[tuple[float, dict]]:
    """Each function once as a warm-up, then RUNS rounds running each in turn (so that a
    change of the machine's load falls on both alike): the median time and last result."""
    for fn in fns:
        fn(*args)
    times: list[list[float]] = [[] for _ in fns]
    results: list[dict] = [{} for _ in fns]
    for _ in range(RUNS):
        for n, fn in enumerate(fns):
            started = time.monotonic()
            results[n] = fn(*args)
            times[n].append(time.monotonic() - started)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--handoffs", type=int, default=200_000)
    parser.add_argument("--week", default=WEEK)
    parser.add_argument("--team", default="team-1")
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--recompute", action="store_true", help="also time recomputing 26 weeks of every team"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        generate(args.leads, args.handoffs)
        # The data is written in bulk, as a history import would: each lead's stage entry
        # times are then written in one statement (what the migration's backfill runs).
        started = time.monotonic()
        with transaction.atomic():
            stage_entries.refresh_all()
        print(f"stage entry times of every lead: {time.monotonic() - started:.1f} s", flush=True)
    team = Team.objects.get(slug=args.team)
    load = os.getloadavg()
    (app_time, app), (hand_time, hand) = timed_in_turn(
        kpis.compute_week, compute_by_hand, args=(team, args.week)
    )
    same = normalised(app) == normalised(hand)
    print(json.dumps(app, indent=1, default=str))
    print(f"app compute_week ({team.slug} {args.week}): {app_time:.2f} s (median of {RUNS})")
    print(f"hand-written SQL:                 {hand_time:.2f} s")
    print(f"ratio app / hand-written:         {app_time / hand_time:.2f}")
    print(f"same figures: {'yes' if same else 'NO'}")
    print(f"load average before / after: {load[0]:.2f} / {os.getloadavg()[0]:.2f}")
    if not same:
        print("hand:", normalised(hand))
        print("app: ", normalised(app))
    if args.recompute:
        # After a bulk import every stored week is recomputed: 26 weeks of each team.
        last = kpis.Week.parse(team, args.week)
        labels = [last.shifted(-b).label for b in range(25, -1, -1)]
        started = time.monotonic()
        written = sum(
            rollups.store_weeks(t, labels) for t in Team.objects.filter(kind=Team.Kind.SDR)
        )
        took = time.monotonic() - started
        print(f"recomputed {written} team-weeks (26 weeks of each team): {took:.1f} s")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
