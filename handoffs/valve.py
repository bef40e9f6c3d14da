"""The regulating valve (idea 7 of the method): how much room each AE has, and the certainty
a new handoff needs before it may go to them.

Load = open opportunities + pending handoffs. Effective capacity = the lowest dated reduction
in force on the day, else the AE's normal capacity. Utilisation = load / effective capacity;
an AE with no capacity is full.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from leads.models import Segment
from sdr_ops import calendar
from sdr_ops.models import Role, Team, User

from . import hooks
from .models import CapacityReduction, Certainty, Handoff, Opportunity

DEFAULT_CAPACITY = 10
ANY = (Certainty.A, Certainty.B, Certainty.C)


def allowed_certainties(utilisation: float | None, team: Team) -> tuple[str, ...]:
    """The certainties a new handoff may have at this utilisation (None: no capacity).

    At or above the team's full mark none; from the A-only mark A; from the A-or-B mark A and
    B; below it any.
    """
    if utilisation is None or utilisation >= float(team.valve_full_at):
        return ()
    if utilisation >= float(team.valve_a_only_at):
        return (Certainty.A,)
    if utilisation >= float(team.valve_a_or_b_at):
        return (Certainty.A, Certainty.B)
    return ANY


@dataclass
class AeState:
    ae: User
    normal: int
    capacity: int
    open_opportunities: int
    pending: int
    segment: str
    last_handoff: datetime.datetime | None
    allowed: tuple[str, ...]
    # No room whatever the load: the AE's week of first meetings is full (hooks.room_checks).
    calendar_full: bool = False
    # The reduction in force, when one is: its last day (None: open-ended).
    reduced: bool = False
    reduced_until: datetime.date | None = None

    @property
    def load(self) -> int:
        return self.open_opportunities + self.pending

    @property
    def segment_label(self) -> str:
        return str(Segment(self.segment).label) if self.segment in Segment.values else self.segment

    @property
    def room(self) -> int:
        return max(self.capacity - self.load, 0)

    @property
    def utilisation(self) -> float | None:
        return self.load / self.capacity if self.capacity else None

    @property
    def utilisation_pct(self) -> int | None:
        u = self.utilisation
        return None if u is None else round(u * 100)

    @property
    def full(self) -> bool:
        return not self.allowed

    def takes(self, certainty: str, segment: str = "") -> bool:
        return certainty in self.allowed and (
            not self.segment or not segment or self.segment == segment
        )


def _count(queryset: QuerySet, field: str) -> Subquery:
    counted = queryset.values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def ae_states(day: datetime.date, team: Team, aes: QuerySet[User] | None = None) -> list[AeState]:
    """Every active AE (or those given) with capacity, load and the certainty allowed, in one
    query; thresholds from `team` (the SDR team whose flow the valve regulates)."""
    aes = aes if aes is not None else User.objects.filter(role=Role.AE, is_active=True)
    reduction = (
        CapacityReduction.objects.filter(ae=OuterRef("pk"), start_date__lte=day)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("capacity", "pk")
    )
    rows = aes.annotate(
        normal_capacity=Coalesce("capacity__normal", Value(DEFAULT_CAPACITY)),
        reduced_to=Subquery(reduction.values("capacity")[:1], output_field=IntegerField()),
        reduced_until=Subquery(reduction.values("end_date")[:1], output_field=DateField()),
        open_opps=_count(
            Opportunity.objects.filter(handoff__ae=OuterRef("pk"), status="open"), "handoff__ae"
        ),
        pending=_count(Handoff.objects.filter(ae=OuterRef("pk"), status="pending"), "ae"),
        last_handoff=Subquery(
            Handoff.objects.filter(ae=OuterRef("pk"))
            .values("ae")
            .annotate(last=Max("created_at"))
            .values("last")
        ),
        covered=Coalesce("capacity__segment", Value("")),
    ).order_by("first_name", "last_name", "pk")
    rows = list(rows)
    no_room = set()
    for check in hooks.room_checks:
        no_room |= check(day, [ae.pk for ae in rows])
    states = []
    for ae in rows:
        capacity = ae.reduced_to if ae.reduced_to is not None else ae.normal_capacity
        load = ae.open_opps + ae.pending
        utilisation = load / capacity if capacity else None
        states.append(
            AeState(
                ae=ae,
                normal=ae.normal_capacity,
                capacity=capacity,
                open_opportunities=ae.open_opps,
                pending=ae.pending,
                segment=ae.covered,
                last_handoff=ae.last_handoff,
                allowed=() if ae.pk in no_room else allowed_certainties(utilisation, team),
                calendar_full=ae.pk in no_room,
                reduced=ae.reduced_to is not None,
                reduced_until=ae.reduced_until,
            )
        )
    return states


def suggest(states: list[AeState], certainty: str, segment: str = "") -> AeState | None:
    """The AE with the most room who takes this certainty and segment; ties go round robin
    (to whoever received a handoff least recently, never-received first)."""
    candidates = [s for s in states if s.takes(certainty, segment)]
    if not candidates:
        return None
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return min(candidates, key=lambda s: (-s.room, s.last_handoff or epoch, s.ae.pk))


def team_required(states: list[AeState]) -> tuple[str, ...]:
    """The certainty the sales team as a whole takes now: what at least one AE takes."""
    return tuple(c for c in ANY if any(c in s.allowed for s in states))


def opens_below(certainty: str, team: Team) -> int:
    """The utilisation (in %) below which an AE takes this certainty again."""
    mark = {
        Certainty.A: team.valve_full_at,
        Certainty.B: team.valve_a_only_at,
        Certainty.C: team.valve_a_or_b_at,
    }[certainty]
    return round(float(mark) * 100)


def dead_end(states: list[AeState], certainty: str, segment: str, team: Team) -> str:
    """Why no AE can take this handoff now, and what would open it; "" when one can. Reads
    the states only (no query)."""
    if any(s.takes(certainty, segment) for s in states):
        return ""
    covering = [s for s in states if not s.segment or not segment or s.segment == segment]
    label = str(Segment(segment).label) if segment in Segment.values else segment
    if not covering:
        return _("No AE covers the %(segment)s segment. Ask your manager who takes it.") % {
            "segment": label
        }
    if all(s.full for s in covering):
        return _(
            "No AE of the %(segment)s segment has room now: each is full or has no capacity. "
            "Hold the lead until one has room, or ask your manager."
        ) % {"segment": label}
    takes = tuple(c for c in ANY if any(c in s.allowed for s in covering))
    return _(
        "No AE takes certainty %(certainty)s now: those with room take %(takes)s only. It "
        "opens with a higher certainty (confirm more of the checklist), or once an AE's load "
        "falls below %(pct)s%% of their capacity."
    ) % {
        "certainty": certainty,
        "takes": " / ".join(takes),
        "pct": opens_below(certainty, team),
    }


@dataclass
class WeekCell:
    capacity: int
    load: int
    allowed: tuple[str, ...]

    @property
    def utilisation_pct(self) -> int | None:
        return round(100 * self.load / self.capacity) if self.capacity else None

    @property
    def full(self) -> bool:
        return not self.allowed


def history(
    states: list[AeState], team: Team, today: datetime.date, weeks: int = 8
) -> tuple[list[datetime.date], list[tuple[AeState, list[WeekCell]]]]:
    """Each AE's capacity, load and allowed certainty at the end of each of the last weeks
    (Sundays, end of day), oldest first. Load is counted in one query over the handoffs."""
    sunday = calendar.last_sunday(today)
    days = [sunday - datetime.timedelta(weeks=w) for w in range(weeks - 1, -1, -1)]
    moments = [calendar.day_bounds(d, team.zone)[1] for d in days]
    counts = {}
    for i, t in enumerate(moments):
        counts[f"pending_{i}"] = Count(
            "pk", filter=Q(created_at__lt=t) & (Q(decided_at__isnull=True) | Q(decided_at__gte=t))
        )
        counts[f"open_{i}"] = Count(
            "opportunity",
            filter=Q(opportunity__created_at__lt=t)
            & (Q(opportunity__closed_at__isnull=True) | Q(opportunity__closed_at__gte=t)),
        )
    ae_ids = [s.ae.pk for s in states]
    loads = {
        row["ae"]: row
        for row in Handoff.objects.filter(ae__in=ae_ids).values("ae").annotate(**counts)
    }
    reductions: dict[int, list[CapacityReduction]] = {}
    for r in CapacityReduction.objects.filter(ae__in=ae_ids):
        reductions.setdefault(r.ae_id, []).append(r)
    rows = []
    for state in states:
        cells = []
        for i, day in enumerate(days):
            active = [
                r.capacity
                for r in reductions.get(state.ae.pk, [])
                if r.start_date <= day and (r.end_date is None or day <= r.end_date)
            ]
            capacity = min(active) if active else state.normal
            row = loads.get(state.ae.pk, {})
            load = row.get(f"pending_{i}", 0) + row.get(f"open_{i}", 0)
            cells.append(
                WeekCell(
                    capacity=capacity,
                    load=load,
                    allowed=allowed_certainties(load / capacity if capacity else None, team),
                )
            )
        rows.append((state, cells))
    return days, rows
