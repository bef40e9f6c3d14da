"""The AE revises and closes opportunities; the amount at creation never changes."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from handoffs import domain
from handoffs.models import Opportunity

from .factories import LeadFactory
from .test_handoffs_domain import qualified


@pytest.fixture
def opportunity(org):
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    handoff = domain.hand_off(lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="x")
    return domain.accept(handoff.pk, by=org.aaron, amount=Decimal("1000"))


def test_revising_keeps_the_amount_at_creation(org, opportunity):
    domain.update_amount(opportunity.pk, by=org.aaron, amount=Decimal("1500"))
    opportunity.refresh_from_db()
    assert (opportunity.amount_at_creation, opportunity.current_amount) == (1000, 1500)


def test_won_records_the_amount_at_close_and_the_lead_is_won(org, opportunity):
    domain.close_won(opportunity.pk, by=org.aaron, amount_at_close=Decimal("900"))
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.amount_at_close) == ("won", 900)
    assert opportunity.amount_at_creation == 1000
    assert opportunity.handoff.lead.stage == "won"
    with pytest.raises(ValidationError, match="closed already"):
        domain.update_amount(opportunity.pk, by=org.aaron, amount=Decimal("5"))


def test_lost_needs_a_reason_and_the_lead_goes_to_nurture(org, opportunity):
    with pytest.raises(ValidationError, match="why the deal was lost"):
        domain.close_lost(opportunity.pk, by=org.aaron, reason="")
    domain.close_lost(opportunity.pk, by=org.aaron, reason="Chose a competitor")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.loss_reason) == ("lost", "Chose a competitor")
    assert opportunity.handoff.lead.stage == "nurture"


def test_only_the_ae_of_the_deal_changes_it(org, opportunity):
    with pytest.raises(PermissionDenied):
        domain.update_amount(opportunity.pk, by=org.ada, amount=Decimal("5"))


def test_the_opportunities_page(client, org, opportunity, django_assert_num_queries):
    client.force_login(org.aaron)
    # 1 session, 2 user with their team, 3 open deals with lead, company, SDR, 4 recently closed
    with django_assert_num_queries(4):
        html = client.get(reverse("opportunities")).content.decode()
    assert f'data-opportunity="{opportunity.pk}"' in html
    client.post(
        reverse("opportunity-update", args=[opportunity.pk, "won"]), {"amount_at_close": "1200"}
    )
    assert Opportunity.objects.get(pk=opportunity.pk).status == "won"
    response = client.post(
        reverse("opportunity-update", args=[opportunity.pk, "lost"]), {"reason": "x"}, follow=True
    )
    assert "closed already" in response.content.decode()
    client.force_login(org.ada)
    assert (
        client.post(
            reverse("opportunity-update", args=[opportunity.pk, "amount"]), {"amount": "1"}
        ).status_code
        == 404
    )
    client.force_login(org.alice)
    assert client.get(reverse("opportunities")).status_code == 404


def test_the_opportunities_api(client, org, opportunity):
    client.force_login(org.aaron)
    url = f"/api/v1/opportunities/{opportunity.pk}/"
    patched = client.patch(url, {"amount": "2000"}, content_type="application/json")
    assert patched.json()["amount"] == "2000.00"
    assert patched.json()["amount_at_creation"] == "1000.00"
    refused = client.post(url + "close/", {"status": "lost"}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()
    won = client.post(
        url + "close/",
        {"status": "won", "amount_at_close": "1800"},
        content_type="application/json",
    )
    assert won.json()["status"] == "won"
    client.force_login(org.ada)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/opportunities/").json()["results"] == []
