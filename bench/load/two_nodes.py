"""Load benchmark on two web nodes: two gunicorn instances behind a small local proxy (round
robin per connection, as a load balancer), two Celery workers, one PostgreSQL and one Redis
(run by hand, beside bench/load/run.py's one node).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sdr_ops_load \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/load/two_nodes.py [--seconds 60] [--users 8] [--workers 2]

The same virtual users and mix as run.py (imported from it). Each node has --workers sync
workers, so `--workers 2` here serves with as many processes as `run.py --workers 4`. It prints
the same table plus the requests each node answered, and exits 1 on any error.
"""

import argparse
import os
import random
import select
import socket
import socketserver
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.load.run import MIX, ROOT, Session, free_port, pct, user_loop  # noqa: E402
from bench.processes import stop  # noqa: E402


class Proxy(socketserver.ThreadingTCPServer):
    """Hands each incoming connection to the next backend in turn and pipes both ways."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, backends: list[int]):
        self.backends, self.turn, self.lock = backends, 0, threading.Lock()
        self.served: Counter = Counter()
        super().__init__(("127.0.0.1", port), PipeHandler)

    def next_backend(self) -> int:
        with self.lock:
            port = self.backends[self.turn % len(self.backends)]
            self.turn += 1
            self.served[port] += 1
            return port


class PipeHandler(socketserver.BaseRequestHandler):
    def handle(self):
        upstream = socket.create_connection(("127.0.0.1", self.server.next_backend()))
        sockets = [self.request, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 60)
                if not readable:
                    return
                for s in readable:
                    data = s.recv(65536)
                    if not data:
                        return
                    (upstream if s is self.request else self.request).sendall(data)
        finally:
            upstream.close()


def wait_up(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--skip-seed", action="store_true")
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
    nodes = [free_port(), free_port()]
    gunicorn = str(Path(python).with_name("gunicorn"))
    processes = [
        subprocess.Popen(
            [gunicorn, "-c", "python:sdr_ops.gunicorn_conf", "sdr_ops.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
            + ["--log-level", "warning", "--access-logfile", "/dev/null"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for port in nodes
    ]
    processes += [
        subprocess.Popen(
            [python, "-m", "celery", "-A", "sdr_ops", "worker", "--concurrency=1"]
            + [f"--hostname=bench{i}@%h", "--loglevel=WARNING"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in (1, 2)
    ]
    proxy = Proxy(free_port(), nodes)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{proxy.server_address[1]}"
    try:
        for port in nodes:
            wait_up(f"http://127.0.0.1:{port}/bench/bare/")
        for key in MIX["manager"]:  # warm-up, as run.py does
            warm = Session(base)
            warm.log_in(f"{key}@demo.sdr-ops.test")
            warm.request("/dashboards/")
        proxy.served.clear()
        timings, errors = defaultdict(list), defaultdict(int)
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
        proxy.shutdown()
        stop(*processes)
    bare_p95 = pct(timings["bare view"], 0.95)
    print(
        f"{args.users} users, 2 nodes x {args.workers} gunicorn workers behind a proxy, "
        f"2 Celery workers, {args.seconds} s"
    )
    print(
        f"{'page':16} {'requests':>8} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
        f"{'p95/bare':>8} {'errors':>6}"
    )
    for name in sorted(timings, key=lambda n: (n != "bare view", n)):
        values = timings[name]
        print(
            f"{name:16} {len(values):8d} {len(values) / args.seconds:7.1f} "
            f"{statistics.median(values) * 1000:8.1f} {pct(values, 0.95) * 1000:8.1f} "
            f"{pct(values, 0.99) * 1000:8.1f} {pct(values, 0.95) / bare_p95:8.2f} "
            f"{errors[name]:6d}"
        )
    total = sum(len(v) for v in timings.values())
    print(
        f"total: {total} requests, {total / args.seconds:.1f} per s, {sum(errors.values())} errors"
    )
    print("connections per node: " + ", ".join(str(proxy.served[p]) for p in nodes))
    return 1 if sum(errors.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
