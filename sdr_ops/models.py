"""The organisation: teams and their settings, people and their roles, staffing records."""

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import calendar


class Role(models.TextChoices):
    SDR = "sdr", _("SDR")
    MANAGER = "manager", _("SDR manager")
    AE = "ae", _("Sales rep (AE)")
    STAKEHOLDER = "stakeholder", _("Stakeholder")
    ADMIN = "admin", _("Admin")


class StaffingRole(models.TextChoices):
    """The roles a staffing record can hold (admin is an app role, not a team position)."""

    SDR = "sdr", _("SDR")
    MANAGER = "manager", _("SDR manager")
    AE = "ae", _("Sales rep (AE)")
    STAKEHOLDER = "stakeholder", _("Stakeholder")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a known time zone, e.g. Asia/Seoul."), params={"value": value}
        )


def validate_country(value: str) -> None:
    if value not in calendar.supported_countries():
        raise ValidationError(
            _("%(value)s is not a country whose holidays are known, e.g. KR."),
            params={"value": value},
        )


def validate_ramp_factors(value) -> None:
    if not isinstance(value, list) or not all(
        isinstance(f, int | float) and not isinstance(f, bool) and 0 <= f <= 1 for f in value
    ):
        raise ValidationError(
            _(
                "Ramp factors are a list of numbers between 0 and 1, one per tenure month, "
                "e.g. [0.0, 0.5]."
            )
        )


def default_ramp_factors() -> list[float]:
    return [0.0, 0.5]


class Segment(models.TextChoices):
    """The market segments of accounts; a team names the ones it works patiently."""

    ENTERPRISE = "enterprise", _("Enterprise")
    MID_MARKET = "mid_market", _("Mid-market")
    SMB = "smb", _("SMB")


def default_patient_segments() -> list[str]:
    return ["enterprise"]


def validate_segments(value) -> None:
    if not isinstance(value, list) or not all(v in Segment.values for v in value):
        raise ValidationError(
            _("Segments are a list of %(segments)s.") % {"segments": ", ".join(Segment.values)}
        )


def default_time_zone() -> str:
    return settings.TIME_ZONE


# The default qualification checklist (idea 4 of the method) with the label of each item, in
# order; teams may change the list, and a team's own items show their name as written.
DEFAULT_QUALIFICATION_ITEMS = {
    "budget": _("Budget"),
    "approval_process": _("Approval process"),
    "need": _("Need"),
    "timing": _("Timing"),
}


def default_qualification_items() -> list[str]:
    return list(DEFAULT_QUALIFICATION_ITEMS)


def qualification_label(item: str, labels: dict | None = None) -> str:
    """The label of a checklist item in the active language: the team's own label in that
    language (`labels`, a team's `qualification_labels`), else the default's translation,
    else the team's label in another language, else the name as written."""
    own = (labels or {}).get(item) or {}
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if own.get(language):
        return own[language]
    if item in DEFAULT_QUALIFICATION_ITEMS:
        return str(DEFAULT_QUALIFICATION_ITEMS[item])
    other = next((text for text in own.values() if text), None)
    return other or item.replace("_", " ").capitalize()


def qualification_labels_of(item: str, labels: dict | None = None) -> dict[str, str]:
    """The item's label in every language of the site, for a snapshot that is read later in
    the reader's language (a handoff's frozen checklist)."""
    result = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            result[code] = qualification_label(item, labels)
    return result


def snapshot_label(row: dict) -> str:
    """The label of a row of a handoff's frozen checklist in the reader's language: the one
    the snapshot holds for that language, else a default item's translated label, else the
    label it was frozen with, else the item's name."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    labels = row.get("labels") or {}
    item = row.get("item") or ""
    if labels.get(language):
        return labels[language]
    if item in DEFAULT_QUALIFICATION_ITEMS:
        return qualification_label(item)
    return row.get("label") or qualification_label(item)


QUALIFICATION_LABEL_LENGTH = 60


def validate_qualification_labels(value) -> None:
    """{item: {language: label}} with the site's languages and short labels."""
    languages = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, dict) or not all(
        isinstance(item, str)
        and isinstance(by_language, dict)
        and set(by_language) <= languages
        and all(
            isinstance(text, str) and len(text) <= QUALIFICATION_LABEL_LENGTH
            for text in by_language.values()
        )
        for item, by_language in value.items()
    ):
        raise ValidationError(
            _("Labels are short texts per item and language, at most %(n)s characters.")
            % {"n": QUALIFICATION_LABEL_LENGTH}
        )


def validate_qualification_items(value) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() and len(v) <= 40 for v in value)
        or len(set(value)) != len(value)
    ):
        raise ValidationError(
            _(
                "Qualification items are a non-empty list of distinct short names, "
                'e.g. ["budget", "approval_process", "need", "timing"].'
            )
        )


# The window of each main-path transition, in days (kpi-definitions.md, "Stages and the
# bottleneck"), keyed "from->to" in stage order.
TRANSITION_WINDOW_DEFAULTS = {
    "new->working": 7,
    "working->connected": 14,
    "connected->handed_off": 28,
    "handed_off->opportunity": 7,
    "opportunity->won": 90,
}


def default_transition_windows() -> dict[str, int]:
    return dict(TRANSITION_WINDOW_DEFAULTS)


def validate_transition_windows(value) -> None:
    if (
        not isinstance(value, dict)
        or set(value) != set(TRANSITION_WINDOW_DEFAULTS)
        or not all(
            isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 730 for v in value.values()
        )
    ):
        raise ValidationError(_("Each transition needs a window of 1 to 730 days."))


class Team(models.Model):
    class Kind(models.TextChoices):
        SDR = "sdr", _("Inside sales (SDR)")
        SALES = "sales", _("Field sales (AE)")
        OTHER = "other", _("Other department")

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.SDR)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    ramp_factors = models.JSONField(
        _("ramp factors"),
        default=default_ramp_factors,
        validators=[validate_ramp_factors],
        help_text=_("Productive share by tenure month; months past the list count 1.0."),
    )
    ratio_band_low = models.DecimalField(
        _("handoff ratio band, low"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.70"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    ratio_band_high = models.DecimalField(
        _("handoff ratio band, high"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    max_talk_minutes = models.PositiveSmallIntegerField(
        _("maximum talk time (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    currency = models.CharField(_("currency"), max_length=3, default="KRW")
    qualification_items = models.JSONField(
        _("qualification items"),
        default=default_qualification_items,
        validators=[validate_qualification_items],
        help_text=_("The checklist every handoff carries, in order."),
    )
    qualification_labels = models.JSONField(
        _("qualification item labels"),
        default=dict,
        blank=True,
        validators=[validate_qualification_labels],
        help_text=_("Each item's label per language; an item without one shows its default."),
    )
    call_list_size = models.PositiveSmallIntegerField(
        _("daily call list size per SDR"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    valve_full_at = models.DecimalField(
        _("AE full at utilisation"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(0)],
        help_text=_("From this share of capacity in use, an AE takes no new handoff."),
    )
    valve_a_only_at = models.DecimalField(
        _("certainty A only from utilisation"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(0)],
    )
    valve_a_or_b_at = models.DecimalField(
        _("certainty A or B from utilisation"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(0)],
    )
    patient_segments = models.JSONField(
        _("segments worked patiently"),
        default=default_patient_segments,
        blank=True,
        validators=[validate_segments],
        help_text=_(
            "The company wants these worked patiently: the call list gives them a rule "
            "of their own, and individual figures show each person's lead mix."
        ),
    )
    handoff_response_days = models.PositiveSmallIntegerField(
        _("AE response time (working days)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("An undecided handoff older than this is flagged to the AE and the manager."),
    )
    call_list_build_time = models.TimeField(
        _("call list build time"),
        default=datetime.time(19, 0),
        help_text=_("When the next working day's lists are built, in the team's time zone."),
    )
    weekly_mail_time = models.TimeField(
        _("Monday e-mail time"),
        default=datetime.time(8, 0),
        help_text=_("When the week's figures go out on Monday, in the team's time zone."),
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="KR",
        validators=[validate_country],
        help_text=_("Whose public holidays are days off (ISO code, e.g. KR)."),
    )
    transition_windows = models.JSONField(
        _("transition windows (days)"),
        default=default_transition_windows,
        validators=[validate_transition_windows],
        help_text=_(
            "How many days a lead has to reach the next stage before the bottleneck compares "
            "its cohort with earlier ones."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.CheckConstraint(
                condition=Q(valve_a_or_b_at__lte=models.F("valve_a_only_at"))
                & Q(valve_a_only_at__lte=models.F("valve_full_at")),
                name="team_valve_thresholds_ordered",
                violation_error_message=_(
                    "The valve thresholds must rise: A or B, then A only, then full."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ratio_band_low__lt=models.F("ratio_band_high")),
                name="team_ratio_band_ordered",
                violation_error_message=_(
                    "The low end of the ratio band must be below the high end."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self) -> datetime.date:
        return calendar.local_today(self.zone)

    def work_calendar(self) -> calendar.WorkCalendar:
        """The team's working days: weekdays less its country's holidays and its days off
        (one query)."""
        return calendar.WorkCalendar(
            country=self.country,
            days_off=frozenset(self.days_off.values_list("day", flat=True)),
        )

    def ramp_factor(self, tenure_month: int) -> float:
        """The productive share of an SDR in the given tenure month (0-based)."""
        factors = self.ramp_factors or []
        return float(factors[tenure_month]) if 0 <= tenure_month < len(factors) else 1.0


class TeamDayOff(models.Model):
    """A day the team does not work beyond weekends and public holidays (a company holiday,
    an offsite); a manager edits the list."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="days_off", verbose_name=_("team")
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("team day off")
        verbose_name_plural = _("team days off")
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="team_day_off_once"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.day}"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with their e-mail address. Their role decides what they see."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.SDR)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the language the browser asks for."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of the roles; admins hold every role."""
        return self.is_admin or self.role in roles

    @property
    def local_zone(self) -> zoneinfo.ZoneInfo:
        """The time zone of the user's team, else the active one."""
        team = self.current_team
        return team.zone if team else timezone.get_current_timezone()

    def local_today(self) -> datetime.date:
        """Today in the time zone of the user's team."""
        team = self.current_team
        return team.local_today() if team else calendar.local_today()

    def work_calendar(self) -> calendar.WorkCalendar:
        """The working days of the user's team (weekdays only without a team)."""
        team = self.current_team
        return team.work_calendar() if team else calendar.WEEKDAYS

    @cached_property
    def current_team(self) -> "Team | None":
        """The team of the user's staffing record active today (the latest one if several)."""
        today = timezone.localdate()
        record = (
            self.staffing_records.active_on(today)
            .select_related("team")
            .order_by("-start_date")
            .first()
        )
        return record.team if record else None


# The usual reasons of a staffing record, as the demo, the import and the admin write them in
# English: shown in the reader's language; any other reason is shown as written.
STAFFING_REASONS = {
    "hired": _("hired"),
    "moved to another team": _("moved to another team"),
    "moved from another team": _("moved from another team"),
    "left the company": _("left the company"),
    "left": _("left"),
    "transfer": _("transfer"),
    "promoted": _("promoted"),
    "parental leave": _("parental leave"),
    "returned": _("returned"),
}


def staffing_reason_label(reason: str) -> str:
    """A staffing record's reason in the reader's language when it is one of the usual ones."""
    known = STAFFING_REASONS.get(reason.strip().lower())
    return str(known) if known else reason


class StaffingQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date) -> "StaffingQuerySet":
        """Records with start_date <= day and (no end_date or day <= end_date)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), start_date__lte=day)


class StaffingRecord(models.Model):
    """A stretch of time a person spent on a team in a role; end_date is the last day, inclusive."""

    person = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="staffing_records", verbose_name=_("person")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="staffing_records", verbose_name=_("team")
    )
    role = models.CharField(_("role"), max_length=12, choices=StaffingRole)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("The last day on the team, inclusive.")
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = StaffingQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start_date"]
        verbose_name = _("staffing record")
        verbose_name_plural = _("staffing records")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "team", "start_date"], name="staffing_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="staffing_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]
        indexes = [models.Index(fields=["team", "role", "start_date"])]

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else _("today")
        return f"{self.person} · {self.team} · {self.get_role_display()} · {self.start_date}–{end}"


def tenure_month(start: datetime.date, day: datetime.date) -> int:
    """Whole months from start to day, as kpi-definitions.md counts them (month 0 first)."""
    return (
        (day.year - start.year) * 12 + (day.month - start.month) - (1 if day.day < start.day else 0)
    )


class Notification(models.Model):
    """A short message in the app for one person, with the page it is about."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("text"), max_length=300)
    # The message in the source language with its parameters, so each reader sees it in
    # their own language; `text` keeps it as written, for the admin site.
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.text

    @property
    def shown(self) -> str:
        """The message in the active language; labels among the parameters (marked with a
        leading "~") are translated too."""
        from django.utils.translation import gettext

        if not self.message:
            return self.text
        values = {
            key: gettext(value[1:]) if isinstance(value, str) and value.startswith("~") else value
            for key, value in self.params.items()
        }
        try:
            return gettext(self.message) % values
        except (KeyError, TypeError, ValueError):
            return self.text


class AuditEvent(models.Model):
    """One state change that matters, with who made it and when: lead stages and checklist
    items, handoff decisions, opportunity amounts and closes, capacity and reviews. Written by
    the domain functions and by the bulk paths alike; never changed afterwards."""

    class Subject(models.TextChoices):
        LEAD = "lead", _("lead")
        HANDOFF = "handoff", _("handoff")
        OPPORTUNITY = "opportunity", _("opportunity")
        CAPACITY = "capacity", _("AE capacity")
        REVIEW = "review", _("review")
        TEAM = "team", _("team")
        COACHING = "coaching", _("coaching note")
        CADENCE = "cadence", _("cadence")
        ENROLLMENT = "enrollment", _("cadence enrollment")
        ADDRESS = "address", _("e-mail address")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty for the app's own jobs and imports."),
    )
    via = models.CharField(_("via"), max_length=10, default="app")
    subject = models.CharField(_("subject"), max_length=12, choices=Subject)
    subject_id = models.BigIntegerField(_("subject id"))
    lead_id = models.BigIntegerField(_("lead id"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=30)
    field = models.CharField(_("field"), max_length=40, blank=True)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["lead_id", "at"]),
            models.Index(fields=["subject", "subject_id", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.subject} {self.subject_id} {self.action}"

    @property
    def label(self) -> str:
        from .audit import label

        return label(self)

    @property
    def words(self) -> tuple[str, str, str]:
        """(field, before, after) in the reader's language: sdr_ops.audit.words."""
        from .audit import words

        return words(self)


class OutboxMessage(models.Model):
    """A Celery task to send, written in the transaction of the change that asks for it, so the
    task is neither lost when the broker is down nor sent for a change that rolled back
    (sdr_ops.outbox). Internal: nobody reads these rows but the workers and the metrics."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["created_at"], name="outbox_unsent", condition=Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class ApiToken(models.Model):
    """A named key a script uses for the REST API. Only the key's SHA-256 digest is kept; the
    key itself is shown once, when it is made. A token stands only while its owner's password
    is the one it was made under (`password_mark`), so a password change revokes them all."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    password_mark = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ChangeMark(models.Model):
    """One committed write transaction's mark on a team's data version (sdr_ops.changes).

    The version is the sum of a team's weights. The triggers of sdr_ops.changes write the rows;
    `xid` is the writing transaction's id on PostgreSQL (0 on SQLite, whose one row per team
    counts), and `changes.compact` folds a team's rows into one.
    """

    team = models.ForeignKey(
        Team, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    xid = models.BigIntegerField()
    weight = models.BigIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "xid"], name="changemark_unique")]

    def __str__(self) -> str:
        return f"{self.team_id}@{self.xid}+{self.weight}"
