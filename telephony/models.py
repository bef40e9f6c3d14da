"""The phone system of a team, the SDRs' extensions, and the calls it reports."""

import secrets
from base64 import b64encode

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + b64encode(secrets.token_bytes(32)).decode()


class PhoneSystem(models.Model):
    """How a team dials out and how its phone system reports calls back."""

    class Provider(models.TextChoices):
        LINK = "link", _("Phone links (tel: or sip:)")
        TWILIO = "twilio", _("Twilio Voice")

    class Scheme(models.TextChoices):
        TEL = "tel", _("tel: (a softphone or the desk phone's app)")
        SIP = "sip", _("sip: (an IP-PBX softphone)")

    team = models.OneToOneField(
        "sdr_ops.Team",
        on_delete=models.CASCADE,
        related_name="phone_system",
        verbose_name=_("team"),
    )
    provider = models.CharField(
        _("provider"), max_length=10, choices=Provider, default=Provider.LINK
    )
    link_scheme = models.CharField(_("link scheme"), max_length=3, choices=Scheme, default="tel")
    sip_domain = models.CharField(
        _("SIP domain"),
        max_length=200,
        blank=True,
        help_text=_("For sip: links, e.g. pbx.example.kr."),
    )
    default_region = models.CharField(
        _("default region"),
        max_length=2,
        default="KR",
        help_text=_("Numbers written without a country code are read as this country's."),
    )
    webhook_secret = models.CharField(
        _("call-events webhook secret"),
        max_length=100,
        default=new_webhook_secret,
        help_text=_("Signs the call events the phone system posts (Standard Webhooks)."),
    )
    twilio_account_sid = models.CharField(_("Twilio account SID"), max_length=64, blank=True)
    twilio_auth_token = models.CharField(_("Twilio auth token"), max_length=64, blank=True)
    twilio_caller_id = models.CharField(
        _("Twilio caller id"), max_length=20, blank=True, help_text=_("The number prospects see.")
    )

    class Meta:
        verbose_name = _("phone system")
        verbose_name_plural = _("phone systems")

    def __str__(self) -> str:
        return f"{self.team}: {self.get_provider_display()}"


class Extension(models.Model):
    """Where a person answers the phone: their PBX extension and their own line."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="phone_extension",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        "sdr_ops.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    number = models.CharField(
        _("direct number (E.164)"),
        max_length=20,
        blank=True,
        help_text=_("The line that rings for this person, e.g. +827012345678."),
    )

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "extension"],
                condition=~models.Q(extension=""),
                name="extension_unique_per_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.extension or self.number}"


class Call(models.Model):
    """One call as the phone system reported it, from ringing to its end."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")

    class State(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("Answered")
        ENDED = "ended", _("Ended")

    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="+")
    call_id = models.CharField(_("provider's call id"), max_length=100)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.RINGING)
    remote_number = models.CharField(_("the other party's number"), max_length=40)
    lead = models.ForeignKey(
        "leads.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SDR"),
    )
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    activity = models.ForeignKey(
        "leads.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.UniqueConstraint(fields=["team", "call_id"], name="call_unique_per_team")
        ]
        indexes = [
            models.Index(fields=["sdr", "started_at"]),
            models.Index(fields=["lead", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.remote_number} ({self.get_state_display()})"

    @property
    def activity_start(self):
        """When the activity of this call starts: when it was answered, else when it rang."""
        return self.answered_at or self.started_at


class CallEvent(models.Model):
    """One event the phone system posted, kept by its id so that it is applied once."""

    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(_("event id"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    body_sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received"))

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        constraints = [
            models.UniqueConstraint(fields=["team", "event_id"], name="call_event_once_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.kind}"


class LeadNumber(models.Model):
    """A lead's phone number in E.164, so a caller's number finds its lead with an index."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, related_name="telephony_number"
    )
    raw = models.CharField(max_length=40)
    e164 = models.CharField(max_length=20, db_index=True, blank=True)

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.e164 or '?'}"
