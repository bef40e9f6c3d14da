"""Benchmark of `import_history` (run by hand, never in the tests).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench \\
        .venv/bin/python bench/import_history.py [--leads 100000]

It writes its own CSV files (staff, leads with two activities each, a handoff for every
fifth lead and an opportunity for most accepted ones) to a temporary folder, empties the
app's tables in that database, and times the import; then it imports the same files again
to show the second run writes nothing.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sdr_ops.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from metrics import history  # noqa: E402


def write(folder: Path, name: str, rows) -> None:
    with (folder / name).open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(history.FILES[name])
        writer.writerows(rows)


def generate(folder: Path, leads: int) -> None:
    sdrs = [f"sdr{i}@bench.test" for i in range(50)]
    write(
        folder,
        "staff.csv",
        [
            (s, f"SDR {i}", "sdr", "bench-desk", "2025-01-01", "", "hired")
            for i, s in enumerate(sdrs)
        ]
        + [("ae@bench.test", "AE", "ae", "bench-sales", "2025-01-01", "", "hired")],
    )
    write(
        folder,
        "leads.csv",
        [
            (
                f"L{n}",
                "Lead",
                str(n),
                f"l{n}@x.test",
                "",
                "",
                f"Company {n % 5000}",
                ("enterprise", "mid_market", "smb")[n % 3],
                ("inbound", "outbound")[n % 2],
                sdrs[n % 50],
                f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}T09:00",
            )
            for n in range(leads)
        ],
    )
    write(
        folder,
        "activities.csv",
        [
            (
                f"L{n}",
                sdrs[n % 50],
                "call",
                outcome,
                f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}T{hour}:00",
                60,
                "",
            )
            for n in range(leads)
            for hour, outcome in (("10", "no_answer"), ("11", "connected"))
        ],
    )
    write(
        folder,
        "handoffs.csv",
        [
            (
                f"H{n}",
                f"L{n}",
                sdrs[n % 50],
                "ae@bench.test",
                f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}T12:00",
                "A",
                "why",
                "accepted" if n % 4 else "rejected",
                f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}T15:00",
                "" if n % 4 else "no_need",
            )
            for n in range(0, leads, 5)
        ],
    )
    write(
        folder,
        "opportunities.csv",
        [
            (f"H{n}", 1000, f"2026-{1 + n % 10:02d}-{1 + n % 27:02d}T15:00", "open", "", "")
            for n in range(0, leads, 5)
            if n % 4
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    call_command("migrate", verbosity=0)
    tables = [
        m._meta.db_table
        for m in apps.get_models()
        if m._meta.app_label in {"sdr_ops", "leads", "handoffs", "metrics"}
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.leads)
        sizes = sum(p.stat().st_size for p in folder.iterdir())
        print(
            f"{args.leads:,} leads, {2 * args.leads:,} activities, "
            f"{args.leads // 5:,} handoffs: {sizes / 1e6:.1f} MB of CSV"
        )
        for run in ("first", "again"):
            started, cpu = time.monotonic(), time.process_time()
            call_command("import_history", str(folder), verbosity=0)
            # Wall time includes the database's work and any wait for a busy machine's cores;
            # this process's CPU time does not, and so compares across machines and loads.
            print(
                f"import ({run}): {time.monotonic() - started:.1f} s, "
                f"{time.process_time() - cpu:.1f} s CPU in this process"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
