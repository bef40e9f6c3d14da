"""The AE's side: amounts as typed (thousands separators, no decimals in KRW), the amount at
creation corrected (the AE within 24 hours, then a manager with a reason; the drift KPI uses
the corrected figure), opportunities with a plan sorted by close date, and a handoff form that
explains every dead end."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from handoffs import domain, valve
from handoffs.models import Capacity, CapacityReduction, Opportunity
from metrics import kpis
from sdr_ops import calendar
from sdr_ops.amounts import parse_amount
from sdr_ops.models import AuditEvent, Team

from .test_reviews import make_handoff


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1,200,000", Decimal("1200000")),
        ("1200000", Decimal("1200000")),
        (" 1,200,000 ", Decimal("1200000")),
        ("₩1,200,000", Decimal("1200000")),
        ("1,200,000원", Decimal("1200000")),
        ("1,200,000.00", Decimal("1200000")),
        (1200000, Decimal("1200000")),
    ],
)
def test_amounts_are_read_as_typed(typed, amount):
    assert parse_amount(typed, currency="KRW") == amount


@pytest.mark.parametrize(
    "typed",
    ["1,200,000.5", "12,00,000", "1.200.000", "", "abc", "0", "-5", "1e6", "9" * 16, "NaN"],
)
def test_amounts_that_are_refused_in_krw(typed):
    with pytest.raises(ValidationError):
        parse_amount(typed, currency="KRW")


def test_cents_where_the_currency_has_them():
    assert parse_amount("1,200.50", currency="USD") == Decimal("1200.50")
    with pytest.raises(ValidationError):
        parse_amount("1,200.505", currency="USD")


def test_the_inbox_accepts_an_amount_with_separators(client, org):
    handoff = make_handoff(org)
    client.force_login(org.aaron)
    url = reverse("handoff-decide", args=[handoff.pk, "accept"])
    response = client.post(url, {"amount": "1,200,000.5"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "no decimals" in response.content.decode()
    client.post(url, {"amount": "1,200,000"})
    assert Opportunity.objects.get(handoff=handoff).amount_at_creation == Decimal("1200000")


def test_the_api_reads_amounts_as_the_forms_do(client, org):
    handoff = make_handoff(org)
    client.force_login(org.aaron)
    url = reverse("api-handoff-accept", args=[handoff.pk])
    bad = client.post(url, {"amount": 12.5}, content_type="application/json")
    assert bad.status_code == 400
    good = client.post(url, {"amount": "3,000,000"}, content_type="application/json")
    assert good.status_code == 201
    assert good.json()["amount_at_creation"] in (3000000, "3000000.00", 3000000.0)


@pytest.fixture
def opportunity(org):
    handoff = make_handoff(org)
    return domain.accept(handoff.pk, by=org.aaron, amount=Decimal("1000000"))


def test_the_ae_corrects_within_24_hours(client, org, opportunity):
    client.force_login(org.aaron)
    url = reverse("opportunity-correct", args=[opportunity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"amount": "10,000,000"})
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.amount_at_creation == Decimal("10000000")
    event = AuditEvent.objects.get(action="amount_corrected")
    assert (event.before, event.after, event.actor) == ("1000000", "10000000", org.aaron)


def test_after_24_hours_the_ae_is_refused_and_a_manager_needs_a_reason(org, opportunity):
    Opportunity.objects.filter(pk=opportunity.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    with pytest.raises(ValidationError):
        domain.correct_amount(opportunity.pk, by=org.aaron, amount=Decimal("10000000"))
    with pytest.raises(ValidationError):
        domain.correct_amount(opportunity.pk, by=org.mia, amount=Decimal("10000000"))
    domain.correct_amount(
        opportunity.pk, by=org.mia, amount=Decimal("10000000"), reason="A zero was missing"
    )
    opportunity.refresh_from_db()
    assert opportunity.amount_at_creation == Decimal("10000000")
    event = AuditEvent.objects.get(action="amount_corrected")
    assert (event.actor, event.after) == (org.mia, "10000000 (A zero was missing)")


@pytest.mark.parametrize("persona", ["ada", "otto", "alice"])
def test_nobody_else_corrects(client, org, opportunity, persona):
    with pytest.raises(PermissionDenied):
        domain.correct_amount(opportunity.pk, by=getattr(org, persona), amount=Decimal("5"))
    client.force_login(getattr(org, persona))
    url = reverse("opportunity-correct", args=[opportunity.pk])
    assert client.post(url, {"amount": "5", "reason": "x"}).status_code == 404


def test_the_drift_kpi_uses_the_corrected_amount(org, opportunity):
    domain.correct_amount(opportunity.pk, by=org.aaron, amount=Decimal("10000000"))
    domain.close_won(opportunity.pk, by=org.aaron, amount_at_close=Decimal("11000000"))
    today = timezone.localtime(timezone.now(), org.desk.zone).date()
    week = kpis.Week.parse(org.desk, calendar.week_label(calendar.monday_of(today)))
    figures = kpis.amounts(week)
    assert (figures["amount_at_creation_won"], figures["amount_drift"]) == (10000000, 1000000)


def test_opportunities_carry_a_plan_and_sort_by_close_date(client, org):
    later, sooner, undated = (
        domain.accept(make_handoff(org).pk, by=org.aaron, amount=Decimal("100")) for _ in "abc"
    )
    client.force_login(org.aaron)
    for opp, day in ((later, "2027-03-01"), (sooner, "2027-01-15")):
        response = client.post(
            reverse("opportunity-update", args=[opp.pk, "plan"]),
            {"stage": "proposal", "expected_close": day, "next_step": "Send the quote"},
        )
        assert response.status_code == 302
    sooner.refresh_from_db()
    assert (sooner.stage, str(sooner.expected_close), sooner.next_step) == (
        "proposal",
        "2027-01-15",
        "Send the quote",
    )
    assert AuditEvent.objects.filter(subject="opportunity", action="edited").count() == 6
    html = client.get(reverse("opportunities")).content.decode()
    order = [html.index(f'data-opportunity="{o.pk}"') for o in (sooner, later, undated)]
    assert order == sorted(order)
    bad = client.post(
        reverse("opportunity-update", args=[later.pk, "plan"]),
        {"stage": "closing", "expected_close": "9999-12-31"},
    )
    assert bad.status_code == 302
    later.refresh_from_db()
    assert later.stage == "proposal"


@pytest.mark.parametrize("rows", [2, 12])
def test_the_opportunity_list_queries_do_not_grow(client, org, rows, django_assert_num_queries):
    Capacity.objects.create(ae=org.aaron, normal=50)
    for _ in range(rows):
        domain.accept(make_handoff(org).pk, by=org.aaron, amount=Decimal("100"))
    client.force_login(org.aaron)
    # 1 session, 2 user with team, 3 open deals with lead, company and SDR, 4 closed ones
    with django_assert_num_queries(4):
        client.get(reverse("opportunities"))


# -- the handoff form's dead ends ---------------------------------------------------------


def test_a_certainty_below_what_every_ae_takes_says_what_opens_it(org):
    team = Team()
    states = valve.ae_states(timezone.localdate(), team)
    for state in states:
        state.allowed = ("A",)
    message = valve.dead_end(states, "C", "mid_market", team)
    assert "No AE takes certainty C now" in message and "A only" in message
    assert f"below {round(float(team.valve_a_or_b_at) * 100)}%" in message
    assert valve.dead_end(states, "A", "mid_market", team) == ""


def test_no_ae_of_the_segment_with_room_is_said(org):
    Capacity.objects.create(ae=org.aaron, normal=0, segment="enterprise")
    Capacity.objects.create(ae=org.ada, normal=5, segment="smb")
    team = Team()
    states = valve.ae_states(timezone.localdate(), team)
    assert "No AE of the Enterprise segment has room" in valve.dead_end(
        states, "A", "enterprise", team
    )
    assert "No AE covers" in valve.dead_end(states, "A", "mid_market", team)


def test_a_reduced_capacity_reads_as_such_on_the_handoff_form(client, org):
    from .factories import LeadFactory
    from .test_reviews import qualified

    until = timezone.localdate() + datetime.timedelta(days=3)
    CapacityReduction.objects.create(
        ae=org.aaron, capacity=0, start_date=timezone.localdate(), end_date=until, reason="Leave"
    )
    lead = qualified(LeadFactory(owner=org.alice, stage="connected"))
    client.force_login(org.alice)
    html = client.get(reverse("handoff-new", args=[lead.pk])).content.decode()
    assert "capacity 0 (reduced until" in html
    assert "0 of 0, room for 0" not in html
