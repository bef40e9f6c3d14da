"""Telephony: numbers as Koreans write them, the signed call-events webhook, one activity per
call whatever the order of the phone's `ended` and the SDR's outcome, inbound calls, and
recordings only for those who may read the lead."""

import datetime
import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.forms import SignedMomentField
from leads.models import Activity, Lead, Stage
from telephony import domain, numbers, signatures
from telephony.models import Call, CallEvent, Extension, PhoneSystem

from .factories import LeadFactory
from .helpers import call_start
from .test_today import log_call

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
URL = "/api/v1/telephony/events/?team=enterprise-desk"


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("010-1234-5678", "+821012345678"),
        ("010 1234 5678", "+821012345678"),
        ("+82 10-1234-5678", "+821012345678"),
        ("+82 (0)10 1234 5678", "+821012345678"),
        ("82-10-1234-5678", "+821012345678"),
        ("02-555-1234", "+8225551234"),
        ("(02) 3456-7890", "+82234567890"),
        ("031-123-4567", "+82311234567"),
        ("070-1234-5678", "+827012345678"),
        ("1588-1234", "+8215881234"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_korean_and_international_formats_are_normalised(raw, e164):
    number = numbers.parse(raw)
    assert number.valid and number.e164 == e164 and number.problem == ""
    assert not number.legacy


@pytest.mark.parametrize("raw", ["011-234-5678", "016-9876-5432", "017-345-6789", "019 123 4567"])
def test_legacy_01x_numbers_are_valid_with_a_warning(raw):
    number = numbers.parse(raw)
    assert number.valid and number.legacy
    assert "010" in number.warning


@pytest.mark.parametrize("raw", ["12345", "010-12", "not a number", "+82 99 1", "☎☎☎"])
def test_invalid_numbers_say_so(raw):
    number = numbers.parse(raw)
    assert not number.valid and number.e164 == ""
    assert "not a valid phone number" in number.problem


def test_the_brief_says_when_a_number_is_invalid(client, org):
    lead = LeadFactory(owner=org.alice, phone="010-12")
    client.force_login(org.alice)
    html = client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    assert "010-12 is not a valid phone number." in html
    lead = LeadFactory(owner=org.alice, phone="82-10-2345-6789")
    html = client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
    assert 'href="tel:+821023456789"' in html and "010-2345-6789" in html


# --- signatures ----------------------------------------------------------------------------


def test_signature_of_the_specification_example():
    body = b'{"test": 2432232314}'
    signature = signatures.sign(SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": f"v1,bm9ldmVu {signature}",  # a rotated secret's first
    }
    assert signatures.verify(SECRET, headers, body, now=1614265330 + 10)[0] == headers["webhook-id"]
    with pytest.raises(signatures.InvalidSignature):
        signatures.verify(SECRET, headers, body + b" ", now=1614265330)


@pytest.fixture
def phone(org):
    system = PhoneSystem.objects.create(team=org.desk, webhook_secret=SECRET)
    Extension.objects.create(user=org.alice, team=org.desk, extension="201", number="+827011112222")
    Extension.objects.create(user=org.bob, team=org.desk, extension="202")
    return system


def post_event(client, event: dict, *, msg_id=None, stamp=None, secret=SECRET, signature=None):
    body = json.dumps(event).encode()
    msg_id = msg_id or f"evt_{event['call_id']}_{event['type']}"
    stamp = int(time.time()) if stamp is None else stamp
    signature = signature or signatures.sign(secret, msg_id, stamp, body)
    return client.post(
        URL,
        body,
        content_type="application/json",
        headers={
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature,
        },
    )


def event(kind: str, call_id="pbx-1", direction="outbound", **extra) -> dict:
    base = {
        "type": kind,
        "call_id": call_id,
        "direction": direction,
        "from": "070-1111-2222" if direction == "outbound" else "010-2345-6789",
        "to": "010-2345-6789" if direction == "outbound" else "070-1111-2222",
        "extension": "201",
    }
    return base | extra


def test_a_correctly_signed_event_is_applied(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789")
    response = post_event(client, event("ringing"))
    assert response.status_code == 200, response.content
    assert response.json() == {"call": "pbx-1", "state": "ringing", "duplicate": False}
    call = Call.objects.get()
    assert (call.lead, call.sdr, call.remote_number) == (lead, org.alice, "+821023456789")


def test_a_wrong_signature_is_refused(client, org, phone):
    other_secret = "whsec_" + "QUJD" * 8
    assert post_event(client, event("ringing"), secret=other_secret).status_code == 401
    assert post_event(client, event("ringing"), signature="v1,AAAA").status_code == 401
    assert post_event(client, event("ringing"), signature="v2,whatever").status_code == 401
    response = client.post(URL, b"{}", content_type="application/json")
    assert response.status_code == 401 and "WWW-Authenticate" in response
    wrong_team = client.post(
        "/api/v1/telephony/events/?team=growth-desk", b"{}", content_type="application/json"
    )
    assert wrong_team.status_code == 401
    assert not Call.objects.exists()


def test_a_stale_event_is_refused(client, org, phone):
    six_minutes_ago = int(time.time()) - 6 * 60
    assert post_event(client, event("ringing"), stamp=six_minutes_ago).status_code == 401
    in_the_future = int(time.time()) + 6 * 60
    assert post_event(client, event("ringing"), stamp=in_the_future).status_code == 401
    assert post_event(client, event("ringing"), stamp="yesterday").status_code == 401
    assert not Call.objects.exists()


def test_a_replayed_event_is_applied_once(client, org, phone):
    LeadFactory(owner=org.alice, phone="010-2345-6789")
    ended = event("ended", duration=184)
    assert post_event(client, ended, msg_id="evt_1").json()["duplicate"] is False
    again = post_event(client, ended, msg_id="evt_1")
    assert again.status_code == 200 and again.json() == {"duplicate": True}
    assert CallEvent.objects.count() == 1 and Activity.objects.count() == 1
    # The same id with another body is no retry: refused.
    forged = post_event(client, event("ended", duration=1), msg_id="evt_1")
    assert forged.status_code == 409
    assert Activity.objects.get().duration_seconds == 184


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "hung up"}',
        b'{"type": "ended", "call_id": "x"}',
        json.dumps(event("ended", duration=-5)).encode(),
        json.dumps(event("ended", recording_url="javascript:alert(1)")).encode(),
    ],
)
def test_a_signed_body_that_is_no_event_is_a_bad_request(client, org, phone, body):
    stamp = int(time.time())
    response = client.post(
        URL,
        body,
        content_type="application/json",
        headers={
            "webhook-id": "evt_bad",
            "webhook-timestamp": str(stamp),
            "webhook-signature": signatures.sign(SECRET, "evt_bad", stamp, body),
        },
    )
    assert response.status_code == 400


# --- one activity per call -----------------------------------------------------------------


def test_ended_first_then_the_sdrs_outcome_make_one_activity(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789", stage=Stage.WORKING)
    answered = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=4)
    post_event(
        client, event("ringing", timestamp=(answered - datetime.timedelta(seconds=9)).isoformat())
    )
    post_event(client, event("answered", timestamp=answered.isoformat()))
    post_event(client, event("ended", duration=184, recording_url="https://pbx.example.kr/r/1.mp3"))
    activity = Activity.objects.get()
    assert (activity.outcome, activity.duration_seconds, activity.started_at) == (
        "other",
        184,
        answered,
    )
    # Call mode learns the call's start from the call state and sends it with the outcome.
    client.force_login(org.alice)
    state = client.get(reverse("telephony-call-state", args=[lead.pk])).content.decode()
    # The start call mode's form will carry: the server's record, signed.
    signed = re.search(r'data-activity-start="([^"]+)"', state).group(1)
    assert SignedMomentField().to_python(signed) == answered
    response = log_call(
        client,
        lead,
        started_at=call_start(answered),
        duration_seconds="200",
        notes="Pain: reporting",
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.outcome, activity.duration_seconds, activity.notes) == (
        "connected",
        184,
        "Pain: reporting",
    )
    lead.refresh_from_db()
    assert lead.stage == Stage.CONNECTED
    assert Call.objects.get().activity == activity


def test_the_sdrs_outcome_first_then_ended_make_one_activity_with_the_real_duration(
    client, org, phone
):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789", stage=Stage.WORKING)
    answered = timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=3)
    post_event(client, event("answered", timestamp=answered.isoformat()))
    client.force_login(org.alice)
    log_call(
        client, lead, started_at=call_start(answered), duration_seconds="170", outcome="voicemail"
    )
    assert Activity.objects.get().duration_seconds == 170
    post_event(client, event("ended", duration=163))
    activity = Activity.objects.get()
    assert (activity.outcome, activity.duration_seconds) == ("voicemail", 163)


def test_the_sdrs_log_with_the_pages_own_start_still_merges(client, org, phone):
    """A call mode page without the call state (htmx off) sends the page's own start."""
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789")
    client.force_login(org.alice)
    post_event(client, event("ringing"))
    log_call(client, lead, outcome="no_answer", duration_seconds="30")
    post_event(client, event("ended", duration=0))
    assert Activity.objects.get().outcome == "no_answer"
    assert Activity.objects.get().duration_seconds == 0


def test_an_unanswered_call_is_logged_as_no_answer(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="+82 10 2345 6789")
    post_event(client, event("ringing"))
    post_event(client, event("ended"))
    activity = Activity.objects.get()
    assert (activity.lead, activity.sdr, activity.outcome, activity.duration_seconds) == (
        lead,
        org.alice,
        "no_answer",
        0,
    )


def test_events_out_of_order_never_move_a_call_back(client, org, phone):
    LeadFactory(owner=org.alice, phone="010-2345-6789")
    post_event(client, event("ended", duration=60))
    post_event(client, event("answered"))
    call = Call.objects.get()
    assert call.state == "ended" and Activity.objects.count() == 1


def test_the_extension_finds_the_sdr_and_their_own_lead_first(client, org, phone):
    LeadFactory(owner=org.alice, phone="010-2345-6789")
    bobs = LeadFactory(owner=org.bob, phone="01023456789")
    post_event(client, event("ringing", extension="202", **{"from": "070-9999-0000"}))
    call = Call.objects.get()
    assert (call.sdr, call.lead) == (org.bob, bobs)


def test_a_number_of_another_team_is_not_matched(client, org, phone):
    LeadFactory(owner=org.carol, phone="010-2345-6789")
    post_event(client, event("ringing", direction="inbound"))
    assert Call.objects.get().lead is None


# --- inbound calls -------------------------------------------------------------------------


def test_an_inbound_call_from_a_known_number_offers_the_brief(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789", first_name="Hana")
    post_event(client, event("ringing", direction="inbound"))
    client.force_login(org.alice)
    html = client.get(reverse("telephony-incoming")).content.decode()
    assert "Incoming call: Hana" in html and reverse("lead-brief", args=[lead.pk]) in html
    client.force_login(org.bob)
    assert "Incoming" not in client.get(reverse("telephony-incoming")).content.decode()


def test_an_inbound_call_from_an_unknown_number_offers_a_new_lead(client, org, phone):
    post_event(client, event("ringing", direction="inbound", **{"from": "02-3456-7890"}))
    call = Call.objects.get()
    client.force_login(org.alice)
    html = client.get(reverse("telephony-incoming")).content.decode()
    assert "unknown number: +82234567890" in html
    url = reverse("telephony-lead-from-call", args=[call.pk])
    assert url in html
    response = client.post(url, {"company": "Hanbit", "first_name": "Min", "segment": "smb"})
    lead = Lead.objects.get(account__name="Hanbit")
    assert response.status_code == 302 and response["Location"] == f"/leads/{lead.pk}/"
    assert (lead.owner, lead.phone, lead.source) == (org.alice, "+82234567890", "inbound")
    post_event(client, event("ended", direction="inbound", duration=42, **{"from": "02-3456-7890"}))
    assert Activity.objects.get().lead == lead
    client.force_login(org.bob)
    assert client.get(url).status_code == 404


# --- recordings ----------------------------------------------------------------------------


def test_recordings_are_links_on_the_brief_for_those_who_may_read_the_lead(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789")
    post_event(client, event("ended", duration=5, recording_url="https://pbx.example.kr/r/9.mp3"))
    for persona in (org.alice, org.mia):
        client.force_login(persona)
        html = client.get(reverse("lead-brief", args=[lead.pk])).content.decode()
        assert 'src="https://pbx.example.kr/r/9.mp3"' in html
    for persona in (org.bob, org.otto, org.ada):
        client.force_login(persona)
        assert client.get(reverse("lead-brief", args=[lead.pk])).status_code == 404


# --- dialling ------------------------------------------------------------------------------


def test_dialling_without_a_provider_follows_the_tel_link(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789")
    client.force_login(org.alice)
    response = client.post(reverse("telephony-dial", args=[lead.pk]))
    assert response.status_code == 302 and response["Location"] == "tel:+821023456789"
    phone.link_scheme, phone.sip_domain = "sip", "pbx.example.kr"
    phone.save()
    response = client.post(reverse("telephony-dial", args=[lead.pk]))
    assert response["Location"] == "sip:%2B821023456789@pbx.example.kr"


def test_dialling_an_invalid_number_says_so(client, org, phone):
    lead = LeadFactory(owner=org.alice, phone="12")
    client.force_login(org.alice)
    response = client.post(reverse("telephony-dial", args=[lead.pk]), follow=True)
    assert "Could not dial: 12 is not a valid phone number." in response.content.decode()


def test_the_number_index_reads_only_new_or_changed_numbers(org, phone):
    LeadFactory.create_batch(3, owner=org.alice, phone="010-2345-6789")
    leads = domain.team_leads(org.desk)
    assert domain.index_numbers(leads) == 3
    assert domain.index_numbers(leads) == 0
    Lead.objects.filter(pk=Lead.objects.first().pk).update(phone="02-555-1234")
    assert domain.index_numbers(leads) == 1


def test_a_team_that_is_no_slug_is_refused_before_the_database(client, db):
    """A NUL byte in the query string reached PostgreSQL and answered 500 (found by the fuzz)."""
    for team in ["d\x00b", "../x", "", "é"]:
        response = client.post(
            "/api/v1/telephony/events/?team=" + team, "{}", content_type="application/json"
        )
        # A NUL byte is refused for every route before any view (sdr_ops.middleware).
        assert response.status_code == (400 if "\x00" in team else 401)
