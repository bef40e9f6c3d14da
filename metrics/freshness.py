"""Keeping the stored weeks the figures of the data as it stands (kpi-definitions.md,
"Freshness").

A change marks the stored weeks it touches (`WeeklyRollup.marked_at`) in its own transaction
and queues `metrics.recompute_marked` on commit (`sdr_ops.outbox`). The task recomputes every
marked week, so marks made meanwhile coalesce into one run; a week marked again while it was
being computed stays marked for the next run (beat also runs it every minute). Weeks never
computed are not marked: a read that finds them asks `metrics.compute_missing` for them
directly through the broker, without writing anything itself.

What a change touches:

- an event of a lead (an activity, a handoff made or decided, a deal won or lost): the weeks
  of the event and of the lead's earlier stage entries;
- a history import: every week from the earliest event it wrote;
- a staffing record made, edited or removed: every week from its earliest date (old or new);
- a team setting the figures use (ramp, band, windows, time zone): every stored week.

Each touched week also changes the bottleneck of the kpis.STAGE_LOOKBACK weeks after it (their
history) and the expected pipeline of the few weeks after it, so those are marked with it.
"""

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone

from sdr_ops import calendar
from sdr_ops.models import Role, StaffingRecord, Team
from sdr_ops.outbox import enqueue_on_commit

from . import kpis
from .models import WeeklyRollup

log = logging.getLogger(__name__)

# The most weeks one computation of missing weeks takes (the API's most per call).
MAX_MISSING = 53


def _after(monday: datetime.date) -> datetime.date:
    return monday + datetime.timedelta(weeks=kpis.STAGE_LOOKBACK)


def _queue() -> None:
    from .tasks import recompute_marked

    enqueue_on_commit(recompute_marked)


def mark(
    teams: Q | Iterable[int] | None,
    *,
    since: datetime.datetime | datetime.date | None = None,
    until: datetime.datetime | datetime.date | None = None,
) -> int:
    """Marks the stored weeks of the teams (a Q over teams, ids, or None for every team) from
    the week of `since` (every week when None) to STAGE_LOOKBACK weeks after the week of
    `until` (no end when None); queues the recomputation on commit. Returns the weeks marked."""
    return _mark_where(_weeks(teams, since=since, until=until))


def _day(moment: datetime.datetime | datetime.date) -> datetime.date:
    return moment.date() if isinstance(moment, datetime.datetime) else moment


def _weeks(teams, *, since=None, until=None) -> Q:
    """The stored weeks `mark` marks, as a condition on WeeklyRollup."""
    weeks = Q()
    if isinstance(teams, Q):
        weeks &= Q(team__in=Team.objects.filter(teams))
    elif teams is not None:
        weeks &= Q(team_id__in=list(teams))
    if since is not None:
        # A day's week starts on its Monday in any time zone, give or take that day.
        weeks &= Q(week_start__gte=calendar.monday_of(_day(since)) - datetime.timedelta(days=7))
    if until is not None:
        last = _after(calendar.monday_of(_day(until))) + datetime.timedelta(7)
        weeks &= Q(week_start__lte=last)
    return weeks


def _mark_where(weeks: Q) -> int:
    marked = WeeklyRollup.objects.filter(weeks).update(marked_at=timezone.now())
    if marked:
        _queue()
    return marked


def teams_of(person_id: int) -> Q:
    """The SDR teams the person was ever staffed on as an SDR."""
    return Q(
        pk__in=StaffingRecord.objects.filter(person_id=person_id, role=Role.SDR).values("team_id")
    )


def mark_lead_event(lead, person_id: int | None, *times: datetime.datetime | None) -> int:
    """An event of the lead at `times`: the weeks from the lead's creation (its first stage
    entry) to STAGE_LOOKBACK weeks after the latest time, on the teams of its owner and of the
    person acting."""
    return mark_lead_events([(lead, person_id, times)])


def mark_lead_events(events: Iterable[tuple]) -> int:
    """Many events of leads, each `(lead, person_id, times)` as mark_lead_event takes them, in
    one UPDATE: on each team of the people, the weeks from the earliest creation of a lead of
    their events to after their latest time (for one event, or events of one owner and one
    person, what mark_lead_event marks; for more, those weeks and maybe some between). With
    more people than one event has, their SDR teams are read first, in one query."""
    spans: dict[int, list[datetime.datetime]] = {}
    for lead, person_id, times in events:
        known = [t for t in (lead.created_at, *times) if t is not None]
        for person in {p for p in (lead.owner_id, person_id) if p} if known else ():
            span = spans.setdefault(person, [min(known), max(known)])
            span[0], span[1] = min(span[0], *known), max(span[1], *known)
    if not spans:
        return 0
    if len(spans) <= 2 and len({tuple(span) for span in spans.values()}) == 1:
        teams = Q()
        for person in sorted(spans):
            teams |= teams_of(person)
        since, until = next(iter(spans.values()))
        return mark(teams, since=since, until=until)
    by_team: dict[int, list[datetime.datetime]] = {}
    for person, team in StaffingRecord.objects.filter(
        person_id__in=list(spans), role=Role.SDR
    ).values_list("person_id", "team_id"):
        since, until = spans[person]
        span = by_team.setdefault(team, [since, until])
        span[0], span[1] = min(span[0], since), max(span[1], until)
    weeks = Q(pk__in=[])
    for team, (since, until) in sorted(by_team.items()):
        weeks |= _weeks([team], since=since, until=until)
    return _mark_where(weeks) if by_team else 0


# -- the background work -------------------------------------------------------------------------


def recompute_marked(now: datetime.datetime | None = None) -> int:
    """Recomputes every week marked up to now; a week marked again meanwhile stays marked.
    Returns the weeks recomputed."""
    from . import rollups

    started = now or timezone.now()
    marked = WeeklyRollup.objects.filter(marked_at__isnull=False, marked_at__lte=started)
    by_team: dict[int, list[str]] = defaultdict(list)
    for team_id, week in marked.values_list("team_id", "week"):
        by_team[team_id].append(week)
    done = 0
    for team in Team.objects.filter(pk__in=list(by_team)):
        done += rollups.store_weeks(team, by_team[team.pk], computed_at=started)
    return done


def mark_matured(today_of=None) -> int:
    """Marks the stored weeks with a step stored as not yet mature that has matured since
    (its window passed with no change to the data)."""
    longest = max(kpis.TRANSITION_WINDOW_DEFAULTS.values())
    marked = 0
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        today = today_of(team) if today_of else team.local_today()
        windows = [*team.transition_windows.values(), longest]
        recent = today - datetime.timedelta(days=max(windows) + 14)
        stale = [
            rollup.pk
            for rollup in WeeklyRollup.objects.filter(
                team=team, week_start__gte=recent, marked_at__isnull=True
            )
            if any(
                not step.get("mature", True)
                and kpis.is_mature(
                    kpis.Week(team, rollup.week_start), step.get("window_days", 0), today
                )
                for step in rollup.figures.get("stage_conversion", [])
            )
        ]
        if stale:
            marked += WeeklyRollup.objects.filter(pk__in=stale).update(marked_at=timezone.now())
    return marked


def compute_missing(team: Team, labels: list[str]) -> int:
    """Computes and stores the weeks among `labels` that were never stored."""
    from . import rollups

    rows = WeeklyRollup.objects.filter(team=team, week__in=labels)
    stored = set(rows.values_list("week", flat=True))
    missing = [label for label in labels[:MAX_MISSING] if label not in stored]
    return rollups.store_weeks(team, missing) if missing else 0


def ask_for(team: Team, labels: list[str]) -> None:
    """Asks a worker to compute weeks never computed. Sent straight to the broker (a read
    never writes to the database); a refused send is not retried here: the next read asks
    again."""
    from .tasks import compute_missing as task

    try:
        task.apply_async(kwargs={"team_id": team.pk, "weeks": labels[:MAX_MISSING]}, retry=False)
    except Exception as exc:  # noqa: BLE001 - the page answers whatever the broker does
        log.warning("could not ask for the weeks of %s: %s", team.slug, type(exc).__name__)
