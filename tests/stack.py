"""Processes of the production stack for tests: gunicorn, Celery workers and beats on the
production settings, a Redis or a PostgreSQL cluster of a test's own, and an HTTP client that
behaves like a browser behind a TLS proxy (plain HTTP with X-Forwarded-Proto: https)."""

import contextlib
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from glob import glob
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from .helpers import ROOT, child_env

PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEMO_PASSWORD = "demo-pass-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, seconds: float = 60, step: float = 0.3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def fresh_database(server_url: str, name: str) -> str:
    """Drops and creates database `name` on the server; returns its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def pg(url: str) -> psycopg.Connection:
    return psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True)


def production_env(database_url: str, broker_url: str, var_dir: Path, **extra) -> dict:
    """The environment the compose file gives web, worker and beat."""
    return child_env(
        DJANGO_SETTINGS_MODULE="sdr_ops.settings_production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_RESULT_BACKEND=None,
        EMAIL_URL="consolemail://",
        LOG_FORMAT="json",
        SDR_OPS_VAR_DIR=str(var_dir),
        **extra,
    )


def manage(env: dict, *args: str, timeout: float = 300) -> None:
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def send_task(env: dict, name: str, **kwargs) -> None:
    """Queues a task by name on the broker of `env`, as an operator would from a shell."""
    subprocess.run(
        [PYTHON, "-m", "celery", "-A", "sdr_ops", "call", name, "--kwargs", json.dumps(kwargs)],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
    )


class Process:
    """A child process whose output goes to a log file."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log_path = args, env, log
        self.start()

    def start(self) -> None:
        self.out = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def json_lines(self) -> list[dict]:
        lines = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    def kill(self) -> None:
        """SIGKILL, as a crash or an OOM killer would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.out.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.out.close()


def gunicorn(env: dict, port: int, log: Path, workers: int = 2) -> Process:
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        # The production storage serves from its manifest, which the image build writes.
        manage(env, "collectstatic", "--noinput", "-v0")
    web = Process(
        [str(BIN / "gunicorn"), "-c", "python:sdr_ops.gunicorn_conf", "sdr_ops.wsgi:application"],
        {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        log,
    )
    assert wait_for(lambda: Client(port).get("/healthz/live")[0] == 200, 60), web.log()
    return web


def worker(env: dict, name: str, log: Path) -> Process:
    return Process(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "sdr_ops",
            "worker",
            "--concurrency=1",
            f"--hostname={name}-{uuid.uuid4().hex[:6]}@%h",
            "--loglevel=INFO",
        ],
        env,
        log,
    )


def beat(env: dict, schedule: Path, log: Path) -> Process:
    return Process(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "sdr_ops",
            "beat",
            "--loglevel=INFO",
            f"--schedule={schedule}",
        ],
        env,
        log,
    )


class Client:
    """A browser behind the TLS proxy: plain HTTP to gunicorn with X-Forwarded-Proto: https,
    its own cookies (secure ones included), CSRF token and Referer; no redirect followed."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.port}/",
            "Accept-Language": "en",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            sent["X-CSRFToken"] = self.cookies["csrftoken"]
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            data = response.read()
        except OSError:
            return 0, b"", {}
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data, dict(response.getheaders())

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data: dict, **kw):
        body = urlencode(data)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **kw.pop("headers", {})}
        return self.request("POST", path, body=body, headers=headers, **kw)

    def post_files(self, path, data: dict, files: dict[str, bytes], headers=None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in data.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for filename, content in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        sent = {"Content-Type": f"multipart/form-data; boundary={boundary}", **(headers or {})}
        return self.request("POST", path, body=body, headers=sent)

    def log_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        self.get("/accounts/login/")
        status, body, headers = self.post(
            "/accounts/login/", {"username": email, "password": password}
        )
        assert status == 302, (email, status, body[:500])


class RedisServer:
    """A Redis of the test's own on a free loopback port, keeping its data on disk (AOF)."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, 20)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)


def pg_bin(name: str) -> str:
    found = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else (shutil.which(name) or name)


class PostgresCluster:
    """A PostgreSQL cluster of the test's own: initdb into a temporary folder, a free port,
    trust authentication on the loopback. As root, it runs as the postgres system user."""

    def __init__(self, *, replica_of: "PostgresCluster | None" = None):
        self.folder = Path(tempfile.mkdtemp(prefix="sdr-ops-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        if replica_of is None:
            self._run(
                pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
            )
            with open(self.data / "postgresql.conf", "a") as conf:
                conf.write("wal_level = replica\nmax_wal_senders = 5\nfsync = off\n")
            with open(self.data / "pg_hba.conf", "a") as hba:
                hba.write("host replication all 127.0.0.1/32 trust\n")
        else:
            # A streaming replica: a base backup of the primary, started in standby mode.
            self._run(
                pg_bin("pg_basebackup"),
                "-h",
                "127.0.0.1",
                "-p",
                str(replica_of.port),
                "-U",
                "postgres",
                "-D",
                str(self.data),
                "-R",
                "-X",
                "stream",
            )
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"
        self.start()

    def _run(self, *args: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*prefix, *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=120,
        )

    def pg_ctl(self, *args: str) -> None:
        self._run(
            pg_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.folder / "server.log"),
            *args,
        )

    def start(self) -> None:
        self.pg_ctl("-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
