"""Load benchmark: the real app under gunicorn on PostgreSQL with the demo data (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_load \
        .venv/bin/python bench/load/run.py [--seconds 60] [--users 8] [--workers 3]

It migrates and seeds the demo into the database DATABASE_URL names (which it owns), starts
gunicorn on a free loopback port with `bench.load.settings` (the app's settings plus a bare
view), and for a bounded time drives a realistic mix from virtual users, each with its own
logged-in session: SDRs open Today and call mode and log touches, AEs work the inbox,
managers read the dashboards; every user also hits the bare view. It prints throughput and
p50/p95/p99 per page beside the bare view, counts errors, and exits 1 on any error or when a
page's p95 is more than 3 times the bare view's (`--max-ratio`).
"""

import argparse
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.processes import stop  # noqa: E402

PASSWORD = "demo-pass-2026"
MIX = {
    "sdr": ["seo.yoon", "ha.kang", "jiwoo.cho", "min.choi"],
    "ae": ["jae.kim", "soo.oh"],
    "manager": ["mina.park", "joon.lee"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = None
        headers = {"Referer": self.base + "/"}
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["X-CSRFToken"] = self.csrf()
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def log_in(self, email: str) -> None:
        self.request("/accounts/login/")
        status, _ = self.request(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()},
        )
        if status != 200:
            raise RuntimeError(f"log-in of {email} answered {status}")


def user_loop(base, role, key, stop_at, timings, errors, rng):
    session = Session(base)
    session.log_in(f"{key}@demo.sdr-ops.test")
    lead_ids = []
    if role == "sdr":  # their own leads, from the lead list
        _status, body = session.request("/leads/")
        lead_ids = sorted({int(x) for x in re.findall(r"/leads/(\d+)/", body)})[:20]
    while time.monotonic() < stop_at:
        if role == "sdr":
            steps = [("today", "/today/", None)]
            if lead_ids:
                lead = rng.choice(lead_ids)
                steps += [
                    ("call mode", f"/leads/{lead}/call/", None),
                    ("log touch", f"/leads/{lead}/log/", {"type": "email", "outcome": "sent"}),
                ]
        elif role == "ae":
            steps = [("inbox", "/inbox/", None), ("opportunities", "/opportunities/", None)]
        else:
            steps = [("dashboards", "/dashboards/", None), ("review desk", "/reviews/", None)]
        steps.append(("bare view", "/bench/bare/", None))
        for name, path, data in steps:
            started = time.perf_counter()
            status, body = session.request(path, data)
            elapsed = time.perf_counter() - started
            if status >= 400:
                errors[name] += 1
            else:
                timings[name].append(elapsed)


def pct(values, q):
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument(
        "--max-ratio", type=float, default=3.0, help="p95 / bare view to fail on (0: none)"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Point DATABASE_URL at a PostgreSQL database made for the benchmark.")
        return 2
    python = sys.executable
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.load.settings", "DEBUG": "false"}
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env)
    if not args.skip_seed:
        subprocess.run([python, "manage.py", "seed_demo", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "sdr_ops.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(args.workers), "--access-logfile", "-", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/bare/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        # Warm-up, as in steady state: the Monday job has stored the weeks the dashboards
        # show (the first visit computes and stores any that are missing).
        for key in MIX["manager"]:
            warm = Session(base)
            warm.log_in(f"{key}@demo.sdr-ops.test")
            warm.request("/dashboards/")
        timings, errors = defaultdict(list), defaultdict(int)
        # Round robin over the roles, so that every role takes part whatever the user count.
        roles = [
            (role, keys[i])
            for i in range(max(len(k) for k in MIX.values()))
            for role, keys in MIX.items()
            if i < len(keys)
        ]
        stop_at = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop,
                args=(base, *roles[i % len(roles)], stop_at, timings, errors, random.Random(i)),
            )
            for i in range(args.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        stop(server)
    bare_p95 = pct(timings["bare view"], 0.95)
    print(f"{args.users} users, {args.workers} gunicorn workers, {args.seconds} s")
    print(
        f"{'page':16} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'p95/bare':>8} {'errors':>6}"
    )
    failed = False
    for name in sorted(timings, key=lambda n: (n != "bare view", n)):
        values = timings[name]
        ratio = pct(values, 0.95) / bare_p95
        failed |= errors[name] > 0 or (name != "bare view" and 0 < args.max_ratio < ratio)
        print(
            f"{name:16} {len(values):8d} {len(values) / args.seconds:7.1f} "
            f"{pct(values, 0.5) * 1000:8.1f} {pct(values, 0.95) * 1000:8.1f} "
            f"{pct(values, 0.99) * 1000:8.1f} {ratio:8.2f} {errors[name]:6d}"
        )
    total = sum(len(v) for v in timings.values())
    print(
        f"total: {total} requests, {total / args.seconds:.1f} per s, {sum(errors.values())} errors"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
