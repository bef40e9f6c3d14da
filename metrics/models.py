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


class StageEntry(models.Model):
    """When a lead first entered each stage after `new` (whose time is the lead's own
    `created_at`), as kpi-definitions.md derives it from the events. A cache of those events,
    kept in the transaction of each event (metrics.stage_entries), so that the funnel reads
    one table instead of the activities, handoffs and opportunities of every lead."""

    lead = models.OneToOneField(
        "leads.Lead", on_delete=models.CASCADE, primary_key=True, related_name="stage_entry"
    )
    working_at = models.DateTimeField(null=True)
    connected_at = models.DateTimeField(null=True)
    handed_off_at = models.DateTimeField(null=True)
    opportunity_at = models.DateTimeField(null=True)
    won_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("stage entry times of a lead")
        verbose_name_plural = _("stage entry times of leads")

    def __str__(self) -> str:
        return str(self.lead_id)
