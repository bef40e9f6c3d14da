"""Market insights: SDRs record what prospects say; everyone reads the digest."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.domain import insights
from leads.models import Insight, Segment

from .factories import AccountFactory, LeadFactory


def add(org, topic, quote, *, days_ago=0, segment=Segment.MID_MARKET):
    lead = LeadFactory(owner=org.alice, account=AccountFactory(segment=segment))
    insight = insights.record_insight(lead, by=org.alice, topic=topic, quote=quote)
    Insight.objects.filter(pk=insight.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return insight


def test_an_sdr_records_an_insight_from_the_brief(client, org):
    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    client.post(
        reverse("lead-insight", args=[lead.pk]),
        {"topic": "competitor", "quote": "We also talk to Acme CRM."},
    )
    assert Insight.objects.get().quote == "We also talk to Acme CRM."
    response = client.post(
        reverse("lead-insight", args=[lead.pk]), {"topic": "competitor", "quote": ""}, follow=True
    )
    assert "Write down what the prospect said" in response.content.decode()


@pytest.mark.parametrize("persona", ["bob", "mia", "aaron", "stella"])
def test_only_the_leads_sdr_records(client, org, persona):
    lead = LeadFactory(owner=org.alice)
    client.force_login(getattr(org, persona))
    response = client.post(
        reverse("lead-insight", args=[lead.pk]), {"topic": "pricing", "quote": "Too expensive"}
    )
    assert response.status_code == 404
    assert not Insight.objects.exists()


def test_digest_counts_by_topic_and_week_with_trend_and_quotes(
    client, org, django_assert_num_queries
):
    # Two weeks ago one pricing quote, last week two: the trend is up by one, whatever
    # this week brings so far.
    today = timezone.localdate()
    last_week = today.weekday() + 3
    add(org, "pricing", "Too expensive for us", days_ago=last_week + 7)
    add(org, "pricing", "Cheaper than we thought", days_ago=last_week)
    add(org, "pricing", "Per-seat pricing is hard", days_ago=last_week)
    add(org, "feature", "Do you have a Slack integration?", days_ago=0)
    client.force_login(org.stella)
    # 1 session, 2 user with their team, 3 counts by week and topic, 4-9 newest quotes per topic
    with django_assert_num_queries(9):
        html = client.get(reverse("insights")).content.decode()
    pricing = html.split('data-topic="pricing">')[1].split("</tr>")[0]
    assert "<td>3</td>" in pricing and "▲ 1" in pricing
    assert "Per-seat pricing is hard" in html and "Slack integration" in html


def test_digest_filters_by_segment_and_period(client, org):
    add(org, "pricing", "Enterprise quote", segment=Segment.ENTERPRISE)
    add(org, "pricing", "SMB quote", segment=Segment.SMB)
    add(org, "pricing", "Old quote", days_ago=100)
    client.force_login(org.mia)
    html = client.get(reverse("insights"), {"segment": "enterprise"}).content.decode()
    assert "Enterprise quote" in html and "SMB quote" not in html
    assert "Old quote" not in client.get(reverse("insights")).content.decode()
    old_from = (timezone.localdate() - datetime.timedelta(days=120)).isoformat()
    assert "Old quote" in client.get(reverse("insights"), {"from": old_from}).content.decode()


def test_csv_export_escapes_formulas(client, org):
    add(org, "other", '=HYPERLINK("http://evil")')
    client.force_login(org.aaron)
    response = client.get(reverse("insights"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["recorded_at", "topic", "quote", "company", "segment", "sdr"]
    assert rows[1][2].startswith("'=HYPERLINK")


def test_every_role_reads_the_digest(client, org):
    for persona in ("alice", "mia", "aaron", "stella", "root"):
        client.force_login(getattr(org, persona))
        assert client.get(reverse("insights")).status_code == 200


def test_call_mode_records_an_insight_with_the_call(client, org):
    from .test_today import log_call

    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    log_call(client, lead, insight_topic="feature", insight_quote="Needs SSO")
    assert Insight.objects.get(lead=lead).topic == "feature"
    response = log_call(client, lead, insight_topic="feature", insight_quote="")
    assert "needs both a topic" in response.content.decode()


def test_insights_api_sdrs_write_everyone_reads(client, org):
    lead = LeadFactory(owner=org.alice)
    client.force_login(org.alice)
    created = client.post(
        "/api/v1/insights/",
        {"lead": lead.pk, "topic": "pricing", "quote": "Per seat is hard"},
        content_type="application/json",
    )
    assert created.status_code == 201
    client.force_login(org.mia)
    refused = client.post(
        "/api/v1/insights/",
        {"lead": lead.pk, "topic": "pricing", "quote": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 404
    client.force_login(org.stella)
    assert client.get("/api/v1/insights/").json()["results"][0]["quote"] == "Per seat is hard"
