"""Load benchmark of the busiest pages at volume, one page at a time (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_bench_pages \
        .venv/bin/python bench/load/pages.py [--leads 100000] [--sdr-leads 12000] \
        [--seconds 10] [--rounds 3] [--workers 3] [--connections 8] [--skip-generate]

It owns the database DATABASE_URL names: it migrates it, seeds the demo organisation (its
people, teams and history), grows it to `--leads` leads of which the demo SDR (seo.yoon) owns
`--sdr-leads`, each touched lead with a call, and rebuilds the day's call lists. It then serves
the app with gunicorn on the production settings (`bench.load.production`: DEBUG off, HTTPS
behind a proxy, which the driver's X-Forwarded-Proto header stands for) and drives each page
in turn with a closed loop of `--connections` connections for `--seconds`, `--rounds` times
alternating, with wrk when it is installed (`apt-get install wrk`), else with a Python client.

It prints, per page, the median over the rounds of requests per second, p50 and p95, the
share of the log-in page's and of the bare signed-in view's rate, and the HTML each page
sends. It exits 1 on any error (a status other than 200, or a failed connection), never on a
time. With `--baseline DIR` it serves a second checkout of the app too (the same schema, say the
commit before a change) and drives each page on both in turn, so that a busy machine weighs
on both alike. `--smoke` runs it at a tiny scale (the demo only, one short round), for the
test suite.
"""

import argparse
import datetime
import functools
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.load.production"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.data import insert_select, run  # noqa: E402
from bench.processes import stop  # noqa: E402
from demo.organisation import DemoBuilder  # noqa: E402
from leads.models import Account, Activity, Lead  # noqa: E402
from sdr_ops.models import Role, User  # noqa: E402

PASSWORD = "demo-pass-2026"
SDR, AE, MANAGER = (f"{k}@demo.sdr-ops.test" for k in ("seo.yoon", "jae.kim", "mina.park"))
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %.1f %.1f\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95)))
end
"""


def grow(leads: int, sdr_leads: int) -> None:
    """Leads up to `leads` in all, `sdr_leads` of them the demo SDR's, then the call lists."""
    started = time.monotonic()
    sdr = User.objects.get(email=SDR)
    others = list(
        User.objects.filter(role=Role.SDR, is_active=True)
        .exclude(pk=sdr.pk)
        .values_list("pk", flat=True)
    )
    accounts = list(Account.objects.values_list("pk", flat=True))
    own = max(0, sdr_leads - Lead.objects.filter(owner=sdr).count())
    more = max(0, leads - Lead.objects.count())
    first = Lead.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    p = {
        "more": more,
        "own": min(own, more),
        "sdr": sdr.pk,
        "others": others,
        "accounts": accounts,
        "now": timezone.now(),
    }
    insert_select(
        Lead,
        {
            "account_id": "(%(accounts)s::bigint[])[1 + i %% cardinality(%(accounts)s::bigint[])]",
            "first_name": "'Bench'",
            "last_name": "'Lead ' || i",
            "email": "'bench' || i || '@leads.test'",
            "source": "CASE i %% 4 WHEN 0 THEN 'inbound' WHEN 1 THEN 'outbound' "
            "WHEN 2 THEN 'event' ELSE 'referral' END",
            "owner_id": "CASE WHEN i <= %(own)s THEN %(sdr)s "
            "ELSE (%(others)s::bigint[])[1 + i %% cardinality(%(others)s::bigint[])] END",
            "stage": "CASE WHEN i %% 3 = 0 THEN 'new' WHEN i %% 11 = 0 THEN 'connected' "
            "ELSE 'working' END",
            "created_at": "%(now)s - (i %% 200) * INTERVAL '1 day' "
            "- (i %% 600) * INTERVAL '1 minute'",
        },
        "FROM generate_series(1, %(more)s) i",
        p,
    )
    insert_select(
        Activity,
        {
            "lead_id": "l.id",
            "sdr_id": "l.owner_id",
            "type": "'call'",
            "outcome": "'no_answer'",
            "started_at": "l.created_at + ((l.id %% 20) + 1) * INTERVAL '1 hour'",
            "duration_seconds": "40",
        },
        "FROM leads_lead l WHERE l.id > %(first)s AND l.stage <> 'new'",
        {"first": first},
    )
    run("ANALYZE")
    DemoBuilder(timezone.localdate()).build_call_lists()
    print(
        f"data: {Lead.objects.count():,} leads, {Lead.objects.filter(owner=sdr).count():,} "
        f"of them {SDR}'s ({time.monotonic() - started:.1f} s)",
        flush=True,
    )


class Client:
    """One signed-in browser, as far as the pages care: its cookies, over HTTPS at the proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def headers(self) -> dict[str, str]:
        return {
            "X-Forwarded-Proto": "https",
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }

    def request(self, path: str, form: dict | None = None) -> tuple[int, bytes]:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = self.headers()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            origin = f"https://127.0.0.1:{self.port}"
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            }
        c.request("POST" if form is not None else "GET", path, body, headers)
        response = c.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        data = response.read()
        c.close()
        return response.status, data

    def log_in(self, email: str) -> "Client":
        self.request("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/",
            {
                "username": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.cookies.get("csrftoken", ""),
            },
        )
        if status != 302:
            raise RuntimeError(f"log-in of {email} answered {status}")
        return self


def drive_python(port: int, headers: dict, path: str, seconds: float, connections: int) -> dict:
    """The fallback load generator: `connections` threads, each a closed loop of GETs."""
    latencies, failures = [], [0, 0]
    stop_at = time.monotonic() + seconds

    def loop():
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                c.request("GET", path, headers=headers)
                response = c.getresponse()
                response.read()
                c.close()
            except OSError:
                failures[0] += 1
                continue
            latencies.append(time.perf_counter() - started)
            if response.status != 200:
                failures[1] += 1

    threads = [threading.Thread(target=loop) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ordered = sorted(latencies) or [0.0]
    return {
        "rate": len(latencies) / seconds,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000,
        "socket_errors": failures[0],
        "status_errors": failures[1],
    }


def drive_wrk(script: str, port: int, headers: dict, path: str, seconds, connections) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        script,
    ]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        command + [f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, socket_errors, status_errors, p50, p95 = line.split()[1:]
    return {
        "rate": int(requests) / (int(duration_us) / 1e6),
        "p50": float(p50) / 1000,
        "p95": float(p95) / 1000,
        "socket_errors": int(socket_errors),
        "status_errors": int(status_errors),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tree: Path, workers: int) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the app of `tree` (this checkout, or another for --baseline)."""
    port = free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.load.production"}
    env["PYTHONPATH"] = str(tree)
    env["SDR_OPS_VAR_DIR"] = str(settings.VAR_DIR)  # the static files collected here
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "sdr_ops.wsgi:application"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            if Client(port).request("/bench/bare/")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    return server, port


def pages_of(port: int, brief: int) -> list[tuple[str, Client, str]]:
    sdr, ae, manager = (Client(port).log_in(e) for e in (SDR, AE, MANAGER))
    return [
        ("log-in page", Client(port), "/accounts/login/"),
        ("bare signed-in", sdr, "/bench/signed-in/"),
        ("lead list", sdr, "/leads/"),
        ("today", sdr, "/today/"),
        ("lead brief", sdr, f"/leads/{brief}/"),
        ("ae inbox", ae, "/inbox/"),
        ("dashboards", manager, "/dashboards/"),
        ("review desk", manager, "/reviews/"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--sdr-leads", type=int, default=12_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of the app (same schema) to serve too and drive in turn",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny scale, for the test suite")
    args = parser.parse_args()
    if args.smoke:
        args.leads, args.sdr_leads, args.seconds, args.rounds = 0, 0, 0.5, 1
        args.workers, args.connections, args.python_client = 1, 2, True
    if connection.vendor != "postgresql":
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not args.skip_generate:
        call_command("seed_demo", verbosity=0)
        grow(args.leads, args.sdr_leads)
    sdr = User.objects.get(email=SDR)
    brief = (
        Lead.objects.filter(owner=sdr, handoffs__isnull=False, activities__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    connection.close()

    trees = {"app": ROOT} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
    use_wrk = shutil.which("wrk") and not args.python_client
    servers, pages = {}, {}
    results: dict[tuple[str, str], list[dict]] = {}
    weights: dict[tuple[str, str], int] = {}
    failed = False
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        for tree, folder in trees.items():
            servers[tree], port = serve(folder, args.workers)
            pages[tree] = pages_of(port, brief)
            for name, client, path in pages[tree]:
                client.request(path)  # warm: caches, and the dashboards' stored weeks
                status, body = client.request(path)
                weights[tree, name] = len(body)
                if status != 200:
                    print(f"{tree}: {name} ({path}) answered {status}")
                    failed = True
        for _ in range(args.rounds):
            for i, name in enumerate(n for n, _c, _p in pages["app"]):
                for tree in trees:
                    _name, client, path = pages[tree][i]
                    drive = functools.partial(drive_wrk, script.name) if use_wrk else drive_python
                    r = drive(client.port, client.headers(), path, args.seconds, args.connections)
                    results.setdefault((tree, name), []).append(r)
    finally:
        os.unlink(script.name)
        stop(*servers.values())

    print(
        f"{datetime.date.today()}: gunicorn {args.workers} sync workers, "
        f"{'wrk -t2' if use_wrk else 'python client'} -c{args.connections} "
        f"-d{args.seconds:g}s, median of {args.rounds} alternating rounds"
    )
    for tree in trees:
        print(f"\n{tree} ({trees[tree]})")

        def med(name, key, tree=tree):
            return statistics.median(r[key] for r in results[tree, name])

        login, bare = med("log-in page", "rate"), med("bare signed-in", "rate")
        print(
            "| page | req/s | p50 ms | p95 ms | share of log-in | share of bare "
            "| HTML KB | errors |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name, _client, _path in pages[tree]:
            errors = sum(r["socket_errors"] + r["status_errors"] for r in results[tree, name])
            failed |= errors > 0
            rate = med(name, "rate")
            print(
                f"| {name} | {rate:.1f} | {med(name, 'p50'):.1f} | {med(name, 'p95'):.1f} | "
                f"{rate / login:.3f} | {rate / bare:.3f} | "
                f"{weights[tree, name] / 1024:.1f} | {errors} |"
            )
        print(
            json.dumps(
                {n: [round(r["rate"], 1) for r in results[tree, n]] for n, *_ in pages[tree]}
            )
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
