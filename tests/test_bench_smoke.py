"""Every benchmark under bench/ runs as shipped, at a tiny scale, so that a schema change
cannot break one silently. Nothing here asserts a time: each script must only finish and
exit 0 (its own checks, such as "same rows", still apply).

The benchmarks are written for PostgreSQL; on SQLite these tests are skipped. They run in a
database of their own, made and dropped here, since each benchmark empties the app's tables.
"""

import os
import subprocess
import sys

import pytest

from .helpers import ROOT, child_env, postgres_url

SCRIPTS = {
    "call lists": ["bench/call_lists.py", "--sdrs", "4", "--leads", "400"],
    "kpis": ["bench/kpis.py", "--leads", "1000", "--handoffs", "100"],
    "cadences": [
        "bench/cadences.py",
        "--sdrs",
        "4",
        "--leads",
        "400",
        "--enrollments",
        "100",
    ],
    "history import": ["bench/import_history.py", "--leads", "200"],
    "certainty": ["bench/certainty.py", "--handoffs", "400", "--open-leads", "100"],
    "load mix": [
        "bench/load/run.py",
        "--seconds",
        "6",
        "--users",
        "3",
        "--workers",
        "1",
        "--max-ratio",
        "0",
    ],
    "pages": ["bench/load/pages.py", "--smoke"],
    "pages in-process": ["bench/load/cpu.py", "--smoke"],
    "two nodes": [
        "bench/load/two_nodes.py",
        "--seconds",
        "3",
        "--users",
        "2",
        "--workers",
        "1",
    ],
    "cadence mail": ["bench/cadence_mail.py", "--mailboxes", "2", "--enrollments", "20"],
}


def test_every_benchmark_is_smoked():
    """A script under bench/ that runs as a program is listed above (as the authorization
    matrix fails on an unlisted route)."""
    runnable = {
        str(path.relative_to(ROOT))
        for path in (ROOT / "bench").rglob("*.py")
        if '__name__ == "__main__"' in path.read_text()
    }
    assert runnable == {args[0] for args in SCRIPTS.values()}


@pytest.fixture(scope="module")
def bench_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        pytest.skip("the benchmarks run on PostgreSQL only")
    name = url.rsplit("/", 1)[1].split("?")[0] + "_bench_smoke"
    server = postgres_url()
    if server is None:
        pytest.skip("no PostgreSQL server answers")
    import psycopg

    with psycopg.connect(server.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(server.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_runs_as_shipped(bench_database, name):
    script, *args = SCRIPTS[name]
    result = subprocess.run(
        [sys.executable, script, *args],
        cwd=ROOT,
        env=child_env(DATABASE_URL=bench_database, DJANGO_SETTINGS_MODULE=None),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
