"""Cadences: ordered steps (calls, e-mails, tasks) on business days, the leads enrolled in
them, and what each step did. The rules live in `cadences.domain`."""

import datetime

from django.conf import settings
from django.core.validators import DomainNameValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead
from sdr_ops.models import Team


class CadenceSettings(models.Model):
    """A team's sending window and caps (defaults apply to a team without a row)."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, related_name="cadence_settings", verbose_name=_("team")
    )
    window_start = models.TimeField(_("sending window starts"), default=datetime.time(9, 0))
    window_end = models.TimeField(_("sending window ends"), default=datetime.time(18, 0))
    new_per_sdr_per_day = models.PositiveSmallIntegerField(
        _("new enrollments per SDR per day"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    emails_per_hour = models.PositiveSmallIntegerField(
        _("e-mails per mailbox per hour"),
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
    )
    emails_per_day = models.PositiveIntegerField(
        _("e-mails per mailbox per 24 hours"),
        default=300,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    advertising = models.BooleanField(
        _("cadence mail is advertising"),
        default=False,
        help_text=_(
            'The subject starts with "(광고)" and nothing is sent between 21:00 and 08:00 in '
            "the recipient's time zone."
        ),
    )

    class Security(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS")
        SSL = "ssl", _("SSL/TLS")
        NONE = "none", _("None (local server only)")

    smtp_host = models.CharField(_("SMTP server"), max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(
        _("SMTP port"), default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    smtp_security = models.CharField(
        _("SMTP security"), max_length=8, choices=Security, default=Security.STARTTLS
    )
    imap_host = models.CharField(_("IMAP server"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(
        _("IMAP port"), default=993, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    imap_security = models.CharField(
        _("IMAP security"), max_length=8, choices=Security, default=Security.SSL
    )

    class Provider(models.TextChoices):
        """How cadence mail leaves: the team's SMTP server, or a hosted provider's HTTP API
        through django-anymail (`mailing.connection` builds either)."""

        SMTP = "smtp", _("The team's SMTP server")
        MAILGUN = "mailgun", "Mailgun"
        POSTMARK = "postmark", "Postmark"
        BREVO = "brevo", "Brevo"
        RESEND = "resend", "Resend"

    class Region(models.TextChoices):
        US = "us", _("United States")
        EU = "eu", _("European Union")

    provider = models.CharField(
        _("cadence mail leaves through"), max_length=10, choices=Provider, default=Provider.SMTP
    )
    # The provider's API key (Postmark: its server token), encrypted like a mailbox password.
    provider_key_token = models.TextField(_("provider's API key"), editable=False, blank=True)
    mailgun_region = models.CharField(
        _("Mailgun region"), max_length=2, choices=Region, default=Region.US
    )
    mailgun_domain = models.CharField(
        _("Mailgun sending domain"),
        max_length=255,
        blank=True,
        validators=[DomainNameValidator(accept_idna=False)],
        help_text=_("Empty: the domain of each SDR's address."),
    )

    class Meta:
        verbose_name = _("cadence settings")
        verbose_name_plural = _("cadence settings")

    def __str__(self) -> str:
        return str(self.team)

    @classmethod
    def of(cls, team: Team) -> "CadenceSettings":
        """The team's settings, the defaults (unsaved) when it has none."""
        found = cls.objects.filter(team=team).first()
        return found or cls(team=team)

    def set_provider_key(self, raw: str) -> None:
        from .secrets import encrypt

        self.provider_key_token = encrypt(raw) if raw else ""

    def provider_key(self) -> str:
        """The provider's key in clear, '' when none is stored or it cannot be read."""
        from .secrets import decrypt

        return decrypt(self.provider_key_token) if self.provider_key_token else ""

    def can_send(self) -> bool:
        """Whether cadence mail has a way out: the SMTP server named, or the chosen
        provider's key stored. Without one, due e-mail waits (it is never dropped)."""
        if self.provider == self.Provider.SMTP:
            return bool(self.smtp_host)
        return bool(self.provider_key_token)


class Cadence(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="cadences", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cadence")
        verbose_name_plural = _("cadences")
        constraints = [
            models.UniqueConstraint(fields=["team", "name"], name="cadence_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name

    def current(self) -> "CadenceVersion":
        return self.versions.get(number=self.version)


class CadenceVersion(models.Model):
    """The steps of a cadence as they were when leads were enrolled: editing a cadence with
    leads in it makes a new version; those leads finish on theirs."""

    cadence = models.ForeignKey(
        Cadence, on_delete=models.CASCADE, related_name="versions", verbose_name=_("cadence")
    )
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["cadence", "number"]
        verbose_name = _("cadence version")
        verbose_name_plural = _("cadence versions")
        constraints = [
            models.UniqueConstraint(fields=["cadence", "number"], name="cadence_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cadence} v{self.number}"


class Step(models.Model):
    class Type(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("E-mail")
        TASK = "task", _("Task")

    version = models.ForeignKey(
        CadenceVersion, on_delete=models.CASCADE, related_name="steps", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("step"))
    offset_days = models.PositiveSmallIntegerField(
        _("working days after the previous step"),
        default=0,
        validators=[MaxValueValidator(60)],
    )
    type = models.CharField(_("type"), max_length=5, choices=Type)
    instruction = models.TextField(_("script or instruction"), blank=True, max_length=4000)
    aims_at = models.JSONField(_("checklist items it aims at"), default=list, blank=True)
    manual = models.BooleanField(
        _("sent by hand"),
        default=False,
        help_text=_("The SDR reviews the e-mail in a compose form and sends it."),
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("cadence step")
        verbose_name_plural = _("cadence steps")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="cadence_step_once"),
        ]

    def __str__(self) -> str:
        return f"{self.version} #{self.position}"


class EmailVariant(models.Model):
    """One version of an e-mail step's message; variants are picked by weight (A/B)."""

    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="variants", verbose_name=_("step")
    )
    label = models.CharField(_("variant"), max_length=20, default="A")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"), max_length=10000)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["step", "label"]
        verbose_name = _("e-mail variant")
        verbose_name_plural = _("e-mail variants")

    def __str__(self) -> str:
        return f"{self.step} {self.label}"


class VariantPreview(models.Model):
    """An e-mail's wording (subject and text, by digest) a manager previewed with a real lead
    without error. A cadence runs only wordings previewed on it: editing the text asks for a
    new preview, saving the same text again (or a new version) does not."""

    cadence = models.ForeignKey(
        Cadence, on_delete=models.CASCADE, related_name="previews", verbose_name=_("cadence")
    )
    digest = models.CharField(max_length=64)
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("lead")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail preview")
        verbose_name_plural = _("e-mail previews")
        constraints = [
            models.UniqueConstraint(fields=["cadence", "digest"], name="variant_preview_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cadence} {self.digest[:8]}"


class Enrollment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        FINISHED = "finished", _("Finished")

    class Reason(models.TextChoices):
        REPLIED = "replied", _("Replied")
        HANDED_OFF = "handed_off", _("Handed off")
        QUALIFIED = "qualified", _("Qualified: ready to hand off")
        DISQUALIFIED = "disqualified", _("Disqualified")
        OPTED_OUT = "opted_out", _("Opted out")
        BOUNCED = "bounced", _("Bounced")
        NO_MORE_STEPS = "no_more_steps", _("No more steps")
        MANUAL = "manual", _("Finished by hand")

    OPEN = [State.ACTIVE, State.PAUSED]

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("team")
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("lead")
    )
    version = models.ForeignKey(
        CadenceVersion,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("cadence version"),
    )
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrollments",
        verbose_name=_("SDR"),
    )
    step = models.PositiveSmallIntegerField(_("current step"), default=1)
    steps = models.PositiveSmallIntegerField(_("steps"), default=1)
    next_due = models.DateTimeField(_("next step due"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.ACTIVE)
    finish_reason = models.CharField(_("finish reason"), max_length=14, choices=Reason, blank=True)
    starts_on = models.DateField(_("starts on"))
    remaining_days = models.PositiveSmallIntegerField(
        _("working days left when paused"), null=True, blank=True
    )
    resume_on = models.DateField(_("resumes on"), null=True, blank=True)
    thread_id = models.CharField(_("thread"), max_length=255, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at"]
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(state__in=["active", "paused"]),
                name="one_open_enrollment_per_lead",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_due"], name="enrollment_due"),
            models.Index(fields=["sdr", "starts_on"], name="enrollment_sdr_start"),
        ]

    def __str__(self) -> str:
        return f"{self.lead} · {self.version}"


class StepRun(models.Model):
    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        SENT = "sent", _("Sent")

    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="runs", verbose_name=_("enrollment")
    )
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, related_name="runs", verbose_name=_("step")
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome)
    reason = models.CharField(_("why"), max_length=200, blank=True)
    variant = models.ForeignKey(
        EmailVariant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("variant"),
    )
    message_id = models.CharField(_("message id"), max_length=255, blank=True, db_index=True)
    connected = models.BooleanField(_("connected"), default=False)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at"]
        verbose_name = _("step run")
        verbose_name_plural = _("step runs")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="step_runs_once"),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.step.position} {self.outcome}"


class Mailbox(models.Model):
    """An SDR's own address on the team's mail server: cadence e-mail goes from it and its
    replies are read from it. The password is stored encrypted and never shown back."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="mailboxes", verbose_name=_("team")
    )
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mailboxes",
        verbose_name=_("SDR"),
    )
    address = models.EmailField(_("e-mail"))
    username = models.CharField(_("user name"), max_length=255, blank=True)
    password_token = models.TextField(editable=False, blank=True)
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    polled_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.UniqueConstraint(fields=["team", "sdr"], name="one_mailbox_per_sdr_and_team"),
        ]

    def __str__(self) -> str:
        return self.address

    def set_password(self, raw: str) -> None:
        from .secrets import encrypt

        self.password_token = encrypt(raw) if raw else ""

    def password(self) -> str:
        from .secrets import decrypt

        return decrypt(self.password_token) if self.password_token else ""


class Suppression(models.Model):
    """An address no team's cadence writes to again: it opted out, or it bounced."""

    class Reason(models.TextChoices):
        OPTED_OUT = "opted_out", _("Opted out")
        BOUNCED = "bounced", _("Bounced: the address is invalid")

    address = models.EmailField(_("e-mail"), unique=True)
    reason = models.CharField(_("why"), max_length=10, choices=Reason)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")

    def __str__(self) -> str:
        return self.address


class Audience(models.Model):
    """The lead list's filters saved for a cadence: each evening, just before the nightly
    build, the leads they match (as their owner sees the list) that were never in the cadence
    are enrolled in it (`domain.audiences`)."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="audiences", verbose_name=_("team")
    )
    cadence = models.ForeignKey(
        Cadence, on_delete=models.CASCADE, related_name="audiences", verbose_name=_("cadence")
    )
    name = models.CharField(_("name"), max_length=120)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="audiences",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_enrolled = models.PositiveIntegerField(_("enrolled at the last run"), default=0)
    last_refused = models.PositiveIntegerField(_("refused at the last run"), default=0)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.name
