"""A team's settings as its manager changes them: validated whole, one audit record per field
changed with its value before and after, and the weekly figures they touch marked through
`hooks.team_settings_changed`."""

import datetime
import json

from django.db import transaction
from django.db.models import Min

from . import audit, hooks
from .models import Role, StaffingRecord, Team, User

# What the settings page edits, in the order it shows them. The call-list size and rules are
# edited with the rules (leads.domain.calllists), the time zone in the admin.
FIELDS = (
    "qualification_items",
    "qualification_labels",
    "ramp_factors",
    "ratio_band_low",
    "ratio_band_high",
    "max_talk_minutes",
    "call_list_build_time",
    "handoff_response_days",
    "patient_segments",
    "transition_windows",
    "valve_a_or_b_at",
    "valve_a_only_at",
    "valve_full_at",
)

# The settings the weekly figures are computed with (kpi-definitions.md): changing one
# changes the figures of every week it applies to, so those weeks are recomputed.
FIGURE_FIELDS = frozenset(
    {
        "ramp_factors",
        "ratio_band_low",
        "ratio_band_high",
        "transition_windows",
        "qualification_items",
    }
)


def _text(value) -> str:
    """A setting as the audit trail keeps it: lists and mappings as compact JSON."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def first_touched_day(team: Team, fields: set[str]) -> datetime.date | None:
    """The first day whose figures the changed fields touch: a ramp change touches every
    week since the team's first SDR started (a week before it has no one to weigh); the
    band, the windows and the checklist every week (None)."""
    if fields & (FIGURE_FIELDS - {"ramp_factors"}):
        return None
    return StaffingRecord.objects.filter(team=team, role=Role.SDR).aggregate(
        first=Min("start_date")
    )["first"]


@transaction.atomic
def change_settings(team: Team, *, by: User, **values) -> list[str]:
    """Sets the given settings of the team (names from FIELDS) and returns the names that
    changed.

    The team's row is locked while it is compared and saved, so two managers saving at once
    each see the other's change in their "before". The team is validated whole (a band whose
    low end is not below its high end, valve thresholds out of order, a ramp factor above 1
    raise ValidationError and nothing is saved). Each changed field gets an audit record
    with its value before and after; the figure settings among them call
    `hooks.team_settings_changed(team, fields, since)` in the same transaction."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not a team setting: {', '.join(sorted(unknown))}")
    current = Team.objects.select_for_update().get(pk=team.pk)
    changed = [name for name in FIELDS if name in values and values[name] != getattr(current, name)]
    if not changed:
        return []
    before = {name: getattr(current, name) for name in changed}
    for name in changed:
        setattr(current, name, values[name])
    current.full_clean()
    current.save(update_fields=changed)
    for name in changed:
        setattr(team, name, getattr(current, name))
        audit.record(
            audit.Subject.TEAM,
            team.pk,
            audit.Action.TEAM_SETTINGS,
            by=by,
            field=name,
            before=_text(before[name]),
            after=_text(getattr(current, name)),
        )
    touched = set(changed) & FIGURE_FIELDS
    if touched:
        hooks.team_settings_changed(team, sorted(touched), first_touched_day(team, touched))
    return changed
