"""A streaming replica (a second PostgreSQL cluster of the test's own, made with
pg_basebackup from the first) serves the dashboards' KPI reads when DATABASE_REPLICA_URL names
it: with the replica's replay paused, the KPI API shows what the replica has, not a change made
on the primary since; once replay resumes it shows the change. Other pages read the primary."""

import json
import os
import shutil
from glob import glob

import pytest

from . import stack

pytestmark = pytest.mark.stack

WEEK_SQL = "SELECT week FROM metrics_weeklyrollup r JOIN sdr_ops_team t ON t.id = r.team_id"


@pytest.fixture
def clusters():
    if os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"):
        pytest.skip("runs once, in CI's PostgreSQL run")
    if not glob("/usr/lib/postgresql/*/bin/pg_basebackup") or not shutil.which("redis-server"):
        pytest.skip("needs the PostgreSQL server binaries and redis-server")
    primary = stack.PostgresCluster()
    replica = None
    try:
        replica = stack.PostgresCluster(replica_of=primary)
        yield primary, replica
    finally:
        if replica is not None:
            replica.remove()
        primary.remove()


def caught_up(primary_db, replica_db) -> bool:
    lsn = primary_db.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    return replica_db.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]


def test_kpi_reads_come_from_the_replica(clusters, tmp_path):
    primary, replica = clusters
    redis = stack.RedisServer(tmp_path)
    database = stack.fresh_database(primary.url, "sdr_ops")
    env = stack.production_env(database, redis.url, tmp_path / "var")
    stack.manage(env, "migrate", "--noinput", "-v0")
    stack.manage(env, "seed_demo", "-v0")
    stack.manage(env, "rollup_kpis", "-v0")
    primary_db = stack.pg(database)
    replica_db = stack.pg(f"{replica.url}/sdr_ops")
    week = primary_db.execute(f"{WEEK_SQL} WHERE t.slug = 'enterprise-desk' LIMIT 1").fetchone()[0]
    assert replica_db.execute("SELECT pg_is_in_recovery()").fetchone()[0]
    assert stack.wait_for(lambda: caught_up(primary_db, replica_db), 30)

    port = stack.free_port()
    web = stack.gunicorn(
        {**env, "DATABASE_REPLICA_URL": f"{replica.url}/sdr_ops"}, port, tmp_path / "web.log"
    )
    try:
        manager = stack.Client(port)
        manager.log_in("mina.park@demo.sdr-ops.test")  # the session is written to the primary
        url = f"/api/v1/kpis/weekly/?team=enterprise-desk&week={week}"
        status, body, _ = manager.get(url)
        assert status == 200, body[:500]
        assert "marker" not in json.loads(body)

        replica_db.execute("SELECT pg_wal_replay_pause()")
        primary_db.execute(
            'UPDATE metrics_weeklyrollup r SET figures = r.figures || \'{"marker": "new"}\' '
            "FROM sdr_ops_team t WHERE t.id = r.team_id AND t.slug = 'enterprise-desk' "
            "AND r.week = %s",
            [week],
        )
        status, body, _ = manager.get(url)
        assert status == 200 and "marker" not in json.loads(body)  # the replica's copy
        assert manager.get("/today/")[0] in (200, 302, 404)  # other pages: the primary
        assert manager.get("/dashboards/")[0] == 200

        replica_db.execute("SELECT pg_wal_replay_resume()")
        assert stack.wait_for(lambda: caught_up(primary_db, replica_db), 30)
        status, body, _ = manager.get(url)
        assert json.loads(body)["marker"] == "new"
    finally:
        web.stop()
        redis.stop()
        primary_db.close()
        replica_db.close()
