"""Handoffs from SDR to AE, the opportunities they become, and the AEs' capacity."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from leads.models import Lead, Segment, Stage

# Stages from which a lead can be handed off.
HANDOFF_FROM = frozenset({Stage.NEW, Stage.WORKING, Stage.CONNECTED, Stage.NURTURE})


class Certainty(models.TextChoices):
    A = "A", _("A (high)")
    B = "B", _("B")
    C = "C", _("C (low)")


class RejectionReason(models.TextChoices):
    NO_BUDGET = "no_budget", _("No budget")
    NO_AUTHORITY = "no_authority", _("No authority")
    NO_NEED = "no_need", _("No need")
    BAD_TIMING = "bad_timing", _("Bad timing")
    INSUFFICIENT_QUALIFICATION = "insufficient_qualification", _("Insufficient qualification")
    WRONG_CONTACT = "wrong_contact", _("Wrong contact")
    DUPLICATE = "duplicate", _("Duplicate")
    EXISTING_OPPORTUNITY = "existing_opportunity", _("Existing opportunity")
    OTHER = "other", _("Other")


class Handoff(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    external_id = models.CharField(
        _("external id"), max_length=100, null=True, blank=True, unique=True
    )
    lead = models.ForeignKey(Lead, on_delete=models.PROTECT, related_name="handoffs")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handoffs_sent",
        verbose_name=_("SDR"),
    )
    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handoffs_received",
        verbose_name=_("AE"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    certainty = models.CharField(_("certainty"), max_length=1, choices=Certainty)
    comment = models.TextField(_("handoff comment"), blank=True)
    checklist = models.JSONField(_("qualification checklist snapshot"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=30, choices=RejectionReason, blank=True
    )
    rejection_comment = models.TextField(_("rejection comment"), blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("valve overridden by"),
    )
    override_reason = models.TextField(_("why the valve was overridden"), blank=True)
    overdue_flagged_at = models.DateTimeField(_("flagged as overdue"), null=True, blank=True)
    # The certainty computed from the evidence when the lead was handed off (the `certainty`
    # field is the SDR's own pick, kept beside it), and why the SDR declared a higher one.
    computed_certainty = models.CharField(
        _("computed certainty"), max_length=1, choices=Certainty, blank=True
    )
    computed_score = models.FloatField(_("computed score"), null=True, blank=True)
    computed_by = models.CharField(_("computed by model"), max_length=60, blank=True)
    certainty_reason = models.TextField(_("why the declared certainty is higher"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        indexes = [
            models.Index(fields=["ae", "status"]),
            models.Index(fields=["created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="handoff_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="handoff_rejected_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead} → {self.ae} ({self.get_status_display()})"


class Opportunity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Stage(models.TextChoices):
        """Where an open deal stands in the AE's own work."""

        QUALIFICATION = "qualification", _("Qualification")
        PROPOSAL = "proposal", _("Proposal")
        NEGOTIATION = "negotiation", _("Negotiation")

    handoff = models.OneToOneField(Handoff, on_delete=models.PROTECT, related_name="opportunity")
    amount_at_creation = models.DecimalField(
        _("amount at creation"), max_digits=14, decimal_places=2
    )
    amount = models.DecimalField(
        _("current amount"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The amount as the deal develops; the amount at creation never changes."),
    )
    loss_reason = models.TextField(_("why it was lost"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status = models.CharField(_("status"), max_length=6, choices=Status, default=Status.OPEN)
    amount_at_close = models.DecimalField(
        _("amount at close"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=14, choices=Stage, default=Stage.QUALIFICATION)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        indexes = [models.Index(fields=["status", "closed_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(amount_at_close__isnull=False) & Q(closed_at__isnull=False)),
                name="opportunity_closed_has_amount_and_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.handoff.lead} · {self.get_status_display()}"

    @property
    def current_amount(self):
        return self.amount if self.amount is not None else self.amount_at_creation


class Capacity(models.Model):
    """How many open deals an AE normally carries at once, and the segment they cover."""

    ae = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="capacity",
        verbose_name=_("AE"),
    )
    normal = models.PositiveSmallIntegerField(_("normal capacity"), default=10)
    segment = models.CharField(_("segment covered"), max_length=12, choices=Segment, blank=True)

    class Meta:
        verbose_name = _("AE capacity")
        verbose_name_plural = _("AE capacities")

    def __str__(self) -> str:
        return f"{self.ae}: {self.normal}"


class CapacityReduction(models.Model):
    """A dated stretch during which an AE can carry fewer deals (leave, firefighting, ramp-up)."""

    ae = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="capacity_reductions",
        verbose_name=_("AE"),
    )
    capacity = models.PositiveSmallIntegerField(_("capacity during the period"))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["ae", "start_date"]
        verbose_name = _("capacity reduction")
        verbose_name_plural = _("capacity reductions")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="capacity_reduction_end_after_start",
            )
        ]

    def __str__(self) -> str:
        end = self.end_date.isoformat() if self.end_date else "…"
        return f"{self.ae}: {self.capacity} ({self.start_date}–{end}, {self.reason})"


class Review(models.Model):
    """A manager's review of a handoff: private between the manager and the SDR."""

    class Rating(models.TextChoices):
        EXEMPLARY = "exemplary", _("Exemplary")
        SOLID = "solid", _("Solid")
        NEEDS_WORK = "needs_work", _("Needs work")

    handoff = models.OneToOneField(Handoff, on_delete=models.PROTECT, related_name="review")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written"
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating)
    feedback = models.TextField(_("feedback to the SDR"))
    item_notes = models.JSONField(_("notes per checklist item"), default=dict, blank=True)
    created_at = models.DateTimeField(_("reviewed"), default=timezone.now)
    read_at = models.DateTimeField(_("read by the SDR"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.handoff} · {self.get_rating_display()}"


class PraisePost(models.Model):
    """A handoff shared as praise, for every department to read. Never carries the feedback."""

    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="praise")
    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="praise_received"
    )
    company = models.CharField(_("company"), max_length=200)
    excerpt = models.TextField(_("excerpt"))
    note = models.TextField(_("why it is good"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("shared"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("praise")
        verbose_name_plural = _("praise")

    def __str__(self) -> str:
        return f"{self.sdr} · {self.company}"


class CoachingNote(models.Model):
    """A manager's note on one of their SDRs, or the record of a 1:1 with them, linked to the
    handoffs it discusses. Private to its author and the SDR (handoffs.access), admins
    included: nobody else reads it, on a page or through the API."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Note")
        ONE_ON_ONE = "one_on_one", _("1:1")

    sdr = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="coaching_notes",
        verbose_name=_("SDR"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.NOTE)
    met_on = models.DateField(_("met on"), null=True, blank=True)
    body = models.TextField(_("note"))
    handoffs = models.ManyToManyField(
        Handoff, blank=True, related_name="coaching_notes", verbose_name=_("handoffs discussed")
    )
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        indexes = [models.Index(fields=["sdr", "manager", "created_at"])]

    def __str__(self) -> str:
        return f"{self.sdr_id} {self.kind} {self.created_at:%Y-%m-%d}"


class PraiseReaction(models.Model):
    class Kind(models.TextChoices):
        APPLAUSE = "applause", "👏"
        INSIGHT = "insight", "💡"
        THANKS = "thanks", "🙏"

    post = models.ForeignKey(PraisePost, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="one_reaction_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.user_id}"


class DigestSent(models.Model):
    """That a weekly digest went out, so a re-run of the job sends nothing twice."""

    kind = models.CharField(max_length=20)
    week = models.CharField(max_length=8)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        constraints = [models.UniqueConstraint(fields=["kind", "week"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.week}"
