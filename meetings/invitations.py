"""Calendar invitations (RFC 5545 with the iTIP methods of RFC 5546), written with
`icalendar`: REQUEST for a new or moved meeting (same UID, next SEQUENCE), CANCEL when the
handoff is rejected. E-mailed to the AE and, when the SDR ticked it, to the prospect."""

import datetime
from email.message import MIMEPart

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Meeting

PRODID = "-//SDR Ops//First meetings//EN"


def _address(person_email: str, name: str, **params) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{person_email}")
    if name:
        address.params["CN"] = icalendar.vText(name)
    for key, value in params.items():
        address.params[key] = icalendar.vText(value)
    return address


def summary(meeting: Meeting) -> str:
    lead = meeting.handoff.lead
    return _("First meeting: %(company)s (%(name)s)") % {
        "company": lead.account.name,
        "name": f"{lead.first_name} {lead.last_name}".strip(),
    }


def build(meeting: Meeting, method: str | None) -> bytes:
    """The VCALENDAR of the meeting; `method` REQUEST or CANCEL for an invitation, None for
    the copy stored in a CalDAV calendar (which carries no METHOD)."""
    handoff = meeting.handoff
    lead = handoff.lead
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    event = icalendar.Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC).replace(microsecond=0))
    event.add("dtstart", meeting.starts_at.astimezone(datetime.UTC))
    event.add("dtend", meeting.ends_at.astimezone(datetime.UTC))
    event.add("summary", summary(meeting))
    event.add("description", handoff.comment)
    cancelled = method == "CANCEL" or meeting.status == Meeting.Status.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", _address(meeting.booked_by.email, str(meeting.booked_by)))
    event.add(
        "attendee",
        _address(
            meeting.ae.email,
            str(meeting.ae),
            ROLE="REQ-PARTICIPANT",
            PARTSTAT="NEEDS-ACTION",
            RSVP="TRUE",
        ),
    )
    if meeting.invite_prospect and lead.email:
        event.add(
            "attendee",
            _address(
                lead.email,
                f"{lead.first_name} {lead.last_name}".strip(),
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE",
            ),
        )
    cal.add_component(event)
    return cal.to_ical()


def recipients(meeting: Meeting) -> list[str]:
    people = [meeting.ae.email]
    lead = meeting.handoff.lead
    if meeting.invite_prospect and lead.email:
        people.append(lead.email)
    return people


def send(meeting: Meeting, method: str) -> int:
    """E-mails the invitation (REQUEST or CANCEL) to each recipient, in the AE's language
    for the AE; returns how many messages went out."""
    ics = build(meeting, method)
    sent = 0
    for address in recipients(meeting):
        language = meeting.ae.language if address == meeting.ae.email else ""
        with translation.override(language or settings.LANGUAGE_CODE):
            subject = (_("Cancelled: %(summary)s") if method == "CANCEL" else "%(summary)s") % {
                "summary": summary(meeting)
            }
            body = _(
                "%(sdr)s booked this first meeting with %(ae)s at handoff; the calendar "
                "invitation is attached."
            ) % {"sdr": meeting.booked_by, "ae": meeting.ae}
        message = EmailMessage(
            subject=subject,
            body=body,
            to=[address],
            reply_to=[meeting.booked_by.email],
        )
        part = MIMEPart()
        part.set_content(
            ics.decode(),
            subtype="calendar",
            charset="utf-8",
            disposition="attachment",
            filename="invite.ics",
            params={"method": method},
        )
        message.attach(part)
        sent += message.send()
    return sent
