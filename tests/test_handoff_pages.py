"""The handoff form, the AE's inbox with its decisions, and the capacity board."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from handoffs import domain
from handoffs.models import Capacity, Handoff, Opportunity

from .factories import LeadFactory
from .test_handoffs_domain import load, qualified


@pytest.fixture
def lead(org):
    return qualified(LeadFactory(owner=org.alice, stage="connected"))


def test_the_owner_sees_the_form_with_the_aes_and_a_suggestion(client, org, lead):
    Capacity.objects.create(ae=org.ada, normal=0)
    client.force_login(org.alice)
    assert b"Hand off to an AE" in client.get(reverse("lead-brief", args=[lead.pk])).content
    html = client.get(reverse("handoff-new", args=[lead.pk])).content.decode()
    assert "Aaron" in html and "Ada" in html
    assert re.search(rf'value="{org.aaron.pk}" checked', html)  # the one with room
    assert re.search(rf'value="{org.ada.pk}"[^>]*disabled', html)  # full


def test_the_certainty_refreshes_the_ae_choices_by_htmx(client, org, lead):
    load(org.aaron, 8, org)
    client.force_login(org.alice)
    url = reverse("handoff-new", args=[lead.pk])
    fragment = client.get(url, {"certainty": "C"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.lstrip().startswith('<fieldset id="ae-choices"')
    assert re.search(rf'value="{org.aaron.pk}"[^>]*disabled', html)  # takes A only now
    html = client.get(url, {"certainty": "A"}, headers={"HX-Request": "true"}).content.decode()
    assert not re.search(rf'value="{org.aaron.pk}"[^>]*disabled', html)


def test_posting_hands_off_and_errors_say_what_to_fix(client, org, lead):
    client.force_login(org.alice)
    url = reverse("handoff-new", args=[lead.pk])
    response = client.post(url, {"certainty": "A", "to_ae": org.aaron.pk, "comment": ""})
    assert "This field is required" in response.content.decode()
    response = client.post(
        url, {"certainty": "A", "to_ae": org.aaron.pk, "comment": "Merger doubles their volume"}
    )
    assert response.url == reverse("lead-brief", args=[lead.pk])
    assert Handoff.objects.get(lead=lead).comment == "Merger doubles their volume"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("bob", 404), ("carol", 404), ("aaron", 404), ("stella", 404), ("mia", 200), ("otto", 404)],
)
def test_who_may_open_the_handoff_form(client, org, lead, persona, status):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("handoff-new", args=[lead.pk])).status_code == status


def make_pending(org, n):
    handoffs = []
    for _ in range(n):
        lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
        handoffs.append(
            domain.hand_off(
                lead, by=org.alice, to_ae=org.aaron, certainty="A", comment="Why this matters"
            )
        )
    return handoffs


@pytest.mark.parametrize("rows", [3, 30])
def test_inbox_queries_do_not_grow_with_handoffs(client, org, rows, django_assert_num_queries):
    Capacity.objects.create(ae=org.aaron, normal=100)
    make_pending(org, rows)
    client.force_login(org.aaron)
    # 1 session, 2 user with their team, 3 pending handoffs with lead, company and SDR
    with django_assert_num_queries(3):
        html = client.get(reverse("ae-inbox")).content.decode()
    assert html.count('class="card handoff-card"') == rows
    assert "Why this matters" in html and "budget confirmed" in html


def test_the_inbox_is_oldest_first_and_only_ones_own(client, org):
    first, second = make_pending(org, 2)
    client.force_login(org.aaron)
    html = client.get(reverse("ae-inbox")).content.decode()
    assert html.index(f"handoff-{first.pk}") < html.index(f"handoff-{second.pk}")
    client.force_login(org.ada)
    assert f"handoff-{first.pk}" not in client.get(reverse("ae-inbox")).content.decode()


def test_accept_and_reject_from_the_inbox(client, org):
    first, second = make_pending(org, 2)
    client.force_login(org.aaron)
    response = client.post(
        reverse("handoff-decide", args=[first.pk, "accept"]),
        {"amount": "45000000"},
        headers={"HX-Request": "true"},
    )
    assert "Accepted" in response.content.decode()
    assert Opportunity.objects.get(handoff=first).amount_at_creation == Decimal("45000000")
    client.post(
        reverse("handoff-decide", args=[second.pk, "reject"]),
        {"reason": "bad_timing", "comment": ""},
    )
    second.refresh_from_db()
    assert second.rejection_reason == "bad_timing"
    client.force_login(org.alice)
    brief = client.get(reverse("lead-brief", args=[second.lead_id])).content.decode()
    assert "Bad timing" in brief


def test_deciding_twice_says_already_decided(client, org):
    (handoff,) = make_pending(org, 1)
    client.force_login(org.aaron)
    client.post(reverse("handoff-decide", args=[handoff.pk, "accept"]), {"amount": "10"})
    response = client.post(
        reverse("handoff-decide", args=[handoff.pk, "reject"]), {"reason": "no_need"}, follow=True
    )
    assert "Already decided" in response.content.decode()
    handoff.refresh_from_db()
    assert handoff.status == "accepted"


def test_reject_without_a_reason_is_refused(client, org):
    (handoff,) = make_pending(org, 1)
    client.force_login(org.aaron)
    response = client.post(
        reverse("handoff-decide", args=[handoff.pk, "reject"]),
        {"reason": "other", "comment": ""},
        follow=True,
    )
    assert "Say what was missing" in response.content.decode()
    handoff.refresh_from_db()
    assert handoff.status == "pending"


def test_another_ae_cannot_decide(client, org):
    (handoff,) = make_pending(org, 1)
    client.force_login(org.ada)
    response = client.post(reverse("handoff-decide", args=[handoff.pk, "accept"]), {"amount": "10"})
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["alice", "stella"])
def test_inbox_and_capacity_are_out_of_reach_for_others(client, org, persona):
    client.force_login(getattr(org, persona))
    assert client.get(reverse("ae-inbox")).status_code == 404
    assert client.get(reverse("capacity")).status_code == 404


def test_capacity_board_shows_load_and_what_each_ae_takes(client, org, django_assert_num_queries):
    Capacity.objects.create(ae=org.ada, normal=4)
    load(org.ada, 4, org)
    load(org.aaron, 6, org)
    client.force_login(org.mia)
    # 1 session, 2 user with their team, 3 every AE with capacity, load and last handoff,
    # 4 the AEs' working hours for first meetings (none: their week cannot be full), 5 the
    # load at each of the last 8 week ends, 6 the dated reductions
    with django_assert_num_queries(6):
        html = client.get(reverse("capacity")).content.decode()
    ada = re.search(rf'data-ae="{org.ada.pk}".*?</tr>', html, re.S).group(0)
    aaron = re.search(rf'data-ae="{org.aaron.pk}".*?</tr>', html, re.S).group(0)
    assert "100 %" in ada and "full" in ada
    assert "60 %" in aaron and "A / B" in aaron
    assert "Right now the sales team takes handoffs of certainty A / B." in html


def test_a_picked_ae_stays_picked_when_the_certainty_changes(client, org, lead):
    client.force_login(org.alice)
    html = client.get(
        reverse("handoff-new", args=[lead.pk]),
        {"certainty": "A", "to_ae": org.ada.pk},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert re.search(rf'value="{org.ada.pk}" checked', html)
