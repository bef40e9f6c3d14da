"""Accounts, leads, their stage history and the activities worked on them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Segment(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    MID_MARKET = "mid_market", _("Mid-market")
    SMB = "smb", _("SMB")


class Source(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    EVENT = "event", _("Event")
    REFERRAL = "referral", _("Referral")
    OTHER = "other", _("Other")


class Stage(models.TextChoices):
    """Main path in order (kpi-definitions.md), then the two stages off it."""

    NEW = "new", _("New")
    WORKING = "working", _("Working")
    CONNECTED = "connected", _("Connected")
    HANDED_OFF = "handed_off", _("Handed off")
    OPPORTUNITY = "opportunity", _("Opportunity")
    WON = "won", _("Won")
    NURTURE = "nurture", _("Nurture")
    DISQUALIFIED = "disqualified", _("Disqualified")


MAIN_PATH = [
    Stage.NEW,
    Stage.WORKING,
    Stage.CONNECTED,
    Stage.HANDED_OFF,
    Stage.OPPORTUNITY,
    Stage.WON,
]


class Account(models.Model):
    name = models.CharField(_("company"), max_length=200)
    segment = models.CharField(_("segment"), max_length=12, choices=Segment)
    size = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [models.UniqueConstraint(fields=["name"], name="account_unique_name")]

    def __str__(self) -> str:
        return self.name


class Lead(models.Model):
    external_id = models.CharField(
        _("external id"), max_length=100, null=True, blank=True, unique=True
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="leads", verbose_name=_("company")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_leads",
        verbose_name=_("owner SDR"),
    )
    do_not_call = models.BooleanField(_("do not call"), default=False)
    stage = models.CharField(_("stage"), max_length=14, choices=Stage, default=Stage.NEW)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or self.email or self.phone
        return f"{name} ({self.account})" if self.account_id else name


class StageChange(models.Model):
    """One move of a lead from a stage to another, with who made it and when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=14, choices=Stage, blank=True)
    to_stage = models.CharField(_("to"), max_length=14, choices=Stage)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["lead", "at"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage} ({self.at:%Y-%m-%d %H:%M})"


class Activity(models.Model):
    class Type(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        MESSAGE = "message", _("Message")
        MEETING = "meeting", _("Meeting")

    class Outcome(models.TextChoices):
        CONNECTED = "connected", _("Connected")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        VOICEMAIL = "voicemail", _("Voicemail")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CALLBACK = "callback", _("Callback agreed")
        NOT_INTERESTED = "not_interested", _("Not interested")
        DO_NOT_CALL = "do_not_call", _("Do not call")
        SENT = "sent", _("Sent")
        REPLIED = "replied", _("Replied")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("SDR"),
    )
    type = models.CharField(_("type"), max_length=10, choices=Type)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome)
    started_at = models.DateTimeField(_("started"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), default=0)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(
                fields=["lead", "sdr", "type", "started_at"],
                name="activity_unique_per_lead_sdr_type_start",
            )
        ]
        indexes = [
            models.Index(fields=["sdr", "started_at"]),
            models.Index(fields=["lead", "started_at"]),
        ]

    def __str__(self) -> str:
        when = f"{self.started_at:%Y-%m-%d %H:%M}"
        return f"{self.get_type_display()} · {self.get_outcome_display()} · {when}"
