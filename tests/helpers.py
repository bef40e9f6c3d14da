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
