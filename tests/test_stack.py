"""The stack the compose file starts, as processes on this machine: gunicorn on the
production settings behind a TLS proxy's header, two Celery workers and two beats, on
PostgreSQL and Redis. A journey over HTTP as each role; beat runs the evening build of a team
whose build time is set a minute ahead, once although two beats run; both beats killed and
restarted after a build time passed still build that team-day, once. Needs PostgreSQL and
Redis (CI's second run); the database is one of its own, seeded with the demo."""

import datetime
import os
import subprocess
import sys
import threading
import time
import zoneinfo

import pytest
from django.conf import settings

from . import stack
from .helpers import ROOT, postgres_url

pytestmark = pytest.mark.stack

LEADS = (
    "external_id,first_name,last_name,email,phone,title,company,segment,source,owner_email,"
    "created_at\nSTACK1,Jisoo,Park,jp@stack.test,,CIO,Acme,enterprise,inbound,"
    "seo.yoon@demo.sdr-ops.test,{day}T09:00\n"
)
ACTIVITIES = (
    "lead_external_id,sdr_email,type,outcome,started_at,duration_seconds,notes\n"
    "STACK1,seo.yoon@demo.sdr-ops.test,call,connected,{day}T10:00,300,\n"
)


@pytest.fixture(scope="module")
def server():
    url = postgres_url()
    if url is None or not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("needs PostgreSQL and Redis (CI's second run)")
    return url.rsplit("/", 1)[0]


def demo(server: str, tmp_path) -> tuple[str, dict]:
    name = os.environ.get("DATABASE_URL", "/sdr_ops").rsplit("/", 1)[-1] or "sdr_ops"
    database = stack.fresh_database(server, f"{name}_stack")
    env = stack.production_env(
        database,
        settings.CELERY_BROKER_URL,
        tmp_path / "var",
        CALL_LIST_CHECK_SECONDS="3",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    (tmp_path / "metrics").mkdir()
    stack.manage(env, "migrate", "--noinput", "-v0")  # as the web service does on start
    stack.manage(env, "seed_demo", "-v0")
    return database, env


def set_build_times(db, due: dict[str, datetime.datetime]) -> dict[str, datetime.date]:
    """Gives each named team a build time (in UTC, its zone for the test); every other team
    builds at the last second of its day. Returns the day each named team builds for."""
    db.execute("UPDATE sdr_ops_team SET call_list_build_time = '23:59:59'")
    days = {}
    for slug, at in due.items():
        db.execute(
            "UPDATE sdr_ops_team SET time_zone = 'UTC', call_list_build_time = %s WHERE slug = %s",
            [at.time().replace(microsecond=0), slug],
        )
        day = at.date() + datetime.timedelta(days=1)
        while day.weekday() >= 5:
            day += datetime.timedelta(days=1)
        days[slug] = day
    db.execute("DELETE FROM leads_calllistbuild WHERE day > CURRENT_DATE - 1")
    return days


def builds(db, slug: str, day: datetime.date) -> int:
    return db.execute(
        "SELECT count(*) FROM leads_calllistbuild b JOIN sdr_ops_team t ON t.id = b.team_id "
        "WHERE t.slug = %s AND b.day = %s",
        [slug, day],
    ).fetchone()[0]


def build_runs(workers, slug: str, day: datetime.date) -> int:
    """How many times a worker built the team-day, from the workers' JSON log lines."""
    prefix = f"call lists of {slug} for {day.isoformat()}:"
    return sum(
        1 for w in workers for line in w.json_lines() if line.get("message", "").startswith(prefix)
    )


def digest_runs(workers) -> int:
    """Runs of the praise digest that finished: sent, found it sent, or skipped by the lock."""
    return sum(
        1
        for w in workers
        for line in w.json_lines()
        if line.get("message", "").startswith("praise digest ")
        or line.get("message", "")
        == "handoffs.send_praise_digest is already running elsewhere; skipped"
    )


def journey(port: int, db) -> None:
    """Each role logs in and opens its pages; an AE decides a handoff; a manager uploads
    history. Every answer is 2xx or a redirect, never an error."""
    assert stack.Client(port).get("/healthz/ready")[0] == 200
    for email, pages in {
        "admin@demo.sdr-ops.test": ["/"],
        "seo.yoon@demo.sdr-ops.test": ["/today/", "/leads/"],
        "jae.kim@demo.sdr-ops.test": ["/inbox/", "/opportunities/"],
        "mina.park@demo.sdr-ops.test": ["/dashboards/", "/reviews/", "/dashboards/import/"],
        "ceo.hwang@demo.sdr-ops.test": ["/dashboards/"],
    }.items():
        client = stack.Client(port)
        client.log_in(email)
        for page in pages:
            status, body, _ = client.get(page)
            assert status in (200, 302), (email, page, status)
    ae = stack.Client(port)
    ae.log_in("jae.kim@demo.sdr-ops.test")
    pending = db.execute(
        "SELECT h.id FROM handoffs_handoff h JOIN sdr_ops_user u ON u.id = h.ae_id "
        "WHERE u.email = 'jae.kim@demo.sdr-ops.test' AND h.status = 'pending' ORDER BY h.id"
    ).fetchone()[0]
    status, body, _ = ae.post(f"/inbox/{pending}/accept/", {"amount": "45000000"})
    assert status in (200, 302), body[:500]
    assert db.execute(
        "SELECT status FROM handoffs_handoff WHERE id = %s", [pending]
    ).fetchone() == ("accepted",)


def upload_history(port: int, request_id: str) -> None:
    manager = stack.Client(port)
    manager.log_in("mina.park@demo.sdr-ops.test")
    day = (datetime.date.today() - datetime.timedelta(days=8)).isoformat()
    status, body, headers = manager.post_files(
        "/dashboards/import/",
        {"action": "import"},
        {
            "leads.csv": LEADS.format(day=day).encode(),
            "activities.csv": ACTIVITIES.format(day=day).encode(),
        },
        headers={"X-Request-ID": request_id},
    )
    assert status == 200 and b"The history is imported." in body, body[:2000]
    assert headers["X-Request-ID"] == request_id


def test_the_compose_stack_as_processes(server, tmp_path):
    database, env = demo(server, tmp_path)
    db = stack.pg(database)
    now = datetime.datetime.now(zoneinfo.ZoneInfo("UTC"))
    days = set_build_times(db, {"growth-desk": now + datetime.timedelta(seconds=60)})
    port = stack.free_port()
    web = stack.gunicorn(env, port, tmp_path / "web.log")
    workers = [stack.worker(env, f"w{i}", tmp_path / f"worker{i}.log") for i in (1, 2)]
    beats = [stack.beat(env, tmp_path / f"beat{i}", tmp_path / f"beat{i}.log") for i in (1, 2)]
    try:
        journey(port, db)
        upload_history(port, "stack-upload-1")
        # The upload marked the stored weeks it touched and queued their recomputation; a
        # worker ran that task under the upload's request id (the beat's run every minute may
        # have recomputed them first), and no marked week is left.
        assert stack.wait_for(
            lambda: any(
                line.get("request_id") == "stack-upload-1"
                and line.get("logger") == "celery.app.trace"
                for w in workers
                for line in w.json_lines()
            ),
            120,
        ), [w.log()[-2000:] for w in workers]
        assert stack.wait_for(
            lambda: (
                db.execute(
                    "SELECT count(*) FROM metrics_weeklyrollup WHERE marked_at IS NOT NULL"
                ).fetchone()
                == (0,)
            ),
            120,
        )

        # Beat builds growth-desk's next working day once its build time passes, once.
        assert stack.wait_for(lambda: builds(db, "growth-desk", days["growth-desk"]), 150)
        time.sleep(8)  # more checks by both beats
        assert builds(db, "growth-desk", days["growth-desk"]) == 1
        assert build_runs(workers, "growth-desk", days["growth-desk"]) == 1
        assert builds(db, "enterprise-desk", days["growth-desk"]) == 0

        # Both beats die (SIGKILL); enterprise-desk's build time passes while none runs.
        for b in beats:
            b.kill()
        now = datetime.datetime.now(zoneinfo.ZoneInfo("UTC"))
        days.update(set_build_times(db, {"enterprise-desk": now + datetime.timedelta(seconds=5)}))
        time.sleep(8)
        assert builds(db, "enterprise-desk", days["enterprise-desk"]) == 0
        for b in beats:
            b.start()  # the same schedule files, as a restarted container keeps its volume
        assert stack.wait_for(lambda: builds(db, "enterprise-desk", days["enterprise-desk"]), 90)
        time.sleep(8)
        assert build_runs(workers, "enterprise-desk", days["enterprise-desk"]) == 1
        assert build_runs(workers, "growth-desk", days["growth-desk"]) == 1

        # Two beats send the Monday praise e-mail at the same moment: it goes out once.
        monday = db.execute(
            "SELECT date_trunc('week', max(created_at))::date FROM handoffs_praisepost"
        ).fetchone()[0]
        year, number, _ = monday.isocalendar()
        week = f"{year}-W{number:02d}"
        senders = [
            threading.Thread(
                target=stack.send_task,
                args=(env, "handoffs.send_praise_digest"),
                kwargs={"week": week},
            )
            for _ in range(2)
        ]
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        assert stack.wait_for(lambda: digest_runs(workers) == 2, 120), [
            w.log()[-3000:] for w in workers
        ]
        assert db.execute("SELECT count(*) FROM handoffs_digestsent").fetchone()[0] == 1
        languages = db.execute(
            "SELECT count(DISTINCT coalesce(nullif(language, ''), 'en')) FROM sdr_ops_user "
            "WHERE is_active AND email <> ''"
        ).fetchone()[0]
        subjects = sum(w.log().count("Subject: ") for w in workers)
        assert subjects == languages  # one message per language, each person in blind copy

        # The compose file's health checks of the worker and of beat pass.
        ping = ["-m", "celery", "-A", "sdr_ops", "inspect", "ping", "--timeout", "10"]
        beat_check = ["-m", "sdr_ops.healthcheck", "beat", str(tmp_path / "beat1"), "600"]
        for command in (ping, beat_check):
            done = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, timeout=60)
            assert done.returncode == 0, command
        # web's /metrics adds up the workers' task counts (one folder, as in compose).
        status, body, _ = stack.Client(port).get("/metrics")
        text = body.decode()
        assert status == 200
        assert 'sdr_ops_celery_tasks_total{state="SUCCESS",task="leads.build_call_lists"}' in text
        assert "sdr_ops_celery_task_seconds_bucket" in text
        assert "sdr_ops_outbox_pending 0.0" in text
        assert web.process.poll() is None
        # Every request was answered without a server error.
        assert '" 500 ' not in web.log() and "Traceback" not in web.log(), web.log()[-3000:]
    finally:
        for process in [*beats, *workers, web]:
            process.stop()
        db.close()
