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
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench.call_lists as base  # noqa: E402 - sets Django up
from bench.data import insert_select, run  # noqa: E402
from cadences import domain  # noqa: E402
from cadences.models import Cadence, CadenceVersion, Enrollment  # noqa: E402
from leads.domain import calllists  # noqa: E402
from leads.models import Activity, CallListEntry  # noqa: E402
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


def enrol(enrollments: int) -> None:
    """`enrollments` open leads enrolled, set-based, their call step due on the day."""
    insert_select(
        Enrollment,
        {
            "team_id": "v.team_id",
            "lead_id": "l.id",
            "version_id": "v.version_id",
            "sdr_id": "l.owner_id",
            "step": "1",
            "steps": "3",
            "next_due": DUE,
            "state": "'active'",
            "finish_reason": "''",
            "starts_on": "DATE '2026-11-30'",
            "thread_id": "''",
            "enrolled_at": "TIMESTAMPTZ '2026-11-30 10:00+09'",
        },
        """FROM (SELECT l.id, l.owner_id FROM leads_lead l
                 WHERE l.stage NOT IN ('disqualified', 'handed_off') ORDER BY l.id
                 LIMIT %(n)s) l
           JOIN sdr_ops_staffingrecord s ON s.person_id = l.owner_id AND s.role = 'sdr'
           JOIN (SELECT c.team_id, v.id AS version_id FROM cadences_cadence c
                 JOIN cadences_cadenceversion v ON v.cadence_id = c.id) v
             ON v.team_id = s.team_id""",
        {"n": enrollments},
    )
    run("ANALYZE")


def build(with_cadences: bool) -> float:
    saved = list(calllists.entry_sources)
    if not with_cadences:
        calllists.entry_sources.clear()
    try:
        run("DELETE FROM leads_calllistentry")
        run("DELETE FROM leads_calllist")
        run("VACUUM ANALYZE leads_calllistentry")
        started = time.monotonic()
        calllists.build_many(list(Team.objects.order_by("pk")), DAY)
        return time.monotonic() - started
    finally:
        calllists.entry_sources[:] = saved


def advance() -> tuple[float, dict]:
    insert_select(
        Activity,
        {
            "lead_id": "e.lead_id",
            "sdr_id": "e.sdr_id",
            "type": "'call'",
            "outcome": "'no_answer'",
            "started_at": "TIMESTAMPTZ '2026-12-01 11:00+09'",
            "duration_seconds": "20",
        },
        "FROM cadences_enrollment e WHERE e.id %% 2 = 0",
    )
    run("ANALYZE")
    started = time.monotonic()
    counts = domain.advance_due(datetime.datetime(2026, 12, 1, 20, tzinfo=datetime.UTC))
    return time.monotonic() - started, counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdrs", type=int, default=500)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--enrollments", type=int, default=200_000)
    args = parser.parse_args()
    if base.connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    base.call_command("migrate", verbosity=0)
    base.generate(args.sdrs, args.leads)
    make_cadences()
    enrol(args.enrollments)
    print(f"active enrollments: {Enrollment.objects.filter(state='active').count():,}")
    build(True)  # the first build saves the default rules
    plain = build(False)
    with_cadences = build(True)
    steps = CallListEntry.objects.filter(rule__isnull=True, reason__startswith="Cadence").count()
    print(f"nightly build without cadences: {plain:.2f} s")
    print(f"nightly build with cadences:    {with_cadences:.2f} s ({steps:,} cadence entries)")
    print(f"ratio with / without:           {with_cadences / plain:.2f}")
    took, counts = advance()
    print(f"advance_due: {took:.2f} s {counts}")
    versions = CadenceVersion.objects.count()
    return 0 if versions and counts["moved"] else 1


if __name__ == "__main__":
    sys.exit(main())
