"""The Twilio Voice adapter through the real `twilio` library, with the examples of its
documentation. No request leaves the machine: originating a call goes to a stand-in of the
REST API on the loopback, reached through the library's own HTTP client."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

from leads.models import Activity
from telephony.models import Call, Extension, PhoneSystem
from telephony.providers import twilio_voice

from .factories import LeadFactory

# The example of Twilio's "Validating requests" documentation.
DOC_TOKEN = "12345"
DOC_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
DOC_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_request_validation_with_the_documentations_example():
    system = PhoneSystem(twilio_auth_token=DOC_TOKEN)
    provider = twilio_voice.TwilioProvider(system)
    assert provider.valid_request(DOC_URL, DOC_PARAMS, DOC_SIGNATURE)
    assert not provider.valid_request(DOC_URL, DOC_PARAMS | {"Digits": "1235"}, DOC_SIGNATURE)
    assert not provider.valid_request(DOC_URL, DOC_PARAMS, "")
    assert not twilio_voice.TwilioProvider(PhoneSystem()).valid_request(
        DOC_URL, DOC_PARAMS, DOC_SIGNATURE
    )


def test_twiml_bridges_the_prospect_with_the_caller_id_and_records():
    system = PhoneSystem(twilio_caller_id="+827012345678")
    xml = twilio_voice.TwilioProvider(system).twiml(
        "+821023456789", status_callback="https://sdr.example.kr/cb/"
    )
    assert xml == (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+827012345678" '
        'record="record-from-answer-dual" recordingStatusCallback="https://sdr.example.kr/cb/">'
        "<Number>+821023456789</Number></Dial></Response>"
    )


@pytest.fixture
def twilio_team(org):
    system = PhoneSystem.objects.create(
        team=org.desk,
        provider="twilio",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token=DOC_TOKEN,
        twilio_caller_id="+827012345678",
    )
    Extension.objects.create(user=org.alice, team=org.desk, number="+827011112222")
    return system


def signed_post(client, url, params):
    signature = RequestValidator(DOC_TOKEN).compute_signature(f"http://testserver{url}", params)
    return client.post(url, params, headers={"X-Twilio-Signature": signature})


def test_the_twiml_and_status_callbacks_are_checked_and_logged(client, org, twilio_team):
    lead = LeadFactory(owner=org.alice, phone="010-2345-6789")
    Call.objects.create(
        team=org.desk,
        call_id="CA1",
        direction="outbound",
        remote_number="+821023456789",
        lead=lead,
        sdr=org.alice,
        started_at="2026-12-01T01:00:00Z",
    )
    twiml = reverse("telephony-twilio", args=["enterprise-desk", "twiml"]) + "?to=%2B821023456789"
    assert client.post(twiml, {"CallSid": "CA1"}).status_code == 403
    response = signed_post(client, twiml, {"CallSid": "CA1"})
    assert response.status_code == 200 and b"<Number>+821023456789</Number>" in response.content
    status = reverse("telephony-twilio", args=["enterprise-desk", "status"])
    base = {
        "CallSid": "CA1",
        "Direction": "outbound-api",
        "From": "+827012345678",
        "To": "+827011112222",
    }
    assert signed_post(client, status, base | {"CallStatus": "in-progress"}).status_code == 204
    done = base | {"CallStatus": "completed", "CallDuration": "95"}
    assert signed_post(client, status, done).status_code == 204
    assert signed_post(client, status, done).status_code == 204  # Twilio retries: once
    activity = Activity.objects.get()
    assert (activity.lead, activity.duration_seconds, activity.outcome) == (lead, 95, "other")
    assert client.post(status, done, headers={"X-Twilio-Signature": "forged"}).status_code == 403
    other = reverse("telephony-twilio", args=["growth-desk", "status"])
    assert client.post(other, done).status_code == 404


class FakeTwilio(BaseHTTPRequestHandler):
    """Answers the Calls resource as Twilio's REST API documents it; keeps the request."""

    requests: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        FakeTwilio.requests.append((self.path, parse_qs(body), self.headers.get("Authorization")))
        payload = json.dumps({"sid": "CA" + "f" * 32, "status": "queued"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


class LoopbackClient(TwilioHttpClient):
    """Twilio's own HTTP client, sent to the stand-in instead of api.twilio.com."""

    def __init__(self, port: int):
        super().__init__()
        self.port = port

    def request(self, method, url, *args, **kwargs):
        url = url.replace("https://api.twilio.com", f"http://127.0.0.1:{self.port}")
        return super().request(method, url, *args, **kwargs)


def test_originate_through_the_library(org, twilio_team):
    server = HTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        provider = twilio_voice.TwilioProvider(
            twilio_team, http_client=LoopbackClient(server.server_port)
        )
        dial = provider.dial(
            agent_number="+827011112222",
            to="+821023456789",
            callback_base="https://sdr.example.kr/telephony/twilio/enterprise-desk/",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert dial.originated and dial.call_id == "CA" + "f" * 32
    path, form, auth = FakeTwilio.requests[-1]
    assert path == f"/2010-04-01/Accounts/{twilio_team.twilio_account_sid}/Calls.json"
    assert form["To"] == ["+827011112222"] and form["From"] == ["+827012345678"]
    assert form["Url"] == [
        "https://sdr.example.kr/telephony/twilio/enterprise-desk/twiml/?to=%2B821023456789"
    ]
    assert form["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert auth.startswith("Basic ")
