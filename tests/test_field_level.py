"""Fields nobody may change through the app: a lead's owner and a review for an SDR, the
amount at creation for anyone, a handoff's comment and frozen checklist for the AE."""

import json
from decimal import Decimal

from django.urls import reverse

from handoffs.models import Handoff, Opportunity, Review
from leads.models import Lead

from .authz import build_world


def test_an_sdr_cannot_change_a_leads_owner(client, org):
    world = build_world(org)
    client.force_login(org.alice)
    url = reverse("api-lead", args=[world.lead.pk])
    for method in ("put", "patch"):
        response = getattr(client, method)(
            url, json.dumps({"owner": org.bob.pk}), content_type="application/json"
        )
        assert response.status_code == 405
    # The page's forms carry no owner either: logging a touch with one changes nothing.
    client.post(
        reverse("lead-log-touch", args=[world.lead.pk]),
        {"type": "email", "outcome": "sent", "owner": org.bob.pk},
    )
    assert Lead.objects.get(pk=world.lead.pk).owner == org.alice


def test_the_amount_at_creation_never_changes(client, org):
    world = build_world(org)
    client.force_login(org.aaron)
    url = reverse("api-opportunity", args=[world.opportunity.pk])
    response = client.patch(
        url,
        json.dumps({"amount": "1500000", "amount_at_creation": "1"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    opportunity = Opportunity.objects.get(pk=world.opportunity.pk)
    assert (opportunity.amount, opportunity.amount_at_creation) == (
        Decimal("1500000"),
        Decimal("1000000"),
    )
    client.post(
        reverse("opportunity-update", args=[world.opportunity.pk, "amount"]),
        {"amount": "1700000", "amount_at_creation": "2"},
    )
    assert Opportunity.objects.get(pk=world.opportunity.pk).amount_at_creation == 1000000


def test_an_sdr_cannot_change_a_review(client, org):
    world = build_world(org)
    client.force_login(org.alice)
    url = reverse("api-review", args=[world.review.pk])
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(
            url, json.dumps({"rating": "needs_work"}), content_type="application/json"
        )
        assert response.status_code == 405
    assert client.post(reverse("review-record", args=[world.accepted.pk])).status_code == 404
    client.post(reverse("feedback-read", args=[world.review.pk]), {"rating": "needs_work"})
    review = Review.objects.get(pk=world.review.pk)
    assert (review.rating, review.read_at is not None) == ("exemplary", True)


def test_an_ae_cannot_edit_a_handoffs_comment_or_checklist(client, org):
    world = build_world(org)
    before = Handoff.objects.get(pk=world.pending.pk)
    client.force_login(org.aaron)
    url = reverse("api-handoff", args=[world.pending.pk])
    for method in ("put", "patch"):
        response = getattr(client, method)(
            url,
            json.dumps({"comment": "changed", "checklist": []}),
            content_type="application/json",
        )
        assert response.status_code == 405
    client.post(
        reverse("api-handoff-accept", args=[world.pending.pk]),
        json.dumps({"amount": "900000", "comment": "changed", "checklist": []}),
        content_type="application/json",
    )
    after = Handoff.objects.get(pk=world.pending.pk)
    assert after.status == "accepted"
    assert (after.comment, after.checklist) == (before.comment, before.checklist)
