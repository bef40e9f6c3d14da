"""Stored weekly KPIs: one row per team and ISO week, replaced whole when recomputed.

A stored week is a cache of kpi-definitions.md over the data (its "Freshness"): a change to
the data it counts marks it (`marked_at`), and the background recomputation replaces it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WeeklyRollup(models.Model):
    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="rollups")
    week = models.CharField(_("ISO week"), max_length=8)
    week_start = models.DateField(_("week start"))
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    # When a change last touched the week; empty once it was recomputed since.
    marked_at = models.DateTimeField(_("marked for recomputation"), null=True, blank=True)
    # What the dashboards' tables over several weeks take from each week, computed with the
    # figures: the qualification evidence's counts (kpis.evidence_by_week) and the ids of the
    # week's largest drifts (kpis.largest_drift_ids). Empty for a week stored before they were.
    evidence = models.JSONField(_("qualification evidence"), null=True, blank=True)
    largest_drifts = models.JSONField(_("largest drifts"), null=True, blank=True)

    class Meta:
        ordering = ["team", "week_start"]
        verbose_name = _("weekly rollup")
        verbose_name_plural = _("weekly rollups")
        constraints = [
            models.UniqueConstraint(fields=["team", "week"], name="rollup_once_per_team_week")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.week}"


class SdrWeeklyRollup(models.Model):
    """One SDR's reference figures of an ISO week on a team, stored with the team's rollup."""

    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="weekly_rollups"
    )
    week = models.CharField(_("ISO week"), max_length=8)
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        ordering = ["team", "week", "person"]
        verbose_name = _("weekly rollup of an SDR")
        verbose_name_plural = _("weekly rollups of SDRs")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person", "week"], name="sdr_rollup_once_per_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.person_id} {self.week}"


class MailSent(models.Model):
    """One e-mail of a weekly kind to one person (the Monday figures of a team, the market
    digest), claimed before it is sent: the unique row makes a retry or a second beat find
    it and send nothing. `sent_at` stays empty while the send is under way."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Monday figures")
        DIGEST = "digest", _("market-insight digest")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    week = models.CharField(_("ISO week"), max_length=8)
    # The team the mail is about (its slug); empty for a mail about no one team.
    about = models.CharField(_("about"), max_length=50, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail sent")
        verbose_name_plural = _("e-mails sent")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "person", "week", "about"], name="mail_once_per_person_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} {self.week} {self.about}"


class Alert(models.Model):
    """One occurrence of an alert rule on a team (metrics/alerts.py), recorded once: the
    managers are told when the row is first written, never again for the same key."""

    class Kind(models.TextChoices):
        OUT_OF_BAND = "band", _("ratio out of the band")
        BOTTLENECK = "bottleneck", _("the bottleneck moved")
        NOT_ASKED = "not_asked", _("an item not asked two weeks running")
        AE_FULL = "ae_full", _("an AE full for five working days")

    team = models.ForeignKey("sdr_ops.Team", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    key = models.CharField(_("occurrence"), max_length=120)
    created_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [models.UniqueConstraint(fields=["team", "kind", "key"], name="alert_once")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.kind} {self.key}"


class StageEntry(models.Model):
    """When a lead first entered each stage after `new` (whose time is the lead's own
    `created_at`), as kpi-definitions.md derives it from the events. A cache of those events,
    kept in the transaction of each event (metrics.stage_entries), so that the funnel reads
    one table instead of the activities, handoffs and opportunities of every lead.

    The lead's owner, creation time and source are carried too, so that the funnel's read
    (and speed to lead's) is this table alone, found by owner through one covering index.
    The database writes them on every insert of a lead and every change of them, whichever path
    makes it (a bulk create, a reassignment's UPDATE): metrics.stage_entries.TRIGGERS."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="stage_entry"
    )
    # The lead's owner_id, created_at and source (no constraint: the lead's own keeps the owner).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the funnel's index starts with it
        related_name="+",
    )
    created_at = models.DateTimeField()
    source = models.CharField(max_length=10)
    working_at = models.DateTimeField(null=True)
    connected_at = models.DateTimeField(null=True)
    handed_off_at = models.DateTimeField(null=True)
    opportunity_at = models.DateTimeField(null=True)
    won_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("stage entry times of a lead")
        verbose_name_plural = _("stage entry times of leads")
        indexes = [
            # The funnel: a team's owners, every entry time read from the index alone.
            models.Index(
                fields=[
                    "owner",
                    "created_at",
                    "working_at",
                    "connected_at",
                    "handed_off_at",
                    "opportunity_at",
                    "won_at",
                    "source",
                ],
                name="stage_entry_funnel",
            )
        ]

    def __str__(self) -> str:
        return str(self.lead_id)
