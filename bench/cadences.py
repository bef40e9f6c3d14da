"""Benchmark of cadences at scale on PostgreSQL (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench \
        .venv/bin/python bench/cadences.py [--sdrs 500] [--leads 1000000] [--enrollments 200000]

It builds the data of `bench/call_lists.py` (every table of the app is emptied first: never
point it at real data), gives each team a three-step cadence (call, e-mail, task) and enrols
`--enrollments` leads whose first step (the call) is due on the list's day, then times:

1. the nightly build of every list with the cadence steps in it (the app's one statement),
   against the same build without the cadence source: the cost the cadences add;
2. advancing every due enrollment for a day with `advance_due`, after half the enrolled
   leads were called on the day: their call steps are done and they move to the e-mail step.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import transaction  # noqa: E402

import bench.call_lists as base  # noqa: E402 - sets Django up
from bench.data import insert_select, run  # noqa: E402
from cadences import domain  # noqa: E402
from cadences.models import Cadence, CadenceVersion, Enrollment, StepRun  # noqa: E402
from leads.domain import calllists  # noqa: E402
from leads.models import Activity, CallListEntry, QualificationAnswer  # noqa: E402
from sdr_ops.models import Team, User  # noqa: E402

DAY = base.DAY
DUE = "TIMESTAMPTZ '2026-12-01 09:00+09'"


def make_cadences() -> None:
    manager = User.objects.create(email="manager@bench.test", role="manager", password="!")
    for team in Team.objects.order_by("pk"):
        cadence = domain.create_cadence(team, name="Bench intro", by=manager)
        domain.save_steps(
            cadence,
            [
                domain.StepData(type="call", aims_at=["timing", "approval_process"]),
                domain.StepData(
                    type="email",
                    offset_days=2,
                    variants=[domain.VariantData(subject="Hi {{ first_name }}", body="Hello")],
                ),
                domain.StepData(type="task", offset_days=3),
            ],
            by=manager,
        )
        # Only previewed e-mail runs: the manager previews it with a lead, as in the editor
        # (a team without SDRs has no lead, and nothing to enrol: its cadence stays a draft).
        lead = domain.pick_lead(team)
        if lead is None:
            continue
        domain.preview_current(cadence, lead=lead, by=manager)
        domain.set_status(cadence, Cadence.Status.ACTIVE, by=manager)


def enrol(
    enrollments: int,
    *,
    steps: int = 3,
    next_due: str = DUE,
    starts_on: str = "DATE '2026-11-30'",
    enrolled_at: str = "TIMESTAMPTZ '2026-11-30 10:00+09'",
    params: dict | None = None,
) -> None:
    """`enrollments` open leads enrolled, set-based, in their team's cadence (each team's
    versions), their first step due at `next_due` (SQL expressions; `params` fills any
    placeholders in them)."""
    insert_select(
        Enrollment,
        {
            "team_id": "v.team_id",
            "lead_id": "l.id",
            "version_id": "v.version_id",
            "sdr_id": "l.owner_id",
            "step": "1",
            "steps": str(steps),
            "next_due": next_due,
            "state": "'active'",
            "finish_reason": "''",
            "starts_on": starts_on,
            "thread_id": "''",
            "enrolled_at": enrolled_at,
        },
        """FROM (SELECT l.id, l.owner_id FROM leads_lead l
                 WHERE l.stage NOT IN ('disqualified', 'handed_off') ORDER BY l.id
                 LIMIT %(n)s) l
           JOIN sdr_ops_staffingrecord s ON s.person_id = l.owner_id AND s.role = 'sdr'
           JOIN (SELECT c.team_id, v.id AS version_id FROM cadences_cadence c
                 JOIN cadences_cadenceversion v ON v.cadence_id = c.id) v
             ON v.team_id = s.team_id""",
        {"n": enrollments, **(params or {})},
    )
    run("ANALYZE")


# The hand-written statement of `bench/call_lists.py` with the cadence steps as its first
# rule: a lead whose enrollment's current step is a call or a task due before the day's end
# goes first on its SDR's list, in due order, and no other rule takes it. Written apart from
# the app's SQL generator (leads/domain/calllists.py and cadences/calllist.py).
HAND_WRITTEN = (
    base.HAND_WRITTEN.replace(
        "           (t.last_touch IS NOT NULL AND t.last_touch < %(quiet)s) AS c4\n",
        "           (t.last_touch IS NOT NULL AND t.last_touch < %(quiet)s) AS c4,\n"
        "           ce.lead_id IS NOT NULL AS c0, ce.due\n",
    )
    .replace(
        "    LEFT JOIN t ON t.lead_id = l.id\n",
        """    LEFT JOIN t ON t.lead_id = l.id
    LEFT JOIN (SELECT en.lead_id, en.sdr_id, en.next_due AS due
               FROM cadences_enrollment en
               JOIN cadences_step st ON st.version_id = en.version_id AND st.position = en.step
               WHERE en.state = 'active' AND st.type IN ('call', 'task')
                 AND en.next_due < %(end)s) ce
      ON ce.lead_id = l.id AND ce.sdr_id = l.owner_id
""",
    )
    .replace(
        "picked AS (\n",
        """picked AS (
    SELECT * FROM (SELECT owner_id, id, 0 AS rp, row_number() OVER (
        PARTITION BY owner_id ORDER BY due, id) AS rn FROM e WHERE c0) r0 WHERE rn <= 60
    UNION ALL
""",
    )
)
for rule in ("WHERE c1)", "WHERE c2 AND NOT c1)", "WHERE c3 AND NOT c1 AND NOT c2)"):
    HAND_WRITTEN = HAND_WRITTEN.replace(rule, rule[:-1] + " AND NOT c0)")
HAND_WRITTEN = HAND_WRITTEN.replace(
    "WHERE c4 AND NOT c1 AND NOT c2 AND NOT c3)",
    "WHERE c4 AND NOT c0 AND NOT c1 AND NOT c2 AND NOT c3)",
)
assert HAND_WRITTEN.count("NOT c0") == 4 and "r0" in HAND_WRITTEN


def build(with_cadences: bool = True) -> float:
    saved = list(calllists.entry_sources)
    if not with_cadences:
        calllists.entry_sources.clear()
    try:
        run(
            "DELETE FROM leads_calllistentry WHERE call_list_id IN "
            "(SELECT id FROM leads_calllist WHERE day = %s)",
            [DAY],
        )
        run("DELETE FROM leads_calllist WHERE day = %s", [DAY])
        run("VACUUM ANALYZE leads_calllistentry")
        started = time.monotonic()
        calllists.build_many(list(Team.objects.order_by("pk")), DAY)
        return time.monotonic() - started
    finally:
        calllists.entry_sources[:] = saved


def build_by_hand() -> float:
    """The hand-written statement, filling the lists of a second day (as bench/call_lists.py)."""
    saved = base.HAND_WRITTEN
    base.HAND_WRITTEN = HAND_WRITTEN
    try:
        return base.build_by_hand()
    finally:
        base.HAND_WRITTEN = saved


def same_rows() -> bool:
    cadence = "rule 0"
    app = [
        (s, lead, pos, cadence if reason.startswith("Cadence") else reason)
        for s, lead, pos, reason in base.rows_of(DAY, True)
    ]
    return app == base.rows_of(base.CHECK_DAY, False)


def reset_enrollments() -> None:
    """Every enrollment back on its first step, due on the day; no step run."""
    run("DELETE FROM cadences_steprun")
    run(
        f"""UPDATE cadences_enrollment SET step = 1, next_due = {DUE}, state = 'active',
               finish_reason = '', finished_at = NULL, remaining_days = NULL, resume_on = NULL"""
    )


def mix_day() -> None:
    """The day's mix before the advance (on a reset, set every time the same way):
    - half the enrolled leads were called on the day: their call steps are done;
    - a tenth have the items their call asks known: skipped;
    - a tenth are on the last step, which ran: they finish;
    - a tenth were paused with a day left, to resume on the day;
    - a tenth are on the e-mail step, due: left for the sender;
    - one in a thousand has every checklist item known: the qualified exit."""
    run("DELETE FROM leads_activity WHERE started_at = TIMESTAMPTZ '2026-12-01 11:00+09'")
    insert_select(
        Activity,
        {
            "lead_id": "e.lead_id",
            "sdr_id": "e.sdr_id",
            "type": "'call'",
            "outcome": "CASE WHEN e.id %% 6 = 0 THEN 'connected' ELSE 'no_answer' END",
            "started_at": "TIMESTAMPTZ '2026-12-01 11:00+09'",
            "duration_seconds": "20",
        },
        "FROM cadences_enrollment e WHERE e.id %% 2 = 0",
    )
    run("DELETE FROM leads_qualificationanswer")
    for item, where in (
        ("timing", "e.id %% 10 = 1 OR e.id %% 1000 = 9"),
        ("approval_process", "e.id %% 10 = 1 OR e.id %% 1000 = 9"),
        ("budget", "e.id %% 1000 = 9"),
        ("need", "e.id %% 1000 = 9"),
    ):
        insert_select(
            QualificationAnswer,
            {"lead_id": "e.lead_id", "item": f"'{item}'", "status": "'confirmed'"},
            f"FROM cadences_enrollment e WHERE {where}",
        )
    run("UPDATE cadences_enrollment SET step = 3 WHERE id %% 10 = 3")
    insert_select(
        StepRun,
        {
            "enrollment_id": "e.id",
            "step_id": "st.id",
            "outcome": "'done'",
            "at": "TIMESTAMPTZ '2026-12-01 10:00+09'",
        },
        """FROM cadences_enrollment e
           JOIN cadences_step st ON st.version_id = e.version_id AND st.position = 3
           WHERE e.id %% 10 = 3""",
    )
    run(
        """UPDATE cadences_enrollment SET state = 'paused', next_due = NULL,
               remaining_days = 1, resume_on = DATE '2026-12-01' WHERE id %% 10 = 5"""
    )
    run("UPDATE cadences_enrollment SET step = 2 WHERE id %% 10 = 7")
    # As the nightly job finds the tables: autovacuum has been through since the day's writes.
    run("VACUUM ANALYZE cadences_enrollment")
    run("VACUUM ANALYZE cadences_steprun")
    run("VACUUM ANALYZE leads_activity")
    run("VACUUM ANALYZE leads_qualificationanswer")


def advance() -> tuple[float, dict]:
    reset_enrollments()
    mix_day()
    started = time.monotonic()
    counts = domain.advance_due(datetime.datetime(2026, 12, 1, 20, tzinfo=datetime.UTC))
    return time.monotonic() - started, counts


def bare_writes() -> float:
    """The floor: the same writes with nothing worked out, in one transaction. One INSERT of
    as many step runs as the advance writes (its skipped and done steps) and one UPDATE of as
    many enrollments as it moves, finishes or resumes, picked by id."""
    reset_enrollments()
    mix_day()
    started = time.monotonic()
    with transaction.atomic():
        insert_select(
            StepRun,
            {
                "enrollment_id": "e.id",
                "step_id": "st.id",
                "outcome": "'done'",
                "at": "TIMESTAMPTZ '2026-12-01 20:00+09'",
            },
            """FROM cadences_enrollment e
               JOIN cadences_step st ON st.version_id = e.version_id AND st.position = e.step
               WHERE e.id %% 2 = 0 AND e.id %% 10 NOT IN (3, 5) OR e.id %% 10 = 1""",
        )
        run(
            f"""UPDATE cadences_enrollment SET step = step + 1, next_due = {DUE},
                   state = 'active', remaining_days = NULL, resume_on = NULL
                WHERE id %% 2 = 0 AND id %% 10 <> 7 OR id %% 10 IN (1, 3, 5)"""
        )
    return time.monotonic() - started


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdrs", type=int, default=500)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--enrollments", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["build", "advance"], help="time one part only")
    parser.add_argument(
        "--skip-generate", action="store_true", help="reuse the data of an earlier run"
    )
    args = parser.parse_args()
    if base.connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    base.call_command("migrate", verbosity=0)
    if not args.skip_generate:
        started = time.monotonic()
        base.generate(args.sdrs, args.leads)
        make_cadences()
        enrol(args.enrollments)
        print(f"  with cadences and enrollments: {time.monotonic() - started:.1f} s")
    reset_enrollments()
    print(f"active enrollments: {Enrollment.objects.filter(state='active').count():,}")
    same = True
    if args.only != "advance":
        build()  # the first build saves the default rules
    for n in range(1, args.rounds + 1 if args.only != "advance" else 1):
        app = build()
        hand = build_by_hand()
        same = same and same_rows()
        steps = CallListEntry.objects.filter(
            call_list__day=DAY, reason__startswith="Cadence"
        ).count()
        print(
            f"build round {n}: app {app:.2f} s, hand-written {hand:.2f} s, "
            f"ratio {app / hand:.2f} ({steps:,} cadence entries; load {load()})"
        )
    print(f"same rows: {'yes' if same else 'NO'}")
    counts = {"moved": 1}
    for n in range(1, args.rounds + 1 if args.only != "build" else 1):
        took, counts = advance()
        floor = bare_writes()
        print(
            f"advance_due round {n}: {took:.2f} s, bare writes {floor:.2f} s, "
            f"ratio {took / floor:.2f} {counts} (load {load()})"
        )
    versions = CadenceVersion.objects.count()
    return 0 if same and versions and counts["moved"] else 1


if __name__ == "__main__":
    sys.exit(main())
