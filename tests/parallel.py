"""The suite in parallel: pytest-xdist workers (`make test` runs `pytest -n auto`), each with
resources of its own.

Before a worker process starts, the controller writes into its environment (so before Django
reads its settings) the names of that worker's own resources. The worker reads them through
the settings like any process of the app, and so does every command, Celery worker, beat or
server a test starts from it, since a child inherits the environment (tests/helpers.py
`child_env`). Worker gw1 gets:

- ``SDR_OPS_VAR_DIR``: ``var/test-workers/gw1`` (below the var folder the run was given): the
  SQLite databases, the file broker's queue, the beat schedule;
- ``DATABASE_URL``, when it names a PostgreSQL database ``sdr_ops``: ``sdr_ops_gw1``, made here
  when missing (empty, as CI makes ``sdr_ops``). pytest-django makes the test database
  ``test_sdr_ops_gw1`` from it (tests/conftest.py leaves out pytest-django's own suffix), and
  the databases tests name after it (``sdr_ops_gw1_stack``, ``sdr_ops_gw1_backup_source``...)
  are the worker's own too. An SQLite file named by the URL gets the suffix as well;
- ``CELERY_KEY_PREFIX``, when the broker is a server (Redis or RabbitMQ): ``gw1:``, so that the
  tasks a worker's test sends reach only the Celery worker that test started (settings.py).

Without -n (or with -n 0) nothing is changed: one process, var/, the names given.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .helpers import ROOT

SERVER_BROKERS = ("redis://", "rediss://", "amqp://", "pyamqp://")
POSTGRES = ("postgres://", "postgresql://", "pgsql://")


def worker_environment(worker: str, environ=os.environ) -> dict[str, str]:
    """The variables that give the xdist worker named ``worker`` (gw0, gw1, ...) its own
    folder, databases and broker keys, derived from this process's environment."""
    var_dir = Path(environ.get("SDR_OPS_VAR_DIR") or ROOT / "var") / "test-workers" / worker
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {"SDR_OPS_VAR_DIR": str(var_dir)}
    database_url = environ.get("DATABASE_URL", "")
    if database_url.startswith(POSTGRES):
        env["DATABASE_URL"] = _suffixed_postgres(database_url, worker)
    elif database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
        path = Path(database_url.removeprefix("sqlite:///"))
        env["DATABASE_URL"] = f"sqlite:///{path.with_name(f'{path.stem}_{worker}{path.suffix}')}"
    if environ.get("CELERY_BROKER_URL", "").startswith(SERVER_BROKERS):
        env["CELERY_KEY_PREFIX"] = f"{environ.get('CELERY_KEY_PREFIX', '')}{worker}:"
    return env


def _suffixed_postgres(url: str, worker: str) -> str:
    """The URL with ``_<worker>`` after the database name; the database made if missing."""
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_{worker}"
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres", query=""))
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))
