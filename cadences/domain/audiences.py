"""Saved audiences: the lead list's filters kept for a cadence, whose new matches are enrolled
each evening.

An audience's filters are the lead list's (`leads.queries.filter_leads`), applied to the leads
its owner sees there. Each evening, in the nightly build's run just before the lists are built
(`calllists.before_nightly_build`), every audience of an active cadence of the teams being
built enrols, set-based, the leads it matches that have no open enrollment and were never in
that cadence (any version): one SELECT and one `enrol_many` per audience, whatever the number
of leads. A lead that finished the cadence is not enrolled again by the audience. Each
evening enrols no more than each SDR has room to start the next morning (the daily cap on
new enrollments); the other matches wait for the following evenings.
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.access import leads_visible_to
from leads.queries import filter_leads
from sdr_ops import audit, calendar
from sdr_ops.models import Team, User

from ..models import Audience, Cadence, CadenceSettings, Enrollment
from .enrolment import CLOSED_STAGES, _enrolled_per_day, enrol_many

log = logging.getLogger(__name__)

# The lead list's filters an audience keeps (the keyword arguments of filter_leads).
FILTERS = ("q", "stage", "segment", "source", "owner", "last_touch")


def clean_filters(filters: dict) -> dict:
    """Only the lead list's filters, without the empty ones."""
    return {k: v for k, v in filters.items() if k in FILTERS and v not in ("", None)}


@transaction.atomic
def save_audience(cadence: Cadence, *, name: str, filters: dict, by: User) -> Audience:
    """Keeps the filters (as the lead list checked them) for the cadence, owned by `by`, whose
    view of the leads they apply to."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the audience a name.")})
    filters = clean_filters(filters)
    if not filters:
        raise ValidationError(
            _("Filter the list first: an audience of every lead would enrol them all.")
        )
    audience = Audience.objects.create(
        team=cadence.team, cadence=cadence, name=name[:120], filters=filters, owner=by
    )
    _record(audience, by=by, after=audience.name)
    return audience


@transaction.atomic
def delete_audience(audience: Audience, *, by: User) -> None:
    """Removes the audience; the leads it enrolled stay in the cadence."""
    _record(audience, by=by, before=audience.name)
    audience.delete()


def _record(audience: Audience, *, by: User, before: str = "", after: str = "") -> None:
    """An audience saved (after) or deleted (before), on its cadence's trail."""
    audit.record(
        audit.Subject.CADENCE,
        audience.cadence_id,
        audit.Action.CADENCE_SAVED,
        by=by,
        field="audience",
        before=before,
        after=after,
    )


def matches(audience: Audience):
    """The leads the audience would enrol now (a queryset: one SELECT)."""
    leads = filter_leads(leads_visible_to(audience.owner), **clean_filters(audience.filters))
    return (
        leads.exclude(stage__in=CLOSED_STAGES)
        .exclude(enrollments__state__in=Enrollment.OPEN)
        .exclude(enrollments__version__cadence_id=audience.cadence_id)
    )


def run_audience(audience: Audience, *, now: datetime.datetime | None = None) -> dict:
    """Enrols the audience's new matches in its cadence (set-based); records the counts."""
    now = now or timezone.now()
    with transaction.atomic():
        found = matches(audience).values_list("pk", "owner_id").distinct().order_by("pk")
        ids = _within_room(audience.cadence, list(found), now)
        result = enrol_many(audience.cadence, ids, by=None, now=now) if ids else None
        enrolled = len(result.enrolled) if result else 0
        refused = len(result.refused) if result else 0
        Audience.objects.filter(pk=audience.pk).update(
            last_run_at=now, last_enrolled=enrolled, last_refused=refused
        )
    return {"enrolled": enrolled, "refused": refused}


def _within_room(cadence: Cadence, rows: list[tuple[int, int]], now) -> list[int]:
    """The matches each SDR has room to start on the first working day (the cap on new
    enrollments per SDR per day): the others stay matches and wait for a later evening, so
    an audience never books an SDR's starts weeks ahead."""
    team = cadence.team
    today = now.astimezone(team.zone).date()
    first = calendar.add_working_days(today, 0, team.work_calendar())
    cap = CadenceSettings.of(team).new_per_sdr_per_day
    started = _enrolled_per_day(sorted({owner for _pk, owner in rows}), first)
    room = {owner: cap - days.get(first, 0) for owner, days in started.items()}
    taken = []
    for pk, owner in rows:
        if room.get(owner, cap) > 0:
            room[owner] = room.get(owner, cap) - 1
            taken.append(pk)
    return taken


def enrol_audiences(teams: list[Team], day: datetime.date | None = None) -> dict[str, int]:
    """Runs every audience of an active cadence of the teams (the nightly build's hook: `day`
    is the day being built). One audience failing is logged and the others still run."""
    totals = {"audiences": 0, "enrolled": 0, "refused": 0}
    audiences = Audience.objects.filter(
        team__in=teams, cadence__status=Cadence.Status.ACTIVE
    ).select_related("cadence__team", "owner")
    for audience in audiences.order_by("pk"):
        try:
            counts = run_audience(audience)
        except ValidationError as error:
            log.warning("audience %s not run: %s", audience.pk, " ".join(error.messages))
            continue
        totals["audiences"] += 1
        totals["enrolled"] += counts["enrolled"]
        totals["refused"] += counts["refused"]
    return totals
