"""What keeps each lead's stage entry times (metrics.stage_entries) and marks the stored weeks
a change touches (metrics.freshness): the saves of the rows the figures count, whichever
path made them (domain functions, the admin, the API), in their own transaction. Bulk writes
send no signal: the activities leads.domain.activities logs come through its hook
(`activities_logged`), the history import and the demo write both themselves."""

from django.db.models import Q
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead
from sdr_ops.models import StaffingRecord, Team

from . import freshness, stage_entries

# The team settings the weekly figures use (the checklist: the evidence each week carries).
FIGURE_SETTINGS = (
    "ramp_factors",
    "ratio_band_low",
    "ratio_band_high",
    "transition_windows",
    "time_zone",
    "qualification_items",
)


@receiver(post_save, sender=Lead, dispatch_uid="metrics.lead_saved")
def lead_saved(sender, instance: Lead, created: bool, raw: bool = False, **kwargs) -> None:
    # A lead's own entry into `new` is its created_at: no entry time to write.
    if created and not raw:
        freshness.mark_lead_event(instance, None, instance.created_at)


@receiver(post_save, sender=Activity, dispatch_uid="metrics.activity_saved")
def activity_saved(sender, instance: Activity, raw: bool = False, **kwargs) -> None:
    if not raw:
        stage_entries.refresh([instance.lead_id])
        freshness.mark_lead_event(instance.lead, instance.sdr_id, instance.started_at)


def activities_logged(activities) -> None:
    """What activity_saved does, for many activities at once (leads.hooks)."""
    stage_entries.refresh(a.lead_id for a in activities)
    freshness.mark_lead_events((a.lead, a.sdr_id, (a.started_at,)) for a in activities)


@receiver(post_save, sender=Handoff, dispatch_uid="metrics.handoff_saved")
def handoff_saved(sender, instance: Handoff, raw: bool = False, **kwargs) -> None:
    # Made or decided: the handoff's week, the decision's, and the lead's earlier entries.
    if not raw:
        stage_entries.refresh([instance.lead_id])
        freshness.mark_lead_event(
            instance.lead, instance.sdr_id, instance.created_at, instance.decided_at
        )


@receiver(post_save, sender=Opportunity, dispatch_uid="metrics.opportunity_saved")
def opportunity_saved(sender, instance: Opportunity, raw: bool = False, **kwargs) -> None:
    if not raw:
        handoff = instance.handoff
        stage_entries.refresh([handoff.lead_id])
        times = (handoff.created_at, instance.created_at, instance.closed_at)
        freshness.mark_lead_event(handoff.lead, handoff.sdr_id, *times)


@receiver(post_delete, sender=Activity, dispatch_uid="metrics.activity_removed")
@receiver(post_delete, sender=Handoff, dispatch_uid="metrics.handoff_removed")
def event_removed(sender, instance, **kwargs) -> None:
    stage_entries.refresh([instance.lead_id])


@receiver(pre_save, sender=StaffingRecord, dispatch_uid="metrics.staffing_before")
def staffing_before(sender, instance: StaffingRecord, raw: bool = False, **kwargs) -> None:
    old = StaffingRecord.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._dates_before = (old.start_date, old.end_date, old.team_id) if old else None


@receiver(post_save, sender=StaffingRecord, dispatch_uid="metrics.staffing_saved")
@receiver(post_delete, sender=StaffingRecord, dispatch_uid="metrics.staffing_removed")
def staffing_changed(sender, instance: StaffingRecord, raw: bool = False, **kwargs) -> None:
    """Every week from the record's earliest date, old or new, on the person's SDR teams
    (tenure follows them across teams) and the record's team."""
    if raw:
        return
    before = getattr(instance, "_dates_before", None)
    now = (instance.start_date, instance.end_date, instance.team_id)
    if before == now:
        return
    days = [d for d in (*(before or ())[:2], *now[:2]) if d is not None]
    if kwargs.get("signal") is post_delete or before is None or before[0] != now[0]:
        since = min(days)
    else:  # only the last day moved
        since = min(d for d in (before[1], now[1]) if d is not None)
    teams = freshness.teams_of(instance.person_id) | Q(
        pk__in=[now[2], *(before[2:] if before else ())]
    )
    freshness.mark(teams, since=since)


@receiver(pre_save, sender=Team, dispatch_uid="metrics.team_before")
def team_before(sender, instance: Team, raw: bool = False, **kwargs) -> None:
    old = Team.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._figures_changed = old is not None and any(
        getattr(old, name) != getattr(instance, name) for name in FIGURE_SETTINGS
    )


@receiver(post_save, sender=Team, dispatch_uid="metrics.team_saved")
def team_saved(sender, instance: Team, raw: bool = False, **kwargs) -> None:
    """A ramp, band, window or time zone changed: every stored week of the team."""
    if not raw and getattr(instance, "_figures_changed", False):
        freshness.mark([instance.pk])
