"""Writes of telephony: call events applied once each, the call logged as ONE activity with
the phone system's real duration, dialling out, and a lead made from an unknown caller.

How a call becomes one activity: the activity of a call is the lead's call activity by the SDR
starting at `Call.activity_start`. Call mode sends that start with the outcome (its panel
learns it from the call), and `leads.domain.log_activity` merges a second log of the same
touch into the first. So whichever comes first, the SDR's outcome or the `ended` event, the
other lands in the same activity: `ended` first logs it with the phone's outcome (answered:
"other", else "no answer") and real duration, and the SDR's outcome then replaces that outcome;
the SDR first logs it with the page timer's duration, and `ended` then sets the real one.
"""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from leads import domain as lead_domain
from leads.models import Account, Activity, Lead, Segment, Source
from sdr_ops.models import StaffingRecord, Team, User

from . import numbers
from .models import Call, CallEvent, Extension, LeadNumber, PhoneSystem
from .providers import Dial, for_system

KINDS = ("ringing", "answered", "ended")
ORDER = {Call.State.RINGING: 0, Call.State.ANSWERED: 1, Call.State.ENDED: 2}
# An SDR's log of a call counts as that call's if it started this close before the call.
MATCH_WINDOW = datetime.timedelta(minutes=5)


class Duplicate(Exception):
    """This event id was applied before (a retry): nothing is done again."""


class Conflict(Exception):
    """This event id was applied before with another body: refused."""


def system_for(team: Team) -> PhoneSystem:
    system, _created = PhoneSystem.objects.get_or_create(team=team)
    return system


def team_leads(team: Team) -> QuerySet[Lead]:
    """Leads owned by anyone staffed on the team today."""
    staff = StaffingRecord.objects.active_on(timezone.localdate()).filter(team=team)
    return Lead.objects.filter(owner__in=staff.values("person_id"))


def index_numbers(leads: QuerySet[Lead], region: str = "KR") -> int:
    """Brings the E.164 index up to date for the leads whose number is new or changed; only
    those are read, so after the first run it touches a handful of rows."""
    stale = list(
        leads.exclude(phone="")
        .filter(Q(telephony_number__isnull=True) | ~Q(telephony_number__raw=F("phone")))
        .values_list("pk", "phone")
    )
    rows = [LeadNumber(lead_id=pk, raw=raw, e164=numbers.e164(raw, region)) for pk, raw in stale]
    LeadNumber.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["lead"], update_fields=["raw", "e164"]
    )
    return len(rows)


def find_lead(team: Team, e164: str, sdr: User | None = None) -> Lead | None:
    """The team's lead with this number, the SDR's own first, then the most recent."""
    if not e164:
        return None
    system = system_for(team)
    leads = team_leads(team)
    index_numbers(leads, system.default_region)
    matches = leads.filter(
        pk__in=LeadNumber.objects.filter(e164=e164).values("lead_id")
    ).select_related("account", "owner")
    if sdr is not None:
        own = matches.filter(owner=sdr).order_by("-created_at").first()
        if own:
            return own
    return matches.order_by("-created_at").first()


def find_sdr(team: Team, *, extension: str = "", number: str = "") -> User | None:
    found = Extension.objects.filter(team=team).select_related("user")
    if extension:
        match = found.filter(extension=extension).first()
        if match:
            return match.user
    if number:
        match = found.filter(number=number).first()
        if match:
            return match.user
    return None


def _moment(value: str | None) -> datetime.datetime:
    if value:
        try:
            moment = datetime.datetime.fromisoformat(value)
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return moment.replace(microsecond=0)
        except ValueError:
            pass
    return timezone.now().replace(microsecond=0)


@transaction.atomic
def record_event(team: Team, *, event_id: str, body: bytes, event: dict) -> Call:
    """Applies one call event (validated: type, call_id, direction, from, to, optional
    extension, timestamp, duration, recording_url) exactly once per event id.

    Raises Duplicate when the id was applied before with the same body, Conflict when with
    another. Side effects: the call is created or moves on (never back: events may arrive out
    of order); the number finds the lead and the extension the SDR; `ended` logs the call as
    the lead's activity with the real duration (see the module's docstring).
    """
    digest = hashlib.sha256(body).hexdigest()
    previous = CallEvent.objects.filter(team=team, event_id=event_id).first()
    if previous is not None:
        raise Duplicate if previous.body_sha256 == digest else Conflict
    system = system_for(team)
    outbound = event["direction"] == Call.Direction.OUTBOUND
    remote_raw, own_raw = (event["to"], event["from"]) if outbound else (event["from"], event["to"])
    remote = numbers.parse(remote_raw, system.default_region)
    at = _moment(event.get("timestamp"))
    call, _created = Call.objects.select_for_update().get_or_create(
        team=team,
        call_id=event["call_id"],
        defaults={
            "direction": event["direction"],
            "remote_number": remote.e164 or remote.raw,
            "started_at": at,
        },
    )
    if call.sdr_id is None:
        own = numbers.e164(own_raw, system.default_region)
        call.sdr = find_sdr(team, extension=event.get("extension", ""), number=own)
    if call.lead_id is None:
        call.lead = find_lead(team, remote.e164, call.sdr)
    kind = event["type"]
    if kind == "answered" and call.answered_at is None:
        call.answered_at = at
    if kind == "ended":
        call.ended_at = call.ended_at or at
        if event.get("duration") is not None:
            call.duration_seconds = event["duration"]
        elif call.answered_at:
            call.duration_seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
        else:
            call.duration_seconds = 0
        call.recording_url = event.get("recording_url") or call.recording_url
    if ORDER[kind] > ORDER[call.state]:
        call.state = kind
    call.save()
    try:
        with transaction.atomic():
            CallEvent.objects.create(
                team=team,
                event_id=event_id,
                kind=kind,
                call=call,
                body_sha256=digest,
                received_at=timezone.now(),
            )
    except IntegrityError as exc:  # the same id arriving twice at the same moment
        raise Duplicate from exc
    if call.state == Call.State.ENDED:
        log_ended(call)
    return call


def _sdr_log(call: Call) -> Activity | None:
    """The SDR's own log of this call, when they entered the outcome before it ended."""
    logs = Activity.objects.filter(lead=call.lead, sdr=call.sdr, type=Activity.Type.CALL).exclude(
        pk__in=Call.objects.exclude(pk=call.pk).filter(activity__isnull=False).values("activity_id")
    )
    exact = logs.filter(started_at=call.activity_start).first()
    if exact:
        return exact
    end = call.ended_at or timezone.now()
    window = logs.filter(
        started_at__gte=call.started_at - MATCH_WINDOW, started_at__lte=end + MATCH_WINDOW
    )
    return window.order_by("started_at").first()


def log_ended(call: Call) -> Activity | None:
    """Logs an ended call on its lead, once: the real duration into the SDR's log when there
    is one, else a new activity with the phone's outcome. Nothing without a lead and SDR."""
    if call.lead_id is None or call.sdr_id is None:
        return None
    duration = call.duration_seconds or 0
    activity = call.activity or _sdr_log(call)
    if activity is not None:
        # The phone system's duration is the real one; the page timer's was an estimate.
        Activity.objects.filter(pk=activity.pk).update(duration_seconds=duration)
    else:
        activity = lead_domain.log_activity(
            call.lead,
            by=call.sdr,
            type=Activity.Type.CALL,
            outcome=Activity.Outcome.OTHER if call.answered_at else Activity.Outcome.NO_ANSWER,
            started_at=call.activity_start,
            duration_seconds=duration,
        )
    if call.activity_id != activity.pk:
        call.activity = activity
        call.save(update_fields=["activity"])
    return activity


@transaction.atomic
def dial(lead: Lead, *, by: User, callback_base: str) -> Dial:
    """Dials the lead's number through the SDR's team's provider: a link to follow, or a call
    the provider originated (recorded as an outbound call of the lead, so its events match).

    Raises ValueError when the lead's number is not valid, providers.DialError when the
    provider refuses."""
    team = by.current_team
    system = system_for(team) if team else PhoneSystem(default_region="KR")
    number = numbers.parse(lead.phone, system.default_region)
    if not number.valid:
        raise ValueError(number.problem)
    extension = Extension.objects.filter(user=by).first()
    result = for_system(system).dial(
        agent_number=extension.number if extension else "",
        to=number.e164,
        callback_base=callback_base,
    )
    if result.originated and team is not None:
        Call.objects.create(
            team=team,
            call_id=result.call_id,
            direction=Call.Direction.OUTBOUND,
            remote_number=number.e164,
            lead=lead,
            sdr=by,
            started_at=timezone.now().replace(microsecond=0),
        )
    return result


@transaction.atomic
def create_lead_from_call(
    call: Call, *, by: User, company: str, first_name: str, last_name: str, segment: str
) -> Lead:
    """A lead for an unknown caller, owned by the SDR who took the call, with the caller's
    number; the call (and its activity, once ended) is then the lead's."""
    if segment not in Segment.values:
        segment = Segment.SMB
    account = Account.objects.filter(name__iexact=company.strip()).first()
    if account is None:
        account = Account.objects.create(name=company.strip(), segment=segment)
    lead = Lead.objects.create(
        account=account,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=call.remote_number,
        source=Source.INBOUND,
        owner=by,
    )
    call.lead = lead
    call.sdr = call.sdr or by
    call.save(update_fields=["lead", "sdr"])
    if call.state == Call.State.ENDED:
        log_ended(call)
    return lead
