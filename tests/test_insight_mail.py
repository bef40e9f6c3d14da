"""The market-insight digest by e-mail to marketing's stakeholders, weekly, with the quotes,
once per person and week (issue 15)."""

import datetime
import zoneinfo

from django.core import mail as outbox

from leads.models import Insight
from metrics import insight_mail
from metrics.models import MailSent

from .factories import LeadFactory, member

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
MONDAY = datetime.date(2026, 11, 16)


def insight(org, quote, day=1, topic=None):
    return Insight.objects.create(
        lead=LeadFactory(owner=org.alice),
        sdr=org.alice,
        topic=topic or Insight.Topic.values[0],
        quote=quote,
        created_at=datetime.datetime.combine(
            MONDAY + datetime.timedelta(days=day), datetime.time(10), tzinfo=SEOUL
        ),
    )


def test_marketing_stakeholders_get_the_quotes_once(org, settings):
    settings.TIME_ZONE = "Asia/Seoul"
    insight(org, "We lose a day a week to manual reports")
    insight(org, "Last week's news", day=-2)
    member(org.desk, "stakeholder", "sam@example.com")  # a stakeholder, not of marketing
    assert insight_mail.send_weekly(MONDAY, SEOUL) == 1
    [message] = outbox.outbox
    assert message.to == ["stella@example.com"]
    assert message.subject == "Market insights of the week 2026-W47"
    assert "We lose a day a week to manual reports" in message.body
    assert "Last week's news" not in message.body
    assert "manual reports" in message.alternatives[0][0]
    assert insight_mail.send_weekly(MONDAY, SEOUL) == 0
    assert MailSent.objects.get().kind == "digest"


def test_no_insight_no_mail_and_korean_for_korean_readers(org):
    assert insight_mail.send_weekly(MONDAY, SEOUL) == 0
    org.stella.language = "ko"
    org.stella.save()
    insight(org, "예산은 내년에 잡힙니다")
    insight_mail.send_weekly(MONDAY, SEOUL)
    assert outbox.outbox[0].subject == "2026-W47 주의 시장 인사이트"


def test_it_goes_out_on_monday_from_eight(org, settings):
    settings.TIME_ZONE = "Asia/Seoul"
    insight(org, "Too expensive for a team of three")
    sunday_night = datetime.datetime(2026, 11, 22, 23, 0, tzinfo=SEOUL)
    assert insight_mail.send_due(sunday_night) == 0
    assert insight_mail.send_due(datetime.datetime(2026, 11, 23, 7, 59, tzinfo=SEOUL)) == 0
    assert insight_mail.send_due(datetime.datetime(2026, 11, 23, 8, 0, tzinfo=SEOUL)) == 1
