"""Benchmark of the nightly call-list build on PostgreSQL (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench \
        .venv/bin/python bench/call_lists.py [--sdrs 500] [--leads 1000000]

It creates its own data in the database DATABASE_URL names (after migrating it; every table
of the app is emptied first, so never point it at real data), then:

1. builds every SDR's list for one day with the app's own `build_call_lists`, team by team;
2. fills the lists of a second day with one hand-written INSERT ... SELECT for the same
   default rules, written independently of the app's SQL generator;
3. prints both times and their ratio, and checks that both produced the same rows
   (SDR, lead, position, rule). It exits 1 if they differ.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdr_ops.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.data import empty_app_tables, insert_select, run  # noqa: E402
from handoffs.models import Handoff  # noqa: E402
from leads.domain import calllists  # noqa: E402
from leads.models import Account, Activity, CallList, CallListEntry, CallListRule, Lead  # noqa: E402
from sdr_ops import calendar  # noqa: E402
from sdr_ops.models import StaffingRecord, Team, User  # noqa: E402

TEAMS = 5
DAY = datetime.date(2026, 12, 1)
CHECK_DAY = datetime.date(2026, 12, 2)


def generate(sdrs: int, leads: int) -> None:
    """Deterministic data: users, teams, staffing, accounts, leads, activities, handoffs."""
    print(f"generating {sdrs} SDRs, {leads:,} leads ...", flush=True)
    started = time.monotonic()
    empty_app_tables()
    p = {"teams": TEAMS, "sdrs": sdrs, "leads": leads, "accounts": max(leads // 20, 1)}
    insert_select(
        Team,
        {"slug": "'team-' || t", "name": "'Team ' || t", "time_zone": "'Asia/Seoul'"},
        "FROM generate_series(1, %(teams)s) t",
        p,
    )
    insert_select(
        User,
        {
            "password": "'!'",
            "first_name": "'SDR'",
            "last_name": "s::text",
            "email": "'sdr' || s || '@bench.test'",
            "role": "'sdr'",
        },
        "FROM generate_series(1, %(sdrs)s) s",
        p,
    )
    insert_select(
        User,
        {
            "password": "'!'",
            "first_name": "'AE'",
            "last_name": "'Bench'",
            "role": "'ae'",
            "email": "'ae@bench.test'",
        },
        "",
    )
    insert_select(
        StaffingRecord,
        {
            "person_id": "u.id",
            "team_id": "1 + (u.id - 1) %% %(teams)s",
            "role": "'sdr'",
            "start_date": "DATE '2025-01-01'",
            "reason": "'hired'",
        },
        "FROM sdr_ops_user u WHERE u.role = 'sdr'",
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
            "do_not_call": "i %% 97 = 0",
            "stage": """CASE WHEN i %% 41 = 0 THEN 'disqualified' WHEN i %% 3 = 0 THEN 'new'
                WHEN i %% 7 = 0 THEN 'connected' ELSE 'working' END""",
            "created_at": """TIMESTAMPTZ '2026-11-30 09:00+09'
                - ((i::bigint * 7919) %% 180) * INTERVAL '1 day'
                - (i %% 600) * INTERVAL '1 minute'""",
            "callback_at": """CASE WHEN i %% 53 = 0
                THEN TIMESTAMPTZ '2026-12-01 09:00+09' + (i %% 480) * INTERVAL '1 minute' END""",
        },
        "FROM generate_series(1, %(leads)s) i",
        p,
    )
    # Leads not in stage "new" have been touched: one call, and a second for some; a few
    # were touched on the list's day itself.
    touch = {
        "lead_id": "l.id",
        "sdr_id": "l.owner_id",
        "type": "'call'",
        "outcome": "'no_answer'",
        "started_at": "l.created_at + ((l.id %% 20) + 1) * INTERVAL '1 day'",
        "duration_seconds": "30",
    }
    insert_select(Activity, touch, "FROM leads_lead l WHERE l.stage <> 'new'")
    insert_select(
        Activity,
        {
            **touch,
            "type": "CASE WHEN l.id %% 2 = 0 THEN 'call' ELSE 'email' END",
            "started_at": """CASE WHEN l.id %% 89 = 0 THEN TIMESTAMPTZ '2026-12-01 10:00+09'
                ELSE l.created_at + ((l.id %% 9) + 22) * INTERVAL '1 day' END""",
        },
        "FROM leads_lead l WHERE l.stage <> 'new' AND l.id %% 4 = 0",
    )
    insert_select(
        Handoff,
        {
            "lead_id": "l.id",
            "sdr_id": "l.owner_id",
            "ae_id": "(SELECT id FROM sdr_ops_user WHERE role = 'ae')",
            "created_at": "l.created_at + INTERVAL '3 days'",
            "certainty": "'B'",
            "checklist": "'[]'",
            "status": "'pending'",
        },
        "FROM leads_lead l WHERE l.stage = 'connected' AND l.id %% 11 = 0",
    )
    run("ANALYZE")
    print(f"  generated in {time.monotonic() - started:.1f} s", flush=True)


# The entries' values, put into leads_calllistentry by `insert_select` (so the statement names
# only what it computes: list, lead, position, reason).
HAND_WRITTEN = """
WITH sdrs AS (
    SELECT DISTINCT s.person_id FROM sdr_ops_staffingrecord s
    WHERE s.role = 'sdr' AND s.start_date <= %(day)s
      AND (s.end_date IS NULL OR s.end_date >= %(day)s)
),
t AS (
    SELECT a.lead_id, max(a.started_at) AS last_touch,
           count(*) FILTER (WHERE a.type = 'call') AS attempts,
           bool_or(a.started_at >= %(start)s AND a.started_at < %(end)s) AS touched
    FROM leads_activity a GROUP BY a.lead_id
),
e AS (
    SELECT l.id, l.owner_id, l.stage, l.source, l.created_at, l.callback_at, acc.segment,
           t.last_touch,
           (l.callback_at IS NOT NULL AND l.callback_at < %(end)s) AS c1,
           (t.last_touch IS NULL AND l.source = 'inbound') AS c2,
           (acc.segment = 'enterprise' AND l.stage = 'working') AS c3,
           (t.last_touch IS NOT NULL AND t.last_touch < %(quiet)s) AS c4
    FROM leads_lead l
    JOIN leads_account acc ON acc.id = l.account_id
    LEFT JOIN t ON t.lead_id = l.id
    WHERE l.owner_id IN (SELECT person_id FROM sdrs)
      AND NOT l.do_not_call
      AND l.stage NOT IN ('disqualified', 'handed_off', 'opportunity', 'won')
      AND NOT coalesce(t.touched, false)
      AND NOT EXISTS (SELECT 1 FROM handoffs_handoff h
                      WHERE h.lead_id = l.id AND h.status = 'pending')
),
picked AS (
    SELECT * FROM (SELECT owner_id, id, 1 AS rp, row_number() OVER (
        PARTITION BY owner_id ORDER BY callback_at, id) AS rn FROM e WHERE c1) r1 WHERE rn <= 30
    UNION ALL
    SELECT * FROM (SELECT owner_id, id, 2 AS rp, row_number() OVER (
        PARTITION BY owner_id ORDER BY created_at DESC, id DESC)
        AS rn FROM e WHERE c2 AND NOT c1) r2 WHERE rn <= 20
    UNION ALL
    SELECT * FROM (SELECT owner_id, id, 3 AS rp, row_number() OVER (
        PARTITION BY owner_id ORDER BY coalesce(last_touch, created_at), id) AS rn FROM e
        WHERE c3 AND NOT c1 AND NOT c2) r3 WHERE rn <= 15
    UNION ALL
    SELECT * FROM (SELECT owner_id, id, 4 AS rp, row_number() OVER (
        PARTITION BY owner_id ORDER BY coalesce(last_touch, created_at), id) AS rn FROM e
        WHERE c4 AND NOT c1 AND NOT c2 AND NOT c3) r4 WHERE rn <= 15
),
placed AS (
    SELECT owner_id, id, rp,
           row_number() OVER (PARTITION BY owner_id ORDER BY rp, rn) AS position
    FROM picked
)
SELECT cl.id AS call_list_id, p.id AS lead_id, p.position, 'rule ' || p.rp AS reason
FROM placed p JOIN leads_calllist cl ON cl.sdr_id = p.owner_id AND cl.day = %(into)s
WHERE p.position <= 60
"""


def build_with_app() -> float:
    teams = list(Team.objects.order_by("pk"))
    started = time.monotonic()
    calllists.build_many(teams, DAY)  # what the nightly job does for teams due together
    return time.monotonic() - started


def build_by_hand() -> float:
    # The same day's view of the data (touches, callbacks, quiet leads) as the app's build,
    # written into a second day's lists so that both row sets can be compared.
    team = Team.objects.order_by("pk").first()
    start, end = calendar.day_bounds(DAY, team.zone)
    run(
        "DELETE FROM leads_calllistentry WHERE call_list_id IN "
        "(SELECT id FROM leads_calllist WHERE day = %s)",
        [CHECK_DAY],
    )
    run("DELETE FROM leads_calllist WHERE day = %s", [CHECK_DAY])
    insert_select(
        CallList,
        {"sdr_id": "s.person_id", "team_id": "s.team_id", "day": "%(day)s"},
        "FROM sdr_ops_staffingrecord s WHERE s.role = 'sdr'",
        {"day": CHECK_DAY},
    )
    started = time.monotonic()
    insert_select(
        CallListEntry,
        {c: f"x.{c}" for c in ("call_list_id", "lead_id", "position", "reason")},
        f"FROM ({HAND_WRITTEN}) x",
        {
            "day": DAY,
            "into": CHECK_DAY,
            "start": start,
            "end": end,
            "quiet": start - datetime.timedelta(days=7),
        },
    )
    return time.monotonic() - started


def rows_of(day: datetime.date, by_rule_name: bool) -> list[tuple]:
    rule_of = {}
    if by_rule_name:
        for rule in CallListRule.objects.all():
            rule_of[rule.name] = f"rule {rule.position}"
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT cl.sdr_id, e.lead_id, e.position, e.reason
                          FROM leads_calllistentry e
                          JOIN leads_calllist cl ON cl.id = e.call_list_id
                          WHERE cl.day = %s ORDER BY 1, 3""",
            [day],
        )
        return [(s, lead, pos, rule_of.get(reason, reason)) for s, lead, pos, reason in cursor]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdrs", type=int, default=500)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    call_command("migrate", verbosity=0)
    if not args.skip_generate:
        generate(args.sdrs, args.leads)
    # The app: first build creates the default rules; the timed build is a rebuild of the
    # same day, as the nightly job would do on a re-run, then a fresh day.
    build_with_app()
    run("DELETE FROM leads_calllistentry")
    run("DELETE FROM leads_calllist")
    run("VACUUM ANALYZE leads_calllistentry")
    app = build_with_app()
    hand = build_by_hand()
    app_rows, hand_rows = rows_of(DAY, True), rows_of(CHECK_DAY, False)
    same = app_rows == hand_rows
    lists = CallList.objects.filter(day=DAY).count()
    print(f"lists: {lists}, entries: {len(app_rows):,}")
    print(f"app build_call_lists (all teams): {app:.2f} s")
    print(f"hand-written INSERT ... SELECT:   {hand:.2f} s")
    print(f"ratio app / hand-written:         {app / hand:.2f}")
    print(f"same rows: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
