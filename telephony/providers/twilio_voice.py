"""Twilio Voice with the official library: originate a call that rings the SDR first and then
bridges the prospect (TwiML `<Dial>`), status callbacks translated into call events, and every
request from Twilio checked with its RequestValidator."""

from urllib.parse import urlencode

from twilio.base.exceptions import TwilioException
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.voice_response import VoiceResponse

from ..models import PhoneSystem
from . import Dial, DialError

# Twilio's CallStatus values and the call event each one is.
EVENT_OF_STATUS = {
    "ringing": "ringing",
    "in-progress": "answered",
    "completed": "ended",
    "busy": "ended",
    "no-answer": "ended",
    "failed": "ended",
    "canceled": "ended",
}


class TwilioProvider:
    def __init__(self, system: PhoneSystem, *, http_client=None):
        self.system = system
        self.http_client = http_client

    def client(self) -> Client:
        return Client(
            self.system.twilio_account_sid,
            self.system.twilio_auth_token,
            http_client=self.http_client,
        )

    def dial(self, *, agent_number: str, to: str, callback_base: str) -> Dial:
        """Calls the SDR's line; when they pick up, Twilio fetches the TwiML that dials `to`."""
        if not agent_number:
            raise DialError("no number of the SDR to ring first")
        try:
            call = self.client().calls.create(
                to=agent_number,
                from_=self.system.twilio_caller_id,
                url=f"{callback_base}twiml/?{urlencode({'to': to})}",
                status_callback=f"{callback_base}status/",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                status_callback_method="POST",
            )
        except TwilioException as exc:
            raise DialError(str(exc)) from exc
        return Dial(call_id=call.sid)

    def twiml(self, to: str, *, status_callback: str) -> str:
        """The TwiML that bridges the prospect, with the team's caller id, recorded."""
        response = VoiceResponse()
        dial = response.dial(
            caller_id=self.system.twilio_caller_id or None,
            record="record-from-answer-dual",
            recording_status_callback=status_callback,
        )
        dial.number(to)
        return str(response)

    def valid_request(self, url: str, params: dict, signature: str) -> bool:
        """True when X-Twilio-Signature matches the URL and POST parameters."""
        if not self.system.twilio_auth_token:
            return False
        return RequestValidator(self.system.twilio_auth_token).validate(url, params, signature)


def event_from_callback(params: dict) -> dict | None:
    """A status callback's form parameters as a call event (None for statuses we skip)."""
    kind = EVENT_OF_STATUS.get(params.get("CallStatus", ""))
    if kind is None or not params.get("CallSid"):
        return None
    # Calls we originated ring the SDR first: the "To" is the SDR and the prospect is dialled
    # by the TwiML, so direction is taken from Twilio's own field.
    outbound = params.get("Direction", "").startswith("outbound")
    event = {
        "type": kind,
        "call_id": params["CallSid"],
        "direction": "outbound" if outbound else "inbound",
        "from": params.get("From", ""),
        "to": params.get("To", ""),
    }
    if params.get("CallDuration", "").isdigit():
        event["duration"] = int(params["CallDuration"])
    if params.get("RecordingUrl"):
        event["recording_url"] = params["RecordingUrl"]
    return event
