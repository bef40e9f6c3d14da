"""The AE's first meetings: when they can meet, and the meetings booked at handoff."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sdr_ops.models import default_time_zone, validate_time_zone


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Availability(models.Model):
    """An AE's meeting settings: zone, meeting length, weekly limit, and their CalDAV calendar
    (read as free/busy, written with the meetings booked here)."""

    ae = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("AE"),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("first meeting length (minutes)"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    weekly_limit = models.PositiveSmallIntegerField(
        _("first meetings a week at most"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(200)],
        help_text=_("Empty: as many as the working hours hold."),
    )
    caldav_url = models.URLField(
        _("CalDAV calendar URL"),
        max_length=500,
        blank=True,
        help_text=_("e.g. https://calendar.example.kr/dav/jae/work/; empty: not connected."),
    )
    caldav_username = models.CharField(_("CalDAV user name"), max_length=150, blank=True)
    caldav_password = models.CharField(_("CalDAV password"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("AE availability")
        verbose_name_plural = _("AE availabilities")

    def __str__(self) -> str:
        return f"{self.ae}: {self.meeting_minutes} min, {self.time_zone}"

    @property
    def connected(self) -> bool:
        return bool(self.caldav_url)


class WorkingHours(models.Model):
    """When an AE takes first meetings on one weekday, in their time zone."""

    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="working_hours",
        verbose_name=_("AE"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["ae", "weekday"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.UniqueConstraint(fields=["ae", "weekday"], name="working_hours_one_per_day"),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ae} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


def new_uid() -> str:
    return f"{uuid.uuid4()}@sdr-ops"


class Meeting(models.Model):
    """The first meeting a handoff carries (or why it carries none). A slot of an AE is
    booked once: the database refuses a second booked meeting at the same start."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        NONE = "none", _("Handed off without a meeting")

    handoff = models.OneToOneField(
        "handoffs.Handoff", on_delete=models.CASCADE, related_name="meeting"
    )
    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meetings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    no_meeting_reason = models.TextField(_("why no meeting"), blank=True)
    invite_prospect = models.BooleanField(_("invite the prospect"), default=False)
    uid = models.CharField(_("calendar UID"), max_length=100, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["ae", "starts_at"],
                condition=Q(status="booked"),
                name="meeting_slot_booked_once",
                violation_error_message=_("This slot is booked already."),
            ),
            models.CheckConstraint(
                condition=~Q(status="none") | ~Q(no_meeting_reason=""),
                name="meeting_none_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(status="none")
                | (Q(starts_at__isnull=False) & Q(ends_at__gt=models.F("starts_at"))),
                name="meeting_has_times",
            ),
        ]
        indexes = [models.Index(fields=["ae", "status", "starts_at"])]

    def __str__(self) -> str:
        if self.status == self.Status.NONE:
            return f"{self.handoff_id}: {self.no_meeting_reason[:40]}"
        return f"{self.ae} {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"
