"""Outcomes move the lead: not interested goes to nurture (with a date) or is disqualified
(with a reason), a wrong number is corrected on the spot, do not call sets the flag; nothing
is preselected, and each channel takes its own outcomes only, on the server too."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from leads import domain
from leads.forms import LogCallForm, LogTouchForm
from leads.models import Activity, Stage, StageChange
from sdr_ops.models import AuditEvent

from .factories import LeadFactory


def call_page(client, lead) -> str:
    return client.get(reverse("lead-call", args=[lead.pk])).content.decode()


def post_call(client, lead, **extra):
    started = re.search(r'name="started_at" value="([^"]+)"', call_page(client, lead)).group(1)
    data = {"notes": "", "started_at": started, "duration_seconds": "40"}
    for item in ("budget", "approval_process", "need", "timing"):
        data[f"{item}-status"] = "unknown"
    data.update(extra)
    return client.post(reverse("lead-call", args=[lead.pk]), data)


@pytest.fixture
def lead(org):
    return LeadFactory(owner=org.alice, stage=Stage.WORKING, phone="02-555-0100")


def test_no_outcome_is_preselected_in_call_mode(client, org, lead):
    client.force_login(org.alice)
    html = call_page(client, lead)
    select = re.search(r'<select name="outcome".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="(\w*)" selected', select) == [""]
    response = post_call(client, lead)  # no outcome: the form says so, nothing is logged
    assert response.status_code == 200
    assert not Activity.objects.filter(lead=lead).exists()


def test_not_interested_asks_what_next(client, org, lead):
    client.force_login(org.alice)
    response = post_call(client, lead, outcome="not_interested")
    assert response.status_code == 200
    assert "nurture with a date to try again, or disqualify" in response.content.decode()
    assert not Activity.objects.filter(lead=lead).exists()


def test_not_interested_nurtures_until_a_date(client, org, lead):
    client.force_login(org.alice)
    retry = org.alice.local_today() + datetime.timedelta(days=90)
    response = post_call(
        client, lead, outcome="not_interested", next_step="nurture", retry_on=retry.isoformat()
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == Stage.NURTURE
    # The callback rule brings it back on that day, in the morning of the team's zone.
    assert lead.callback_at.astimezone(org.desk.zone).date() == retry
    change = StageChange.objects.get(lead=lead, to_stage=Stage.NURTURE)
    assert (change.from_stage, change.by, change.reason) == ("working", org.alice, f"until {retry}")
    assert AuditEvent.objects.filter(lead_id=lead.pk, action="stage", after="nurture").exists()


@pytest.mark.parametrize("days", [0, -3, 800])
def test_a_nurture_date_must_be_ahead_and_within_two_years(client, org, lead, days):
    client.force_login(org.alice)
    retry = org.alice.local_today() + datetime.timedelta(days=days)
    response = post_call(
        client, lead, outcome="not_interested", next_step="nurture", retry_on=retry.isoformat()
    )
    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.stage == Stage.WORKING


def test_not_interested_disqualifies_with_a_reason(client, org, lead):
    client.force_login(org.alice)
    response = post_call(client, lead, outcome="not_interested", next_step="disqualify")
    assert response.status_code == 200  # no reason: asked for
    response = post_call(
        client,
        lead,
        outcome="not_interested",
        next_step="disqualify",
        disqualify_reason="competitor",
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == Stage.DISQUALIFIED
    assert StageChange.objects.get(lead=lead, to_stage="disqualified").reason == (
        "Chose a competitor"
    )


def test_wrong_number_is_corrected_on_the_spot_and_audited(client, org, lead):
    client.force_login(org.alice)
    response = post_call(client, lead, outcome="wrong_number", new_phone="not a number")
    assert response.status_code == 200
    assert "not a valid phone number" in response.content.decode()
    response = post_call(client, lead, outcome="wrong_number", new_phone="010-2345-6789")
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.phone == "010-2345-6789"
    event = AuditEvent.objects.get(lead_id=lead.pk, action="edited", field="phone")
    assert (event.before, event.after, event.actor) == ("02-555-0100", "010-2345-6789", org.alice)


def test_wrong_number_keeps_the_duplicate_rule(org, lead):
    other = LeadFactory(owner=org.alice, account=lead.account, phone="010-2345-6789")
    with pytest.raises(ValidationError):
        domain.log_activity(
            lead, by=org.alice, type="call", outcome="wrong_number", new_phone=other.phone
        )


def test_do_not_call_sets_the_flag(client, org, lead):
    client.force_login(org.alice)
    assert post_call(client, lead, outcome="do_not_call").status_code == 302
    lead.refresh_from_db()
    assert lead.do_not_call


@pytest.mark.parametrize(
    ("type", "outcome", "ok"),
    [
        ("email", "sent", True),
        ("email", "replied", True),
        ("email", "busy", False),
        ("email", "no_answer", False),
        ("email", "wrong_number", False),
        ("message", "voicemail", False),
        ("meeting", "connected", True),
        ("meeting", "sent", False),
        ("call", "replied", False),
        ("call", "sent", False),
    ],
)
def test_each_channel_takes_its_own_outcomes(org, lead, type, outcome, ok):
    if ok:
        domain.log_activity(lead, by=org.alice, type=type, outcome=outcome)
    else:
        with pytest.raises(ValidationError):
            domain.log_activity(lead, by=org.alice, type=type, outcome=outcome)


def test_the_forms_offer_the_channels_outcomes_only():
    call = dict(LogCallForm().fields["outcome"].choices)
    assert "sent" not in call and "replied" not in call and "busy" in call
    groups = dict(LogTouchForm().fields["outcome"].choices)
    assert [v for v, _ in groups["E-mail"]] == [
        "sent",
        "replied",
        "not_interested",
        "do_not_call",
        "other",
    ]
    form = LogTouchForm({"type": "email", "outcome": "busy"})
    assert not form.is_valid() and "outcome" in form.errors


def test_the_api_refuses_an_outcome_of_another_channel(client, org, lead):
    client.force_login(org.alice)
    url = reverse("api-lead-activities", args=[lead.pk])
    response = client.post(
        url, {"type": "email", "outcome": "busy"}, content_type="application/json"
    )
    assert response.status_code == 400


def test_the_brief_logs_a_not_interested_email_into_nurture(client, org, lead):
    client.force_login(org.alice)
    retry = org.alice.local_today() + datetime.timedelta(days=30)
    response = client.post(
        reverse("lead-log-touch", args=[lead.pk]),
        {
            "type": "email",
            "outcome": "not_interested",
            "next_step": "nurture",
            "retry_on": retry.isoformat(),
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == Stage.NURTURE


def test_a_lead_with_an_ae_cannot_be_nurtured(org, lead):
    lead.stage = Stage.HANDED_OFF
    lead.save()
    with pytest.raises(ValidationError):
        domain.nurture(
            lead, by=org.alice, retry_on=timezone.localdate() + datetime.timedelta(days=5)
        )


def test_the_api_moves_the_lead_as_the_page_does(client, org, lead):
    client.force_login(org.alice)
    url = reverse("api-lead-activities", args=[lead.pk])
    body = {"type": "call", "outcome": "not_interested", "next_step": "disqualify"}
    assert client.post(url, body, content_type="application/json").status_code == 400
    body["disqualify_reason"] = "no_need"
    assert client.post(url, body, content_type="application/json").status_code == 201
    lead.refresh_from_db()
    assert lead.stage == Stage.DISQUALIFIED
