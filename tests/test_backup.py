"""Backups: a dump of the demo (pg_dump, custom format) restored into a fresh database
(pg_restore) holds the same rows in every table and gives the same KPIs. The commands are
those of docs/deploy.md."""

import datetime
import json
import os
import shutil
import subprocess

import pytest

from . import stack
from .helpers import ROOT, child_env, postgres_url

pytestmark = pytest.mark.stack


def counts(url: str) -> dict[str, int]:
    with stack.pg(url) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def kpis(url: str, team: str, week: str) -> dict:
    out = subprocess.run(
        [stack.PYTHON, "manage.py", "kpis", "--team", team, "--week", week, "--json"],
        cwd=ROOT,
        env=child_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out)


def test_a_restored_dump_has_the_same_rows_and_kpis(tmp_path):
    if os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"):
        pytest.skip("runs once, in CI's PostgreSQL run")
    server = postgres_url()
    if server is None or shutil.which("pg_dump") is None:
        pytest.skip("needs PostgreSQL and its client tools")
    server = server.rsplit("/", 1)[0]
    name = os.environ.get("DATABASE_URL", "/sdr_ops").rsplit("/", 1)[-1] or "sdr_ops"
    source = stack.fresh_database(server, f"{name}_backup_source")
    target = stack.fresh_database(server, f"{name}_backup_restored")
    env = child_env(DATABASE_URL=source)
    stack.manage(env, "migrate", "--noinput", "-v0")
    stack.manage(env, "seed_demo", "-v0")
    dump = tmp_path / "sdr-ops.dump"
    pg = source.replace("postgres://", "postgresql://")
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", pg], check=True)
    restored = target.replace("postgres://", "postgresql://")
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)],
        check=True,
    )
    assert counts(source) == counts(target)
    assert counts(target)["leads_lead"] > 1000
    year, week, _ = (datetime.date.today() - datetime.timedelta(days=7)).isocalendar()
    label = f"{year}-W{week:02d}"
    for team in ("enterprise-desk", "growth-desk"):
        figures = kpis(source, team, label)
        assert figures == kpis(target, team, label)
        assert figures  # the demo's last week has figures
