"""In-app notifications (AE on a new handoff, SDR on a decision) and the hourly overdue flag."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from handoffs import domain
from handoffs.models import Handoff
from handoffs.tasks import flag_overdue
from sdr_ops import calendar
from sdr_ops.models import Notification

from .factories import LeadFactory
from .test_handoffs_domain import qualified


@pytest.fixture
def handoff(org):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    return domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="x")


def texts(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("text", flat=True))


def test_the_ae_hears_of_a_new_handoff_and_the_sdr_of_the_decision(org, handoff):
    assert texts(org.aaron) == [
        f"New handoff from {org.alice}: {handoff.lead.account.name}, certainty A."
    ]
    domain.reject(handoff.pk, by=org.aaron, reason="no_need")
    assert texts(org.alice) == [f"{org.aaron} rejected your handoff of {handoff.lead}: No need."]


def test_notifications_page_badge_and_mark_read(client, org, handoff):
    client.force_login(org.aaron)
    assert client.get(reverse("notifications-badge")).content == b"1"
    html = client.get(reverse("notifications")).content.decode()
    assert "New handoff from" in html and 'class="unread"' in html
    client.post(reverse("notifications"))
    assert client.get(reverse("notifications-badge")).content == b""
    client.force_login(org.ada)
    assert "New handoff" not in client.get(reverse("notifications")).content.decode()


def test_working_days_skip_the_weekend():
    monday = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)
    assert calendar.subtract_working_days(monday, 2).date() == datetime.date(2026, 11, 26)


def test_overdue_handoffs_are_flagged_once_to_the_ae_and_the_manager(org, handoff):
    Notification.objects.all().delete()
    fresh = qualified(LeadFactory(owner=org.alice, stage="connected"))
    domain.hand_off(fresh, by=org.alice, to_ae=org.ada, certainty="A", comment="x")
    Handoff.objects.filter(pk=handoff.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=5)
    )
    assert flag_overdue.apply().get() == 1
    assert len(texts(org.aaron)) == 1 and "Waiting for a decision" in texts(org.aaron)[0]
    assert len(texts(org.mia)) == 1
    assert texts(org.otto) == []  # another team's manager
    assert flag_overdue.apply().get() == 0  # idempotent
    handoff.refresh_from_db()
    assert handoff.overdue_flagged_at is not None


def test_a_decided_handoff_is_never_flagged(org, handoff):
    domain.accept(handoff.pk, by=org.aaron, amount=Decimal("10"))
    Handoff.objects.filter(pk=handoff.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=9)
    )
    assert flag_overdue.apply().get() == 0


def test_each_reader_sees_a_notification_in_their_language(client, org):
    from handoffs import domain as handoff_domain

    from .test_reviews import make_handoff

    handoff = make_handoff(org)
    handoff_domain.reject(handoff.pk, by=org.aaron, reason="no_need")
    org.alice.language = "ko"
    org.alice.save()
    client.force_login(org.alice)
    html = client.get(reverse("notifications")).content.decode()
    assert f"{org.aaron} 님이 {handoff.lead} 이관을 반려했습니다: 니즈 없음." in html
    org.alice.language = "en"
    org.alice.save()
    html = client.get(reverse("notifications")).content.decode()
    assert f"{org.aaron} rejected your handoff of {handoff.lead}: No need." in html
