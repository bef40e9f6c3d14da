"""Helpers for tests that run the project's own commands in a child process."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child_env(**overrides: str | None) -> dict[str, str]:
    """This process's environment with the given variables set (or removed when None)."""
    env = dict(os.environ)
    # The browser tests relax Django's async check in this process only, never in a child.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str, timeout: float = 120, **env: str | None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def postgres_url(dbname: str = "postgres") -> str | None:
    """A PostgreSQL URL for child processes: DATABASE_URL's server when it is PostgreSQL,
    else the local default server when it answers; None when there is none."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        base = url.rsplit("/", 1)[0]
    else:
        base = "postgres://postgres@127.0.0.1:5432"
    try:
        import psycopg

        psycopg.connect(f"{base}/{dbname}", connect_timeout=2).close()
    except Exception:  # noqa: BLE001 - no server reachable: the caller skips
        return None
    return f"{base}/{dbname}"


def run_database_url() -> str:
    """A URL of the database this test run uses, for a child process such as a worker."""
    from django.db import connection

    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
    return f"postgres://{auth}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"


class Worker:
    """A real `celery worker` process on the same broker and database as the test."""

    def __init__(self, log_path: Path, **env: str | None):
        self.log_path = log_path
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "sdr_ops",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--logfile={log_path}",
                f"--hostname=test-{os.getpid()}-{id(self)}@%h",
            ],
            cwd=ROOT,
            env=child_env(**env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def call_start(moment) -> str:
    """The signed start call mode carries (leads.forms.SignedMomentField), for a moment a test
    sets back instead of waiting."""
    from leads.forms import SignedMomentField

    return SignedMomentField().prepare_value(moment)
