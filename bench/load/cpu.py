"""CPU per request of the busiest pages, served in-process (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench_pages \
        .venv/bin/python bench/load/cpu.py [--requests 20] [--rounds 2] [--page "lead list"]

It reads the data `bench/load/pages.py` built in the database DATABASE_URL names (it writes
nothing there but what the pages write themselves; it collects the static files the
manifest storage reads) and serves the same pages through Django's test
client in this process, on the production settings of `bench.load.production`: no server, no
sockets, no other process. For each page it prints the median over `--requests` requests of
the CPU time this process spent (`time.process_time`: Python, templates, the driver's side of
the queries; the database server's own time is not in it), the wall time, the time spent
waiting on the database (wall time of the queries, as Django's cursor wrapper measures it),
the number of queries and the HTML weight, and the CPU time's share of the bare signed-in
view's. The pages are driven in turn, `--rounds` times, so that a busy machine weighs on all
alike; CPU time is what a shared machine measures most steadily. `--smoke` migrates the
database and seeds the demo first, then serves each page once (the test suite's run).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.load.production"
os.environ["ALLOWED_HOSTS"] = "testserver"  # the test client's host

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from leads.models import Lead  # noqa: E402
from sdr_ops.models import User  # noqa: E402

SDR, AE, MANAGER = (f"{k}@demo.sdr-ops.test" for k in ("seo.yoon", "jae.kim", "mina.park"))


def signed_in(email: str) -> Client:
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(User.objects.get(email=email))
    return client


def pages() -> list[tuple[str, Client, str]]:
    sdr, ae, manager = (signed_in(e) for e in (SDR, AE, MANAGER))
    brief = (
        Lead.objects.filter(owner__email=SDR, handoffs__isnull=False, activities__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return [
        ("log-in page", Client(HTTP_X_FORWARDED_PROTO="https"), "/accounts/login/"),
        ("bare signed-in", sdr, "/bench/signed-in/"),
        ("lead list", sdr, "/leads/"),
        ("today", sdr, "/today/"),
        ("lead brief", sdr, f"/leads/{brief}/"),
        ("ae inbox", ae, "/inbox/"),
        ("dashboards", manager, "/dashboards/"),
        ("review desk", manager, "/reviews/"),
    ]


def one(client: Client, path: str) -> dict:
    with CaptureQueriesContext(connection) as queries:
        cpu, wall = time.process_time(), time.perf_counter()
        response = client.get(path, secure=True)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    db = sum(float(q["time"]) for q in queries.captured_queries)
    return {
        "cpu": cpu * 1000,
        "wall": wall * 1000,
        "db": db * 1000,
        "queries": len(queries),
        "kb": len(response.content) / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--page", action="append", help="only these pages (and the bare view)")
    parser.add_argument("--smoke", action="store_true", help="seed the demo, one request each")
    args = parser.parse_args()
    if args.smoke:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", verbosity=0)
        args.requests, args.rounds = 1, 1
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest the pages read
    chosen = [p for p in pages() if not args.page or p[0] in args.page or p[0] == "bare signed-in"]
    for _name, client, path in chosen:  # warm: caches, the dashboards' stored weeks
        one(client, path)
        one(client, path)
    runs: dict[str, list[dict]] = {}
    for _ in range(args.rounds):
        for name, client, path in chosen:
            runs.setdefault(name, []).extend(one(client, path) for _ in range(args.requests))
    bare = statistics.median(r["cpu"] for r in runs["bare signed-in"])
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| page | CPU ms | wall ms | DB ms | queries | HTML KB | CPU / bare |")
    print("|---|---|---|---|---|---|---|")
    for name, rows in runs.items():

        def med(key, rows=rows):
            return statistics.median(r[key] for r in rows)

        print(
            f"| {name} | {med('cpu'):.1f} | {med('wall'):.1f} | {med('db'):.1f} | "
            f"{med('queries'):.0f} | {med('kb'):.1f} | {med('cpu') / bare:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
