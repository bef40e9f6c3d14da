"""The weekly KPIs of kpi-definitions.md, computed fresh from the data in the database.

Every figure of a team-week is one aggregate query (or a few), never a loop over rows in
Python. Events belong to the team on which the acting or owning SDR had an active staffing
record on the event's date in the team's time zone.
"""

import copy
import datetime
import statistics
from collections.abc import Iterable
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction

from django.db import connection, connections, router, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import TruncDate, TruncWeek

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Source
from sdr_ops import calendar
from sdr_ops.models import (
    TRANSITION_WINDOW_DEFAULTS,
    Role,
    StaffingRecord,
    Team,
    tenure_month,
)

from .models import StageEntry

# Fixed edges of the ratio status, around the team's own band (kpi-definitions.md).
WASTED_AT = 0.50
TOO_NARROW_AT = 0.90


class Week(calendar.Week):
    """A team's ISO week: the calendar's week in the team's time zone, carrying the team."""

    team: Team

    def __init__(self, team: Team, monday: datetime.date):
        super().__init__(monday, team.zone)
        object.__setattr__(self, "team", team)

    @classmethod
    def parse(cls, team: Team, label: str) -> "Week":
        return cls(team, calendar.parse_week(label))

    def at(self, monday: datetime.date) -> "Week":
        return Week(self.team, monday)


def on_team(team: Team, person: str, day: str) -> Exists:
    """True when the person (an SDR field of the outer row) had an active SDR staffing record
    on the team on the outer row's `day` annotation."""
    return Exists(
        StaffingRecord.objects.filter(
            person=OuterRef(person), team=team, role=Role.SDR, start_date__lte=OuterRef(day)
        ).filter(Q(end_date__isnull=True) | Q(end_date__gte=OuterRef(day)))
    )


def local_day(field: str, team: Team) -> TruncDate:
    return TruncDate(field, tzinfo=team.zone, output_field=DateField())


# -- people ----------------------------------------------------------------------------------


def service_start(record: StaffingRecord, records: list[StaffingRecord]) -> datetime.date:
    """The start of the unbroken SDR service the record belongs to: follow the person's SDR
    records back while each starts no later than the day after the previous one ended."""
    earlier = sorted(
        (r for r in records if r.start_date < record.start_date),
        key=lambda r: r.start_date,
        reverse=True,
    )
    start = record.start_date
    for previous in earlier:
        if previous.end_date is None or previous.end_date + datetime.timedelta(days=1) >= start:
            start = previous.start_date
        else:
            break
    return start


def people(week: Week) -> dict:
    """headcount and productive_headcount on the week's Sunday."""
    day = week.end_date
    counted = list(StaffingRecord.objects.active_on(day).filter(team=week.team, role=Role.SDR))
    history: dict[int, list[StaffingRecord]] = {}
    for record in StaffingRecord.objects.filter(
        person__in=[r.person_id for r in counted], role=Role.SDR
    ):
        history.setdefault(record.person_id, []).append(record)
    productive = sum(
        week.team.ramp_factor(tenure_month(service_start(r, history[r.person_id]), day))
        for r in counted
    )
    return {"headcount": len(counted), "productive_headcount": round(productive, 4)}


# -- activities --------------------------------------------------------------------------------


def activities(week: Week) -> dict:
    """calls, connects and emails of the team's SDRs in the week."""
    rows = (
        Activity.objects.filter(started_at__gte=week.start, started_at__lt=week.stop)
        .annotate(day=local_day("started_at", week.team))
        .filter(on_team(week.team, "sdr", "day"))
        .aggregate(
            calls=Count("pk", filter=Q(type=Activity.Type.CALL)),
            connects=Count(
                "pk", filter=Q(type=Activity.Type.CALL, outcome=Activity.Outcome.CONNECTED)
            ),
            emails=Count("pk", filter=Q(type=Activity.Type.EMAIL)),
        )
    )
    return rows


def speed_to_lead(week: Week) -> dict:
    """Median hours from creation to first activity of the inbound leads created in the week
    (untouched ones left out and counted), null when no lead qualifies."""
    # The first activity is the lead's entry into `working`, kept on its stage entry row with
    # its owner, creation and source (metrics.models.StageEntry): one table, its index.
    leads = (
        StageEntry.objects.filter(
            source=Source.INBOUND, created_at__gte=week.start, created_at__lt=week.stop
        )
        .annotate(day=local_day("created_at", week.team))
        .filter(on_team(week.team, "owner", "day"))
        .order_by()
        .values_list("created_at", "working_at")
    )
    hours, untouched = [], 0
    for created, first in leads:
        if first is None:
            untouched += 1
        else:
            hours.append((first - created).total_seconds() / 3600)
    return {
        "speed_to_lead_median_hours": round(statistics.median(hours), 4) if hours else None,
        "inbound_untouched": untouched,
    }


# -- handoffs and the ratio ----------------------------------------------------------------------


def ratio_status(ratio: float | None, team: Team) -> str:
    if ratio is None:
        return "no_data"
    if ratio <= WASTED_AT:
        return "wasted_visits"
    if ratio < float(team.ratio_band_low):
        return "below_band"
    if ratio <= float(team.ratio_band_high):
        return "in_band"
    if ratio < TOO_NARROW_AT:
        return "above_band"
    return "too_narrow"


def team_handoffs(week: Week):
    """Handoffs made by the team's SDRs (attributed on the handoff's date)."""
    return Handoff.objects.annotate(day=local_day("created_at", week.team)).filter(
        on_team(week.team, "sdr", "day")
    )


def handoff_ratio(week: Week) -> dict:
    counts = (
        team_handoffs(week)
        .filter(created_at__gte=week.start, created_at__lt=week.stop)
        .aggregate(
            handoffs_created=Count("pk"),
            handoffs_accepted=Count("pk", filter=Q(status=Handoff.Status.ACCEPTED)),
            handoffs_rejected=Count("pk", filter=Q(status=Handoff.Status.REJECTED)),
            handoffs_pending=Count("pk", filter=Q(status=Handoff.Status.PENDING)),
        )
    )
    decided = counts["handoffs_accepted"] + counts["handoffs_rejected"]
    ratio = counts["handoffs_accepted"] / decided if decided else None
    return {
        **counts,
        "handoff_to_opportunity_ratio": round(ratio, 4) if ratio is not None else None,
        "dead_ratio": round(1 - ratio, 4) if ratio is not None else None,
        "ratio_status": ratio_status(ratio, week.team),
    }


# -- amounts -----------------------------------------------------------------------------------


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def amounts(week: Week) -> dict:
    """Opportunities of the team's handoffs won with closed_at in the week."""
    won = Opportunity.objects.filter(
        status=Opportunity.Status.WON,
        closed_at__gte=week.start,
        closed_at__lt=week.stop,
        handoff__in=team_handoffs(week).values("pk"),
    )
    totals = won.aggregate(
        n=Count("pk"), created=Sum("amount_at_creation"), closed=Sum("amount_at_close")
    )
    pcts = [
        (closed - created) / created
        for created, closed in won.values_list("amount_at_creation", "amount_at_close")
        if created
    ]
    created, closed = totals["created"], totals["closed"]
    drift = closed - created if totals["n"] else None
    return {
        "opportunities_won": totals["n"],
        "amount_at_creation_won": _number(created) if totals["n"] else 0,
        "amount_won": _number(closed) if totals["n"] else 0,
        "amount_drift": _number(drift) if totals["n"] else 0,
        "amount_drift_pct": round(float(drift / created), 4) if totals["n"] and created else None,
        "median_drift_pct": round(float(statistics.median(pcts)), 4) if pcts else None,
    }


# -- the pipeline ------------------------------------------------------------------------------


def pipeline(week: Week, *, history: int = 4, lookback: int = 26) -> dict:
    """Pending handoffs now, and what they should bring: the mean ratio and the mean amount
    at creation over the last `history` weeks that have a ratio."""
    pending = team_handoffs(week).filter(status=Handoff.Status.PENDING).count()
    ratios, weeks_used = [], []
    for back in range(0, lookback):
        past = week.shifted(-back)
        ratio = handoff_ratio(past)["handoff_to_opportunity_ratio"]
        if ratio is not None:
            ratios.append(ratio)
            weeks_used.append(past)
        if len(ratios) == history:
            break
    if not ratios:
        return {
            "pending_handoffs": pending,
            "expected_opportunities": None,
            "expected_amount": None,
        }
    expected = pending * statistics.mean(ratios)
    created = (
        Opportunity.objects.filter(
            handoff__in=team_handoffs(week).values("pk"),
        )
        .filter(
            Q(
                *[Q(created_at__gte=w.start, created_at__lt=w.stop) for w in weeks_used],
                _connector=Q.OR,
            )
        )
        .values_list("amount_at_creation", flat=True)
    )
    amounts_created = list(created)
    mean_amount = statistics.mean(amounts_created) if amounts_created else None
    return {
        "pending_handoffs": pending,
        "expected_opportunities": round(expected, 4),
        "expected_amount": round(float(Decimal(str(expected)) * mean_amount), 2)
        if mean_amount is not None
        else None,
    }


# -- stages and the bottleneck --------------------------------------------------------------------

STAGES = ["new", "working", "connected", "handed_off", "opportunity", "won"]


def _entry(stage: str):
    """When a lead (the outer row) entered the stage, derived from events."""
    if stage == "new":
        return None
    if stage in ("working", "connected"):
        acts = Activity.objects.filter(lead=OuterRef("pk"))
        if stage == "connected":
            acts = acts.filter(type=Activity.Type.CALL, outcome=Activity.Outcome.CONNECTED)
        return Subquery(acts.order_by("started_at").values("started_at")[:1])
    if stage == "handed_off":
        return Subquery(
            Handoff.objects.filter(lead=OuterRef("pk"))
            .order_by("created_at")
            .values("created_at")[:1]
        )
    if stage == "opportunity":
        return Subquery(
            Handoff.objects.filter(lead=OuterRef("pk"), status="accepted")
            .order_by("decided_at")
            .values("decided_at")[:1]
        )
    return Subquery(
        Opportunity.objects.filter(handoff__lead=OuterRef("pk"), status="won")
        .order_by("closed_at")
        .values("closed_at")[:1]
    )


def window_days(team: Team, source: str, target: str) -> int:
    """The team's window of the transition, in days (kpi-definitions.md, defaults there)."""
    key = f"{source}->{target}"
    return int((team.transition_windows or {}).get(key, TRANSITION_WINDOW_DEFAULTS[key]))


def is_mature(week: Week, window: int, today: datetime.date) -> bool:
    """The week's cohort has had its whole window: week_end + window days < today."""
    return week.end_date + datetime.timedelta(days=window) < today


def stage_counts(weeks: list[Week]) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(entered, converted, converted_in_window) for each step S -> T and each of the
    consecutive weeks i: the team's leads that entered S in the week (the owner on the team
    that day), the ones of those that entered T at any time so far, and the ones that entered
    T no later than the step's window after their own entry into S. One grouped query for
    every step and week.

    Only the leads that entered some stage within the weeks are looked at; their stage entry
    times are read from StageEntry (metrics.stage_entries keeps it, with the lead's owner and
    creation time), equal to the times the definition derives from the events
    (tests/test_stage_windows.py)."""
    steps = list(zip(STAGES, STAGES[1:], strict=False))
    totals = {(source, i): [0, 0, 0] for source, _t in steps for i in range(len(weeks))}
    read = _stage_groups_postgresql if connection.vendor == "postgresql" else _stage_groups
    for places, reached, in_window, rows in read(weeks):
        for n, (source, _target) in enumerate(steps):
            if places[n] is not None:
                counts = totals[source, places[n]]
                counts[0] += rows
                counts[1] += rows * reached[n]
                counts[2] += rows * in_window[n]
    return {key: (e, c, j) for key, (e, c, j) in totals.items()}


StageGroup = tuple[list[int | None], list[int], list[int], int]


def _windows(team: Team) -> list[datetime.timedelta]:
    return [
        datetime.timedelta(days=window_days(team, source, target))
        for source, target in zip(STAGES, STAGES[1:], strict=False)
    ]


def _stage_groups_postgresql(weeks: list[Week]) -> list[StageGroup]:
    """The funnel's read on PostgreSQL: the team's staffing records, each day turned into the
    instant it starts in the team's zone once per record (not once per lead), joined with
    their owners' stage entry rows read from the covering index; each entry placed in its
    week by `width_bucket` over the weeks' edges (no time zone arithmetic per row). Grouped
    by, for each step, the week of the entry into its first stage (the owner on the team at
    that instant), whether the next was reached and whether within the step's window."""
    team = weeks[0].team
    since, until = weeks[0].start, weeks[-1].stop
    edges = [week.start for week in weeks] + [until]
    stages = [f"{stage}_at" for stage in ["created", *STAGES[1:]]]
    columns, moved = [], []
    for n, (at, target) in enumerate(zip(stages, stages[1:], strict=False)):
        columns.append(
            f"""CASE WHEN e.{at} >= %(since)s AND e.{at} < %(until)s AND e.{at} >= r.on_from
                    AND (r.on_until IS NULL OR e.{at} < r.on_until)
                THEN width_bucket(e.{at}, %(edges)s::timestamptz[]) END,
            (e.{target} IS NOT NULL)::int,
            coalesce((e.{target} <= e.{at} + %(window{n})s), false)::int"""
        )
    for at in stages:
        moved.append(f"(e.{at} >= %(since)s AND e.{at} < %(until)s)")
    sql = f"""
        WITH r AS MATERIALIZED (
            SELECT person_id,
                   start_date::timestamp AT TIME ZONE %(zone)s AS on_from,
                   (end_date + 1)::timestamp AT TIME ZONE %(zone)s AS on_until
            FROM {StaffingRecord._meta.db_table}
            WHERE team_id = %(team)s AND role = %(role)s
        )
        SELECT {", ".join(columns)}, count(*)
        FROM r JOIN {StageEntry._meta.db_table} e ON e.owner_id = r.person_id
        WHERE {" OR ".join(moved)}
        GROUP BY {", ".join(str(i) for i in range(1, 3 * len(columns) + 1))}
    """
    params = {
        "since": since,
        "until": until,
        "edges": edges,
        "zone": team.time_zone,
        "team": team.pk,
        "role": Role.SDR,
        **{f"window{n}": window for n, window in enumerate(_windows(team))},
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    groups = []
    for row in rows:
        # width_bucket: 1 for the first week; 0 and len(edges) fall outside.
        places = [row[3 * n] - 1 if row[3 * n] else None for n in range(len(columns))]
        places = [p if p is not None and 0 <= p < len(weeks) else None for p in places]
        reached = [row[3 * n + 1] for n in range(len(columns))]
        in_window = [row[3 * n + 2] for n in range(len(columns))]
        groups.append((places, reached, in_window, row[-1]))
    return groups


def _stage_groups(weeks: list[Week]) -> list[StageGroup]:
    """The funnel's read elsewhere (SQLite): the same groups through the ORM, the owner's
    team and the weeks taken from each entry's local day."""
    team = weeks[0].team
    since, until = weeks[0].start, weeks[-1].stop
    within = {"gte": since, "lt": until}

    def inside(field: str) -> dict:
        return {f"{field}__{op}": value for op, value in within.items()}

    moved = Q(**inside("created_at"))
    for stage in STAGES[1:]:
        moved |= Q(**inside(f"{stage}_at"))
    # One row per lead and SDR record of its owner on the team (records of one person do not
    # overlap, so a day falls in one of them at most), with the first time of each stage.
    leads = (
        StageEntry.objects.filter(
            owner__staffing_records__team=team, owner__staffing_records__role=Role.SDR
        )
        .filter(moved)
        .order_by()
        .annotate(
            at_new=F("created_at"),
            **{f"at_{stage}": F(f"{stage}_at") for stage in STAGES[1:]},
            on_from=F("owner__staffing_records__start_date"),
            on_until=F("owner__staffing_records__end_date"),
        )
    )
    steps = list(zip(STAGES, STAGES[1:], strict=False))
    for source, _target in steps:
        leads = leads.annotate(**{f"day_{source}": local_day(f"at_{source}", team)})
    keys = {}
    for n, ((source, target), window) in enumerate(zip(steps, _windows(team), strict=True)):
        at, day = f"at_{source}", f"day_{source}"
        cohort = (
            Q(**{f"{at}__gte": since, f"{at}__lt": until})
            & Q(**{f"{day}__gte": F("on_from")})
            & (Q(on_until__isnull=True) | Q(**{f"{day}__lte": F("on_until")}))
        )
        reached = Q(**{f"at_{target}__isnull": False})
        in_window = reached & Q(**{f"at_{target}__lte": F(at) + window})
        keys[f"w{n}"] = Case(
            When(cohort, then=TruncWeek(at, tzinfo=team.zone, output_field=DateField())),
            default=None,
            output_field=DateField(),
        )
        keys[f"r{n}"] = Case(When(reached, then=Value(1)), default=Value(0))
        keys[f"j{n}"] = Case(When(in_window, then=Value(1)), default=Value(0))
    index = {week.monday: i for i, week in enumerate(weeks)}

    def place(monday) -> int | None:
        if isinstance(monday, datetime.datetime):
            monday = monday.date()
        return index.get(monday)

    return [
        (
            [place(row[f"w{n}"]) for n in range(len(steps))],
            [row[f"r{n}"] for n in range(len(steps))],
            [row[f"j{n}"] for n in range(len(steps))],
            row["rows"],
        )
        for row in leads.annotate(**keys).values(*keys).annotate(rows=Count("*")).order_by()
    ]


# The bottleneck compares a week with the mean of the previous STAGE_HISTORY weeks in which
# the step's cohort was mature and had data, looked for among the STAGE_LOOKBACK weeks before.
STAGE_HISTORY = 8
STAGE_LOOKBACK = 16

StageCounts = dict[tuple[str, datetime.date], tuple[int, int, int]]


def stage_counts_by_monday(weeks: list[Week]) -> StageCounts:
    """stage_counts keyed by each week's Monday instead of its place in the list. A week's
    counts do not depend on the other weeks asked with it, so one read serves many weeks."""
    return {(source, weeks[i].monday): value for (source, i), value in stage_counts(weeks).items()}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _relative(rate: Fraction, mean: Fraction) -> Fraction | None:
    """This week's rate against its history; None when it cannot be a bottleneck (a mean of 0
    and a rate above it)."""
    if mean == 0:
        return Fraction(1) if rate == 0 else None
    return rate / mean


def stages(
    week: Week,
    counts: StageCounts | None = None,
    today: datetime.date | None = None,
) -> dict:
    """stage_conversion for the week, and the like-with-like bottleneck (kpi-definitions.md,
    "Stages and the bottleneck"), as of `today` in the team's zone (default: today).
    `counts` (stage_counts_by_monday over a span holding these weeks) saves the read."""
    today = today or week.team.local_today()
    weeks = [week.shifted(-back) for back in range(STAGE_LOOKBACK, -1, -1)]  # oldest first
    by_step = counts if counts is not None else stage_counts_by_monday(weeks)
    conversion, candidates = [], []
    for source, target in zip(STAGES, STAGES[1:], strict=False):
        window = window_days(week.team, source, target)
        entered, converted, in_window = by_step[source, week.monday]
        mature = is_mature(week, window, today)
        conversion.append(
            {
                "from": source,
                "to": target,
                "entered": entered,
                "converted": converted,
                "rate": _share(converted, entered),
                "window_days": window,
                "converted_in_window": in_window,
                "rate_in_window": _share(in_window, entered),
                "mature": mature,
            }
        )
        if not (mature and entered):
            continue
        past: list[Fraction] = []
        for earlier in reversed(weeks[:-1]):  # the most recent first
            e, _c, j = by_step[source, earlier.monday]
            if e and is_mature(earlier, window, today):
                past.append(Fraction(j, e))
                if len(past) == STAGE_HISTORY:
                    break
        mean = sum(past, Fraction(0)) / len(past) if past else None
        candidates.append((source, target, Fraction(in_window, entered), mean))
    return {"stage_conversion": conversion, "bottleneck": bottleneck_of(candidates)}


def bottleneck_of(candidates: list[tuple[str, str, Fraction, Fraction | None]]) -> dict | None:
    """Among (from, to, rate_in_window, mean of history or None) of the mature steps with
    data, in stage order: the lowest rate against its own history; a step without history
    cannot win while another has some; with no history anywhere, the lowest rate. Ties go to
    the earlier step. None when no step is mature with data, or none can be a bottleneck."""
    if not candidates:
        return None
    with_history = [c for c in candidates if c[3] is not None]
    if with_history:
        scored = [
            (relative, n)
            for n, (_s, _t, rate, mean) in enumerate(with_history)
            if (relative := _relative(rate, mean)) is not None
        ]
        if not scored:
            return None
        source, target, *_rest = with_history[min(scored)[1]]
    else:
        source, target, *_rest = min(candidates, key=lambda c: c[2])
    return {"from": source, "to": target}


# -- the whole object ------------------------------------------------------------------------------


@contextmanager
def reporting_queries():
    """A transaction for a few large read-only aggregates. On PostgreSQL, JIT compiling costs
    more than it saves on these (half a second per team-week), and hashing the candidate
    leads and their events needs more than the default 4 MB of work memory; both settings
    end with the transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL random_page_cost = 1.1")
        yield


def compute_week(team: Team, label: str, today: datetime.date | None = None) -> dict:
    """The object of kpi-definitions.md for one team-week, computed fresh from the data, as
    of `today` in the team's zone (default: today; it decides which cohorts are mature)."""
    with reporting_queries():
        return _compute_week(team, label, today=today)


# Weeks computed together share one read of the stage counts; a longer run is cut in pieces
# so that read stays one reasonable statement.
WEEKS_PER_READ = 12


def compute_weeks(
    team: Team, labels: list[str], today: datetime.date | None = None
) -> dict[str, dict]:
    """compute_week for several weeks of a team, keyed by label: the same figures, with the
    stage counts read once per run of up to WEEKS_PER_READ weeks instead of once a week."""
    weeks = sorted({Week.parse(team, label) for label in labels}, key=lambda w: w.monday)
    figures = {}
    with reporting_queries():
        for start in range(0, len(weeks), WEEKS_PER_READ):
            run = weeks[start : start + WEEKS_PER_READ]
            first = run[0].shifted(-STAGE_LOOKBACK)
            span = weeks_between(first, run[-1])
            counts = stage_counts_by_monday(span)
            for week in run:
                figures[week.label] = _compute_week(team, week.label, counts=counts, today=today)
    return figures


def _compute_week(
    team: Team, label: str, counts: StageCounts | None = None, today: datetime.date | None = None
) -> dict:
    week = Week.parse(team, label)
    figures = {
        "team": team.slug,
        "week": week.label,
        "week_start": week.monday.isoformat(),
        "week_end": week.end_date.isoformat(),
    }
    figures.update(people(week))
    figures.update(activities(week))
    figures.update(speed_to_lead(week))
    figures.update(handoff_ratio(week))
    figures.update(amounts(week))
    figures.update(stages(week, counts=counts, today=today))
    figures.update(pipeline(week))
    return figures


# -- per SDR, for reference only ----------------------------------------------------------------


def per_sdr(week: Week) -> dict[int, dict]:
    """Each SDR's own figures of the week on the team, keyed by person id: activities, the
    handoffs they made and how they were decided, and what was won from them. Four grouped
    queries whatever the number of SDRs. Reference only (idea 12): team figures drive
    decisions."""
    team = week.team
    people = (
        StaffingRecord.objects.filter(team=team, role=Role.SDR, start_date__lte=week.end_date)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=week.monday))
        .values_list("person_id", flat=True)
    )
    figures = {
        person: {
            "calls": 0,
            "connects": 0,
            "emails": 0,
            "handoffs_created": 0,
            "handoffs_accepted": 0,
            "handoffs_rejected": 0,
            "opportunities_won": 0,
            "amount_won": 0,
        }
        for person in people
    }
    activity_rows = (
        Activity.objects.filter(started_at__gte=week.start, started_at__lt=week.stop)
        .annotate(day=local_day("started_at", team))
        .filter(on_team(team, "sdr", "day"))
        .values("sdr_id")
        .annotate(
            calls=Count("pk", filter=Q(type=Activity.Type.CALL)),
            connects=Count(
                "pk", filter=Q(type=Activity.Type.CALL, outcome=Activity.Outcome.CONNECTED)
            ),
            emails=Count("pk", filter=Q(type=Activity.Type.EMAIL)),
        )
        .order_by()
    )
    handoff_rows = (
        team_handoffs(week)
        .filter(created_at__gte=week.start, created_at__lt=week.stop)
        .values("sdr_id")
        .annotate(
            handoffs_created=Count("pk"),
            handoffs_accepted=Count("pk", filter=Q(status=Handoff.Status.ACCEPTED)),
            handoffs_rejected=Count("pk", filter=Q(status=Handoff.Status.REJECTED)),
        )
        .order_by()
    )
    won_rows = (
        Opportunity.objects.filter(
            status=Opportunity.Status.WON,
            closed_at__gte=week.start,
            closed_at__lt=week.stop,
            handoff__in=team_handoffs(week).values("pk"),
        )
        .values(sdr_id=F("handoff__sdr_id"))
        .annotate(opportunities_won=Count("pk"), amount_won=Sum("amount_at_close"))
        .order_by()
    )
    for rows in (activity_rows, handoff_rows, won_rows):
        for row in rows:
            person = row.pop("sdr_id")
            figures.setdefault(person, {}).update(row)
    for values in figures.values():
        values["amount_won"] = _number(values.get("amount_won") or Decimal(0))
        decided = values.get("handoffs_accepted", 0) + values.get("handoffs_rejected", 0)
        values["handoff_to_opportunity_ratio"] = (
            round(values["handoffs_accepted"] / decided, 4) if decided else None
        )
    return figures


# -- qualification evidence against outcomes ------------------------------------------------------

EVIDENCE_STATES = ["confirmed", "not_disclosed", "not_asked"]

# What the evidence counts for each item and state, in this order: handoffs, accepted,
# rejected, and the sums of the amounts at creation and at close of those won (None when
# none was won). The counts add up week by week, so a stored week carries its own.
EVIDENCE_PARTS = ("n", "a", "r", "c", "w")
_AMOUNTS = {"c", "w"}

# Instants no handoff has, put where the span's edges go when the query is compiled, so that
# the compiled statement can be run again with each span's own edges.
_SINCE = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
_UNTIL = datetime.datetime(1900, 1, 8, tzinfo=datetime.UTC)


def _evidence_query(team: Team):
    """The team's handoffs made in [_SINCE, _UNTIL), grouped by their local day and by each
    checklist item's state (found by name in the handoff's frozen checklist, wherever it
    stands in it): at most 3 ** items small rows a day."""
    items = list(team.qualification_items)
    positions = range(len(items) + 2)
    week = Week(team, calendar.monday_of(_SINCE.date()))
    handoffs = team_handoffs(week).filter(created_at__gte=_SINCE, created_at__lt=_UNTIL)
    won = Q(opportunity__status=Opportunity.Status.WON)
    states = {
        f"s{n}": Case(
            *[
                When(
                    **{f"checklist__{k}__item": item},
                    then=KeyTextTransform("status", KeyTransform(k, "checklist")),
                )
                for k in positions
            ],
            default=Value(""),
            output_field=CharField(),
        )
        for n, item in enumerate(items)
    }
    return (
        handoffs.annotate(**states)
        .values("day", *states)
        .annotate(
            n=Count("pk"),
            a=Count("pk", filter=Q(status=Handoff.Status.ACCEPTED)),
            r=Count("pk", filter=Q(status=Handoff.Status.REJECTED)),
            c=Sum("opportunity__amount_at_creation", filter=won),
            w=Sum("opportunity__amount_at_close", filter=won),
        )
        .order_by()
    )


class _Compiled:
    """A values() query compiled once: its SQL text, its parameters with the places of the
    span's two edges, and the compiler that turns the database's values into Python's."""

    def __init__(self, queryset, using: str):
        self.compiler = queryset.query.get_compiler(using=using)
        self.sql, params = self.compiler.as_sql()
        self.params = list(params)
        ops = connections[using].ops
        markers = [
            (ops.adapt_datetimefield_value(_SINCE), "since"),
            (ops.adapt_datetimefield_value(_UNTIL), "until"),
        ]
        self.edges = [
            (i, name)
            for i, param in enumerate(self.params)
            for marker, name in markers
            if type(param) is type(marker) and param == marker
        ]
        if sorted(name for _i, name in self.edges) != ["since", "until"]:
            raise RuntimeError("the span's edges are not parameters of the query")
        query = queryset.query
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [column[0] for column in self.compiler.select[: self.compiler.col_count]]
        self.converters = self.compiler.get_converters(fields)

    def rows(self, using: str, since: datetime.datetime, until: datetime.datetime):
        ops = connections[using].ops
        edges = {"since": ops.adapt_datetimefield_value(since)}
        edges["until"] = ops.adapt_datetimefield_value(until)
        params = list(self.params)
        for i, name in self.edges:
            params[i] = edges[name]
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [dict(zip(self.names, row, strict=True)) for row in rows]


# One compiled statement per database, team, checklist and time zone, for the life of the
# process: building and compiling the 60-odd branches of the states cost more CPU than the
# database spends running them.
_COMPILED: dict[tuple, _Compiled] = {}


def _evidence_rows_between(team: Team, since: datetime.datetime, until: datetime.datetime):
    using = router.db_for_read(Handoff)
    key = (using, connections[using].vendor, team.pk, tuple(team.qualification_items))
    key += (team.time_zone,)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) > 256:
            _COMPILED.clear()
        compiled = _COMPILED[key] = _Compiled(_evidence_query(team), using)
    return compiled.rows(using, since, until)


def _day(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def evidence_by_week(team: Team, weeks: list[Week]) -> dict[str, dict]:
    """The counts behind the qualification evidence for each of the team's weeks, keyed by
    label: `{"items": the team's checklist, "counts": {item: {state: [n, a, r, c, w]}}}`
    (EVIDENCE_PARTS; the amounts as decimal strings, None when none was won). What a stored
    week carries (rollups.store_weeks) and what the dashboards sum. One query over the
    weeks' span; a week of the span not asked for is left out."""
    items = list(team.qualification_items)
    empty = {item: {state: [0, 0, 0, None, None] for state in EVIDENCE_STATES} for item in items}
    by_monday = {
        week.monday: {"items": items, "counts": copy.deepcopy(empty)}
        for week in sorted(weeks, key=lambda w: w.monday)
    }
    if not items or not by_monday:
        return {week.label: by_monday[week.monday] for week in weeks}
    first, last = Week(team, min(by_monday)), Week(team, max(by_monday))
    for group in _evidence_rows_between(team, first.start, last.stop):
        week = by_monday.get(calendar.monday_of(_day(group["day"])))
        if week is None:
            continue
        for n, item in enumerate(items):
            counts = week["counts"][item].get(group[f"s{n}"])
            if counts is None:
                continue
            for i, part in enumerate(EVIDENCE_PARTS):
                value = group[part]
                if value is not None:
                    counts[i] = _add(counts[i], value, amount=part in _AMOUNTS)
    return {week.label: by_monday[week.monday] for week in weeks}


def _add(total, value, *, amount: bool):
    """A count or an amount (kept as a decimal string) plus one group's value."""
    if not amount:
        return total + value
    return str((Decimal(total) if total is not None else Decimal(0)) + Decimal(value))


def evidence_table(items: list[str], weeks: Iterable[dict]) -> list[dict]:
    """The qualification evidence of kpi-definitions.md's handoffs over several weeks, from
    each week's counts (evidence_by_week): for each checklist item and each state it can be
    handed off in, the handoffs, how many were accepted and rejected, the acceptance and the
    amount drift of those won."""
    totals = {(item, state): [0, 0, 0, None, None] for item in items for state in EVIDENCE_STATES}
    for week in weeks:
        for item, by_state in week["counts"].items():
            for state, counts in by_state.items():
                total = totals.get((item, state))
                if total is None:
                    continue
                for i, part in enumerate(EVIDENCE_PARTS):
                    if counts[i] is not None:
                        total[i] = _add(total[i], counts[i], amount=part in _AMOUNTS)
    evidence = []
    for item in items:
        for state in EVIDENCE_STATES:
            handoffs, accepted, rejected, created, closed = totals[item, state]
            created = Decimal(created) if created is not None else None
            closed = Decimal(closed) if closed is not None else None
            evidence.append(
                {
                    "item": item,
                    "state": state,
                    "handoffs": handoffs,
                    "accepted": accepted,
                    "rejected": rejected,
                    "acceptance": round(accepted / (accepted + rejected), 4)
                    if accepted + rejected
                    else None,
                    "drift_pct": round(float((closed - created) / created), 4) if created else None,
                }
            )
    return evidence


def weeks_between(first: Week, last: Week) -> list[Week]:
    """The weeks from `first` to `last`, oldest first."""
    return [first.shifted(i) for i in range((last.monday - first.monday).days // 7 + 1)]


def qualification_evidence(first: Week, last: Week) -> list[dict]:
    """For each checklist item of the team and each state it can be handed off in (confirmed,
    asked but not disclosed, not asked): the team's handoffs made in the weeks that carried
    it, how many were accepted and rejected, and the amount drift of those won, computed
    from the rows. One query.

    The item is found by name in the handoff's frozen checklist, wherever it stands in it,
    so a checklist reordered since keeps its history."""
    team = first.team
    weeks = weeks_between(first, last)
    return evidence_table(list(team.qualification_items), evidence_by_week(team, weeks).values())


# -- the largest drifts ------------------------------------------------------------------------

# The dashboards list the ten won deals whose amount fell most; a week keeps its own ten, among
# which are all of a span's ten that closed in it.
LARGEST_DRIFTS = 10


def won_by_drift(first: Week, last: Week):
    """The won deals of the team's handoffs closed in the weeks, with their `drift` (the amount
    at close less the amount at creation), the largest fall first (ties by id)."""
    return (
        Opportunity.objects.filter(
            status=Opportunity.Status.WON,
            closed_at__gte=first.start,
            closed_at__lt=last.stop,
            handoff__in=team_handoffs(last).values("pk"),
        )
        .annotate(drift=F("amount_at_close") - F("amount_at_creation"))
        .order_by("drift", "pk")
    )


def largest_drift_ids(weeks: list[Week]) -> dict[str, list[int]]:
    """Each week's LARGEST_DRIFTS won deals by drift (won_by_drift), as ids, keyed by label:
    what a stored week carries. One small query a week."""
    return {
        week.label: list(won_by_drift(week, week).values_list("pk", flat=True)[:LARGEST_DRIFTS])
        for week in weeks
    }
