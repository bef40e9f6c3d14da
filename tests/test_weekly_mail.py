"""The Monday e-mail: the week's figures to each manager of the team and each stakeholder, in
their language, once per person and week (issue 15, "Alerts and the Monday e-mail")."""

import datetime
import zoneinfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as outbox

from metrics import kpis, mail
from metrics.models import MailSent
from metrics.tasks import send_weekly_mail

from .helpers import Worker, run_database_url
from .meetings_servers import Inbox, free_port
from .test_kpis import handoff

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
# Monday 2026-11-23 in Seoul: the figures of 2026-W47 go out from 08:00.
MONDAY_0800 = datetime.datetime(2026, 11, 23, 8, 0, tzinfo=SEOUL)


@pytest.fixture
def week(org):
    return kpis.Week.parse(org.desk, "2026-W47")


def desk_mail(messages):
    return [m for m in messages if "Enterprise Desk" in m.subject or "Enterprise Desk" in m.body]


def test_managers_and_stakeholders_get_the_figures_once(org, week, settings):
    settings.SITE_URL = "https://sdr-ops.example.com"
    for status in ("accepted", "accepted", "rejected", "pending"):
        handoff(org, week, status)
    assert mail.send_weekly(org.desk, week) == 2
    assert sorted(m.to[0] for m in outbox.outbox) == ["mia@example.com", "stella@example.com"]
    message = outbox.outbox[0]
    assert message.subject == "Enterprise Desk: the figures of 2026-W47"
    assert "66.7 %" in message.body and "below the band" in message.body
    assert "2 accepted, 1 rejected, 1 pending" in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert (
        'href="https://sdr-ops.example.com/dashboards/rows/handoffs/?team=enterprise-desk'
        "&amp;week=2026-W47&amp;part=accepted" in html
    )
    # A retry, a second beat: nothing more.
    assert mail.send_weekly(org.desk, week) == 0
    assert len(outbox.outbox) == 2
    assert MailSent.objects.filter(sent_at__isnull=False).count() == 2


def test_each_reads_it_in_their_language(org, week):
    org.stella.language = "ko"
    org.stella.save()
    handoff(org, week, "accepted")
    mail.send_weekly(org.desk, week)
    korean = next(m for m in outbox.outbox if m.to == ["stella@example.com"])
    english = next(m for m in outbox.outbox if m.to == ["mia@example.com"])
    assert korean.subject == "Enterprise Desk: 2026-W47 주간 지표"
    assert "이관" in korean.body and "수락" in korean.alternatives[0][0]
    assert english.subject == "Enterprise Desk: the figures of 2026-W47"


def test_another_teams_manager_gets_only_their_team(org, week):
    mail.send_weekly(org.growth, week)
    assert sorted(m.to[0] for m in outbox.outbox) == ["otto@example.com", "stella@example.com"]


def test_it_is_due_on_monday_from_the_teams_time(org):
    before = MONDAY_0800 - datetime.timedelta(minutes=1)
    assert not mail.is_due(org.desk, before)
    assert mail.is_due(org.desk, MONDAY_0800)
    assert not mail.is_due(org.desk, MONDAY_0800 + datetime.timedelta(days=1))
    org.desk.weekly_mail_time = datetime.time(9, 30)
    assert not mail.is_due(org.desk, MONDAY_0800 + datetime.timedelta(minutes=89))
    assert mail.is_due(org.desk, MONDAY_0800 + datetime.timedelta(minutes=90))
    assert mail.send_due(before) == 0
    # At 08:00 both SDR teams are due: mia, otto and stella (once per team) for 2026-W47.
    assert mail.send_due(MONDAY_0800) == 4
    assert set(MailSent.objects.values_list("week", flat=True)) == {"2026-W47"}
    assert mail.send_due(MONDAY_0800 + datetime.timedelta(hours=1)) == 0


def test_a_failed_send_gives_its_claim_back(org, week, settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with pytest.raises(OSError):
        mail.send_weekly(org.desk, week)
    assert MailSent.objects.count() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_once_per_person_per_week_through_a_real_worker_and_smtp(org, week, tmp_path):
    handoff(org, week, "accepted")
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    worker = Worker(
        tmp_path / "worker.log",
        DATABASE_URL=run_database_url(),
        EMAIL_URL=f"smtp://127.0.0.1:{server.port}",
        SITE_URL="https://sdr-ops.example.com",
    )
    try:
        first = send_weekly_mail.delay(now=MONDAY_0800.isoformat())
        assert first.get(timeout=90) == 4
        again = send_weekly_mail.delay(
            now=(MONDAY_0800 + datetime.timedelta(minutes=15)).isoformat()
        )
        assert again.get(timeout=90) == 0
    finally:
        worker.stop()
        server.stop()
    received = sorted(m["X-Envelope-To"] for m in inbox.messages)
    assert received == sorted(
        ["mia@example.com", "otto@example.com", "stella@example.com", "stella@example.com"]
    )
    desk = [m for m in inbox.messages if m["Subject"].startswith("Enterprise Desk")]
    html = desk[0].get_body(("html",)).get_content()
    assert "https://sdr-ops.example.com/dashboards/rows/" in html
