"""Accounts, leads, their stage history and the activities worked on them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sdr_ops.models import (
    Segment,
    qualification_label,
    qualification_labels_of,
    validate_time_zone,
)


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


class DisqualifyReason(models.TextChoices):
    NO_NEED = "no_need", _("No need")
    NO_BUDGET = "no_budget", _("No budget")
    COMPETITOR = "competitor", _("Chose a competitor")
    NOT_A_FIT = "not_a_fit", _("Not a fit for us")
    UNREACHABLE = "unreachable", _("Cannot be reached")
    OTHER = "other", _("Other")


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


def _digits(field: str):
    """The field without the signs people write phone numbers with (the database's half of
    `leads.imports.normalise_phone`, which keeps digits only, so it is never stricter)."""
    expression = F(field)
    for sign in (" ", "-", "(", ")", ".", "+", "/"):
        expression = Replace(expression, Value(sign), Value(""))
    return expression


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
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Where the lead works, when known (cadence e-mail follows it)."),
    )
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
    callback_at = models.DateTimeField(_("callback agreed for"), null=True, blank=True)
    # The callback time its SDR was last reminded of: a reminder goes once per callback.
    callback_reminded_for = models.DateTimeField(null=True, blank=True, editable=False)
    # The phone's digits, kept by the database for the duplicate rule below.
    phone_digits = models.GeneratedField(
        expression=_digits("phone"),
        output_field=models.CharField(max_length=40),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["created_at"]),
            # An SDR's lead list, newest first (the owner's leads, not every lead's dates).
            models.Index(fields=["owner", "created_at"], name="lead_owner_newest"),
            # Today's callbacks due (`queries.callbacks_due`): few leads have one agreed, so
            # only theirs are kept; without it PostgreSQL read all the SDR's leads.
            models.Index(
                fields=["owner", "callback_at"],
                condition=Q(callback_at__isnull=False),
                name="lead_callback_due",
            ),
        ]
        # The duplicate rule of every import: one lead per company and e-mail, one per
        # company and phone number (the imports report duplicates before these are reached).
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("email"),
                condition=~Q(email=""),
                name="lead_unique_email_per_account",
            ),
            models.UniqueConstraint(
                "account",
                "phone_digits",
                condition=~Q(phone_digits=""),
                name="lead_unique_phone_per_account",
            ),
        ]

    def __str__(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip() or self.email or self.phone
        return f"{name} ({self.account})" if self.account_id else name


class StageChange(models.Model):
    """One move of a lead from a stage to another, with who made it and when."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="stage_changes")
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
    # Why, for the moves a person decides (disqualified: the reason; nurture: until when).
    reason = models.CharField(_("why"), max_length=200, blank=True)

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

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="activities")
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
    callback_at = models.DateTimeField(_("callback agreed for"), null=True, blank=True)

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


_O = Activity.Outcome
# The outcomes each channel can have: an e-mail is not busy, a call is not "replied".
OUTCOMES_BY_TYPE: dict[str, tuple[str, ...]] = {
    Activity.Type.CALL: (
        _O.CONNECTED,
        _O.NO_ANSWER,
        _O.BUSY,
        _O.VOICEMAIL,
        _O.WRONG_NUMBER,
        _O.CALLBACK,
        _O.NOT_INTERESTED,
        _O.DO_NOT_CALL,
        _O.OTHER,
    ),
    Activity.Type.EMAIL: (_O.SENT, _O.REPLIED, _O.NOT_INTERESTED, _O.DO_NOT_CALL, _O.OTHER),
    Activity.Type.MESSAGE: (_O.SENT, _O.REPLIED, _O.NOT_INTERESTED, _O.DO_NOT_CALL, _O.OTHER),
    Activity.Type.MEETING: (_O.CONNECTED, _O.NOT_INTERESTED, _O.OTHER),
}


def outcome_choices(type: str) -> list[tuple[str, str]]:
    """The (value, label) choices of the outcomes a channel can have."""
    labels = dict(Activity.Outcome.choices)
    return [(value, labels[value]) for value in OUTCOMES_BY_TYPE.get(type, ())]


class QualificationStatus(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    CONFIRMED = "confirmed", _("Confirmed")
    NOT_DISCLOSED = "not_disclosed", _("Asked but not disclosed")
    NOT_ASKED = "not_asked", _("Not asked")


# Indirect questions the app suggests for budget (idea 4 of the method).
BUDGET_QUESTIONS = [
    _("How do projects like this usually get approved at your company?"),
    _("Would the budget have to move over from another project?"),
    _("Would new budget have to be secured for this?"),
]


class QualificationAnswer(models.Model):
    """Where one checklist item of one lead stands now, and how it was obtained."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="qualification")
    item = models.CharField(_("item"), max_length=40)
    status = models.CharField(
        _("status"), max_length=14, choices=QualificationStatus, default=QualificationStatus.UNKNOWN
    )
    answer = models.TextField(_("answer"), blank=True)
    questions = models.TextField(_("questions used"), blank=True)
    reason = models.TextField(_("why not asked"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("qualification answer")
        verbose_name_plural = _("qualification answers")
        constraints = [
            models.UniqueConstraint(fields=["lead", "item"], name="qualification_one_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} {self.item}: {self.status}"

    # The team's labels ({item: {language: label}}), set by leads.queries.checklist.
    team_labels: dict | None = None

    @property
    def label(self) -> str:
        return qualification_label(self.item, self.team_labels)

    @property
    def labels(self) -> dict[str, str]:
        """The label in every language, frozen into a handoff's checklist."""
        return qualification_labels_of(self.item, self.team_labels)


class QualificationChange(models.Model):
    """Every change of a checklist item, with who made it and when."""

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="qualification_changes")
    item = models.CharField(_("item"), max_length=40)
    status = models.CharField(_("status"), max_length=14, choices=QualificationStatus)
    answer = models.TextField(_("answer"), blank=True)
    questions = models.TextField(_("questions used"), blank=True)
    reason = models.TextField(_("why not asked"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["lead", "at"]
        verbose_name = _("qualification change")
        verbose_name_plural = _("qualification changes")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.item} → {self.status} ({self.at:%Y-%m-%d %H:%M})"


class CallListRule(models.Model):
    """One condition set of a team's call list, with the most leads it may add per SDR.

    A lead goes to the first rule it matches; every condition set on a rule must hold.
    """

    class Order(models.TextChoices):
        CALLBACK = "callback", _("Callback time, earliest first")
        NEWEST = "newest", _("Newest leads first")
        OLDEST = "oldest", _("Oldest leads first")
        QUIETEST = "quietest", _("Longest untouched first")
        SCORE = "score", _("Highest certainty score first")

    team = models.ForeignKey(
        "sdr_ops.Team", on_delete=models.CASCADE, related_name="call_list_rules"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(_("name"), max_length=100)
    stages = models.JSONField(_("stage in"), default=list, blank=True)
    segments = models.JSONField(_("segment in"), default=list, blank=True)
    sources = models.JSONField(_("source in"), default=list, blank=True)
    min_days_since_touch = models.PositiveSmallIntegerField(
        _("days since last touch at least"), null=True, blank=True
    )
    callback_due = models.BooleanField(_("callback due that day"), default=False)
    max_attempts = models.PositiveSmallIntegerField(
        _("call attempts fewer than"), null=True, blank=True
    )
    never_touched = models.BooleanField(_("never touched"), default=False)
    order = models.CharField(_("order"), max_length=10, choices=Order, default=Order.OLDEST)
    cap = models.PositiveSmallIntegerField(_("at most per SDR"), default=20)

    class Meta:
        ordering = ["team", "position"]
        verbose_name = _("call-list rule")
        verbose_name_plural = _("call-list rules")

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class CallList(models.Model):
    """One SDR's list of leads to call on one working day."""

    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_lists"
    )
    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="call_lists")
    day = models.DateField(_("day"))
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        constraints = [
            models.UniqueConstraint(fields=["sdr", "day"], name="call_list_one_per_sdr_day")
        ]

    def __str__(self) -> str:
        return f"{self.sdr} · {self.day}"


class CallListEntry(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("To call")
        CALLED = "called", _("Called")
        SKIPPED = "skipped", _("Skipped")

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="entries")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="call_list_entries")
    position = models.PositiveIntegerField(_("position"))
    rule = models.ForeignKey(
        CallListRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("why it is on the list"), max_length=100)
    added_by_hand = models.BooleanField(_("added by hand"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PLANNED)
    skip_reason = models.CharField(_("why skipped"), max_length=200, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    # The SDR moved it: a rebuild keeps its place instead of ordering it by the rules.
    moved = models.BooleanField(_("moved by the SDR"), default=False)

    class Meta:
        ordering = ["call_list", "position"]
        verbose_name = _("call-list entry")
        verbose_name_plural = _("call-list entries")
        constraints = [
            models.UniqueConstraint(fields=["call_list", "lead"], name="entry_lead_once_per_list")
        ]
        indexes = [models.Index(fields=["call_list", "position"])]

    def __str__(self) -> str:
        return f"{self.position}. {self.lead_id} ({self.reason})"


class CallListRemoval(models.Model):
    """That the SDR took a lead off a list that had not started: a rebuild leaves it off."""

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="removals")
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("call-list removal")
        verbose_name_plural = _("call-list removals")
        constraints = [
            models.UniqueConstraint(fields=["call_list", "lead"], name="removal_once_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.call_list_id} - {self.lead_id}"


class Task(models.Model):
    """A follow-up an SDR set themselves on a lead, due at a time; done, or moved to later."""

    class Kind(models.TextChoices):
        CALL_BACK = "call_back", _("Call back")
        MATERIAL = "material", _("Send the material")
        CHECK_AE = "check_ae", _("Check with the AE")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="tasks")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.CALL_BACK)
    due_at = models.DateTimeField(_("due"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["sdr", "done_at", "due_at"]),
            models.Index(fields=["lead", "done_at", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.lead_id} · {self.due_at:%Y-%m-%d %H:%M}"


class CallListBuild(models.Model):
    """That a team's lists for a day were built, when and how many entries they got."""

    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    built_at = models.DateTimeField(_("built"), default=timezone.now)
    lists = models.PositiveIntegerField(_("lists"), default=0)
    entries = models.PositiveIntegerField(_("entries"), default=0)

    class Meta:
        verbose_name = _("call-list build")
        verbose_name_plural = _("call-list builds")
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="call_list_build_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.day}: {self.entries}"


class Insight(models.Model):
    """What the market said (idea 6): a short quote from a prospect, on a topic."""

    class Topic(models.TextChoices):
        PERCEPTION = "perception", _("How the product is perceived")
        COMPETITOR = "competitor", _("Competitor mentioned")
        FEATURE = "feature", _("Feature asked for")
        CONTENT = "content", _("Content or information asked for")
        PRICING = "pricing", _("Pricing")
        OTHER = "other", _("Other")

    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="insights")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="insights",
        verbose_name=_("SDR"),
    )
    topic = models.CharField(_("topic"), max_length=12, choices=Topic)
    quote = models.CharField(_("quote"), max_length=500)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("market insight")
        verbose_name_plural = _("market insights")
        indexes = [models.Index(fields=["topic", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.quote[:40]}"


class ImportJob(models.Model):
    """A confirmed lead import too large for one request, run by a worker: its file, where it
    stands and, once run, what came of it (the counts or every error)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        "sdr_ops.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255)
    data = models.BinaryField()
    # The language of the page that queued it: the worker writes the errors in it.
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("leads created"), default=0)
    duplicates = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    errors_left_off = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("lead import job")
        verbose_name_plural = _("lead import jobs")

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


class LeadScore(models.Model):
    """The certainty score a lead would have if handed off now, stored by the scoring batch
    (the certainty app) so that the call-list build reads it in its INSERT ... SELECT."""

    lead = models.OneToOneField(
        Lead, on_delete=models.CASCADE, primary_key=True, related_name="score"
    )
    score = models.FloatField(_("certainty score"))
    certainty = models.CharField(_("certainty"), max_length=1)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("lead score")
        verbose_name_plural = _("lead scores")

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.score:.2f}"
