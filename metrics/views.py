"""The manager and stakeholder dashboards: team figures week by week (idea 12), every chart
also as a table and a CSV, and the per-SDR figures on a page of their own, for reference."""

import datetime
import functools
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import caches
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from leads.models import QualificationStatus
from leads.queries import lead_mix
from sdr_ops import calendar, changes, fragments
from sdr_ops.access import role_required, team_among, teams_visible_to
from sdr_ops.csvfiles import csv_response
from sdr_ops.models import ChangeMark, Role, StaffingRecord, Team, User, qualification_label
from sdr_ops.templatetags.money import amount_units

from . import kpis, queries
from .models import WeeklyRollup
from .templatetags.labels import stage_label

WEEKS = 12

STATUS_WORDS = {
    "no_data": gettext_lazy("no decided handoff yet"),
    "wasted_visits": gettext_lazy("wasted visits: AEs visit too many leads that are not ready"),
    "below_band": gettext_lazy("below the band: qualify a little more before handing off"),
    "in_band": gettext_lazy("in band"),
    "above_band": gettext_lazy("above the band: qualifying a little strictly"),
    "too_narrow": gettext_lazy("too narrow: qualifying too strictly, chances are being missed"),
}

# The week-by-week table and its CSV: (key in the figures, column heading).
WEEKLY_COLUMNS = [
    ("week", gettext_lazy("Week")),
    ("headcount", gettext_lazy("Headcount")),
    ("productive_headcount", gettext_lazy("Productive headcount")),
    ("calls", gettext_lazy("Calls")),
    ("connects", gettext_lazy("Connects")),
    ("emails", gettext_lazy("E-mails")),
    ("speed_to_lead_median_hours", gettext_lazy("Speed to lead (median hours)")),
    ("handoffs_created", gettext_lazy("Handoffs")),
    ("handoffs_accepted", gettext_lazy("Accepted")),
    ("handoffs_rejected", gettext_lazy("Rejected")),
    ("handoff_to_opportunity_ratio", gettext_lazy("Ratio")),
    ("dead_ratio", gettext_lazy("Dead ratio")),
    ("amount_at_creation_won", gettext_lazy("Amount at creation (won)")),
    ("amount_won", gettext_lazy("Amount won")),
    ("amount_drift_pct", gettext_lazy("Drift")),
]


def _chosen(request: HttpRequest) -> tuple[Team, list[Team], kpis.Week]:
    """The team (among those the user may see) and the week the page shows: the last complete
    week unless the week picker chose another, never one still to come."""
    teams = teams_visible_to(request.user)
    team = team_among(teams, request.GET.get("team"))
    this_week = kpis.Week(team, calendar.monday_of(team.local_today()))
    week = this_week.shifted(-1)
    asked = request.GET.get("week", "")
    if asked:
        try:
            picked = kpis.Week.parse(team, asked)
        except ValueError:
            messages.error(request, _("Pick a week like 2026-W47."))
        else:
            if picked.monday > this_week.monday:
                messages.error(request, _("That week has not begun: showing the last one."))
            else:
                week = picked
    return team, teams, week


# The week picker offers this week and the year before it (any week stays reachable by URL).
PICKER_WEEKS = 53


def week_choices(team: Team, chosen: kpis.Week) -> tuple[tuple[str, str], ...]:
    """The week picker's options, newest first: (ISO label, the week named in the reader's
    language with its dates). A select rather than the browser's own week input, which names
    weeks in the browser's language whatever the page's."""
    this_week = calendar.monday_of(team.local_today())
    return _week_choices(this_week, chosen.monday, get_language())


@functools.lru_cache(maxsize=64)
def _week_choices(
    this_monday: datetime.date, chosen: datetime.date, language: str | None
) -> tuple[tuple[str, str], ...]:
    """week_choices, named once per process, language and pair of weeks (the names depend
    on nothing else)."""
    mondays = [this_monday - datetime.timedelta(weeks=back) for back in range(PICKER_WEEKS)]
    if chosen not in mondays:
        mondays.append(chosen)
    choices = []
    for monday in mondays:
        year, number, _day = monday.isocalendar()
        name = _("Week %(number)s of %(year)s, %(monday)s – %(sunday)s") % {
            "number": number,
            "year": year,
            "monday": date_format(monday, "MONTH_DAY_FORMAT"),
            "sunday": date_format(monday + datetime.timedelta(days=6), "MONTH_DAY_FORMAT"),
        }
        if monday == this_monday:
            name = _("%(week)s (this week, not over yet)") % {"week": name}
        choices.append((calendar.week_label(monday), name))
    return tuple(choices)


def weeks_up_to(last: kpis.Week, count: int = WEEKS) -> list[kpis.Week]:
    """The `count` weeks up to `last`, oldest first."""
    return kpis.weeks_between(last.shifted(-(count - 1)), last)


def weekly_series(team: Team, last: kpis.Week, count: int = WEEKS) -> list[dict]:
    """The `count` weeks up to `last`, oldest first (see queries.weekly_figures)."""
    return queries.weekly_figures(team, weeks_up_to(last, count))


def _for_tables(series: list[dict]) -> list[dict]:
    """The weeks as the tables show them: a week not computed yet shows "…" for each figure."""
    return [
        f
        if f["computed_at"]
        else {**f, **{k: "…" for k in queries.FIGURE_KEYS if k not in ("stage_conversion",)}}
        for f in series
    ]


def _computed_at(figures: dict) -> datetime.datetime | None:
    at = figures["computed_at"]
    return datetime.datetime.fromisoformat(at) if at else None


def _evidence_rows(team: Team, weeks: list[kpis.Week], stored: dict) -> list[dict]:
    states = dict(QualificationStatus.choices)
    rows = queries.qualification_evidence(team, weeks, stored)
    for row in rows:
        row["item_label"] = qualification_label(row["item"], team.qualification_labels)
        row["state_label"] = states[row["state"]]
    return rows


def _chart(team: Team, series: list[dict], current: dict) -> dict:
    return {
        "labels": [f["week"] for f in series],
        "headcount": [f["headcount"] for f in series],
        "productive": [f["productive_headcount"] for f in series],
        "ratio": [f["handoff_to_opportunity_ratio"] for f in series],
        "band": [float(team.ratio_band_low), float(team.ratio_band_high)],
        "amount_units": amount_units(team.currency),
        "created": [f["amount_at_creation_won"] for f in series],
        "won": [f["amount_won"] for f in series],
        "calls": [f["calls"] for f in series],
        "connects": [f["connects"] for f in series],
        "speed": [f["speed_to_lead_median_hours"] for f in series],
        "conversion": {
            f"{stage_label(s['from'])} → {stage_label(s['to'])}": [
                next((c["rate"] for c in f["stage_conversion"] if c["from"] == s["from"]), None)
                for f in series
            ]
            for s in current["stage_conversion"]
        },
        "texts": {
            "headcount": _("Headcount"),
            "productive": _("Productive headcount"),
            "ratio": _("Handoff-to-opportunity ratio"),
            "low": _("Band, low"),
            "high": _("Band, high"),
            "created": _("Amount at creation (won)"),
            "won": _("Amount won"),
            "calls": _("Calls"),
            "connects": _("Connects"),
            "speed": _("Speed to lead (median hours)"),
        },
    }


# -- the page's body, from a cached fragment (sdr_ops.fragments) ------------------------------
#
# The body is everything of the page but the base layout: stored under a key that names the
# viewer's team's data version (fragments.key) and the page's inputs (the team and the week
# as _chosen normalised them, whether the import link shows, the teams of the picker). What
# the body shows beyond the viewer's team's data is covered by the versions of the other teams
# ("others", changes.TABLES): the teams of the picker for a viewer who sees several, and, on
# any viewer's page, a team of each AE and of each lead's owner in the largest drifts (an AE's
# name, an account's name belong to their teams, not to the SDR team's). The teams a page
# depended on last time are kept beside it (_OTHERS_TIMEOUT); their summed version is read
# before any of the page's data (for a manager, in the statement that reads the stored weeks,
# so that a miss costs no query more), stored with the body, and compared on a hit (one
# query). A body is stored only when every other team it shows was among those read, when
# each AE and owner shown belongs to a team, and when every week was computed: a page that
# waits for a worker ("being computed: reload in a few minutes") is read afresh each time,
# asking for the weeks again (queries.weekly_figures), until the worker has stored them.

_OTHERS_TIMEOUT = 24 * 3600


def _shows_several(user: User) -> bool:
    """Whether the viewer may see other teams than their own (access.teams_visible_to)."""
    return user.is_admin or user.role == Role.STAKEHOLDER


def _others_key(request: HttpRequest) -> str:
    """The key of the other teams the page depended on last time, by its raw inputs (read
    before the teams are: a hint only, checked against what the page then shows)."""
    several = str(_shows_several(request.user))
    raw = "\x1f".join((several, request.GET.get("team", ""), request.GET.get("week", "")))
    digest = hashlib.blake2b(raw.encode(), digest_size=12).hexdigest()
    return f"frag-others:{fragments.release()}:dashboards:{digest}"


def _marks_of(team_ids: tuple[int, ...]) -> RawSQL:
    """changes.version(team_ids) as an expression of a query that reads the page's data: read
    in the same statement, the version is never newer than the data."""
    placeholders = ", ".join(["%s"] * len(team_ids))
    return RawSQL(
        f"SELECT COALESCE(SUM(weight), 0) FROM {ChangeMark._meta.db_table} "
        f"WHERE team_id IN ({placeholders})",
        team_ids,
        output_field=BigIntegerField(),
    )


def _ae_and_owner_teams(deals):
    """The largest drifts, each with a team of its AE and of its lead's owner (any team of a
    person moves when the person's row does, changes.TABLES)."""
    team_of = StaffingRecord.objects.order_by("pk").values("team_id")
    return deals.annotate(
        ae_team=Subquery(team_of.filter(person=OuterRef("handoff__ae"))[:1]),
        owner_team=Subquery(team_of.filter(person=OuterRef("handoff__lead__owner"))[:1]),
    )


def _body(request, team, teams, last, others, read_version):
    """The body's context, the other teams it shows (None when one of its people belongs to
    none), whether every week was computed, and the others' version read with the stored
    weeks (when `read_version`)."""
    weeks = weeks_up_to(last)
    first = weeks[0]
    rows = WeeklyRollup.objects.filter(team=team, week__in=[w.label for w in weeks])
    if read_version and others:
        rows = rows.annotate(others_version=_marks_of(others))
    stored = {row.week: row for row in rows}  # queries.stored_weeks, with the version
    if not read_version:
        version = None
    elif not others:
        version = 0
    else:  # read with the first stored week; none stored, none read
        version = next(iter(stored.values())).others_version if stored else None
    series = queries.weekly_figures(team, weeks, stored)
    current = series[-1]
    moves = StaffingRecord.objects.filter(team=team, role=Role.SDR).filter(
        start_date__gte=first.monday, start_date__lte=last.end_date
    ) | StaffingRecord.objects.filter(
        team=team, role=Role.SDR, end_date__gte=first.monday, end_date__lte=last.end_date
    )
    drifts = list(_ae_and_owner_teams(queries.largest_drifts(team, weeks, stored)))
    shown: set[int | None] = {t.pk for t in teams}
    for deal in drifts:
        shown |= {deal.ae_team, deal.owner_team}
    context = {
        "team": team,
        "teams": teams,
        "week": last,
        "week_choices": week_choices(team, last),
        "current": _for_tables([current])[0],
        "computed_at": _computed_at(current),
        "series": _for_tables(series),
        "columns": WEEKLY_COLUMNS,
        "status_words": STATUS_WORDS.get(current["ratio_status"], ""),
        # Where the status changes: the ratio beside it is shown with the decimals that
        # keep it on the status's side of each (sdr_ops.templatetags.money.percent).
        "band_edges": [
            kpis.WASTED_AT,
            float(team.ratio_band_low),
            float(team.ratio_band_high),
            kpis.TOO_NARROW_AT,
        ],
        "moves": moves.order_by("start_date").select_related("person"),
        "drifts": drifts,
        "evidence": _evidence_rows(team, weeks, stored),
        "chart": _chart(team, series, current),
        "since": first.monday,
        "can_import": request.user.has_role(Role.MANAGER),
    }
    complete = all(f["computed_at"] for f in series)
    return context, None if None in shown else shown, complete, version


@role_required(Role.MANAGER, Role.STAKEHOLDER)
def dashboards(request: HttpRequest) -> HttpResponse:
    cache = caches[getattr(settings, "FRAGMENT_CACHE_ALIAS", "default")]
    own = request.user.current_team if fragments.version_of(request) else None
    several = _shows_several(request.user)
    others_key = _others_key(request) if own is not None else None
    others = tuple(cache.get(others_key) or ()) if others_key else ()
    # A viewer of several teams: the others' version before the teams are read.
    version = changes.version(others) if own is not None and several else None
    team, teams, last = _chosen(request)
    parts = (team.pk, last.label, request.user.has_role(Role.MANAGER), *(t.pk for t in teams))
    key = None
    if own is not None and (several or all(t.pk == own.pk for t in teams)):
        # (a viewer of one team whose page showed others: read before their version, uncached)
        key = fragments.key(request, "dashboards", parts)
    entry = cache.get(key) if key else None
    if entry is not None:
        stored_others, stored_version, html = entry
        if stored_others == others and version is not None:
            now = version
        else:
            now = changes.version(stored_others)
        if now == stored_version:
            return render(request, "metrics/dashboards.html", {"body": mark_safe(html)})
    context, shown, complete, read = _body(request, team, teams, last, others, not several)
    body = render_to_string("metrics/_dashboards.html", context)
    if key is not None and shown is not None:
        needed = tuple(sorted(shown - {own.pk}))
        if needed != others:
            cache.set(others_key, needed, _OTHERS_TIMEOUT)
        version = version if several else read
        if complete and version is not None and set(needed) <= set(others):
            cache.set(key, (others, version, str(body)), fragments.TIMEOUT)
    return render(request, "metrics/dashboards.html", {"body": body})


def _weeks_stored(team: Team, last: kpis.Week) -> tuple[list[kpis.Week], dict]:
    """The dashboard's weeks up to `last` and their stored rows (queries.stored_weeks)."""
    weeks = weeks_up_to(last)
    return weeks, queries.stored_weeks(team, weeks)


def _step(step: dict | None) -> str:
    return f"{step['from']}->{step['to']}" if step else ""


@role_required(Role.MANAGER, Role.STAKEHOLDER)
def export(request: HttpRequest, table: str) -> HttpResponse:
    """The dashboard's tables as CSV: the weeks, the qualification evidence, the drifts."""
    team, _teams, last = _chosen(request)
    first = last.shifted(-(WEEKS - 1))
    name = f"{team.slug}-{first.label}-{last.label}-{table}.csv"
    if table == "weeks":
        series = weekly_series(team, last)
        return csv_response(
            name,
            [str(label) for _key, label in WEEKLY_COLUMNS]
            + [_("Status"), _("Bottleneck"), _("Computed at")],
            (
                [f[key] for key, _label in WEEKLY_COLUMNS]
                + [f["ratio_status"], _step(f["bottleneck"]), f["computed_at"]]
                for f in series
            ),
        )
    if table == "funnel":
        return csv_response(
            name,
            [_("Week"), _("Step"), _("Entered"), _("Converted"), _("Rate")]
            + [_("Window (days)"), _("Converted in window"), _("Rate in window"), _("Mature")],
            (
                [f["week"], _step(s), s["entered"], s["converted"], s["rate"]]
                + [s.get(k) for k in ("window_days", "converted_in_window", "rate_in_window")]
                + [s.get("mature")]
                for f in weekly_series(team, last)
                for s in f["stage_conversion"]
            ),
        )
    if table == "evidence":
        return csv_response(
            name,
            [_("Item"), _("State"), _("Handoffs"), _("Accepted"), _("Rejected")]
            + [_("Acceptance"), _("Drift")],
            (
                [r["item"], r["state"], r["handoffs"], r["accepted"], r["rejected"]]
                + [r["acceptance"], r["drift_pct"]]
                for r in queries.qualification_evidence(team, *_weeks_stored(team, last))
            ),
        )
    if table == "drifts":
        return csv_response(
            name,
            [_("Company"), _("SDR"), _("AE"), _("Amount at creation"), _("Amount won")]
            + [_("Drift"), _("Closed")],
            (
                [o.handoff.lead.account.name, o.handoff.sdr.email, o.handoff.ae.email]
                + [
                    o.amount_at_creation,
                    o.amount_at_close,
                    o.drift,
                    o.closed_at.astimezone(team.zone).date(),
                ]
                for o in queries.largest_drifts(team, *_weeks_stored(team, last))
            ),
        )
    raise Http404


@role_required(Role.SDR, Role.MANAGER, Role.STAKEHOLDER)
def people(request: HttpRequest) -> HttpResponse:
    """Each SDR's figures of the week, beside their lead mix: reference only. An SDR sees
    their own row only."""
    team, teams, week = _chosen(request)  # an SDR's only team is their own
    figures = queries.per_sdr_figures(week)
    if request.user.role == Role.SDR and not request.user.is_admin:
        figures = {k: v for k, v in figures.items() if k == request.user.pk}
    persons = User.objects.in_bulk(list(figures))
    mix = lead_mix(list(figures))
    rows = sorted(
        (
            {"person": persons[pk], "figures": values, "mix": mix.get(pk, [])}
            for pk, values in figures.items()
            if pk in persons
        ),
        key=lambda row: str(row["person"]),
    )
    return render(
        request,
        "metrics/people.html",
        {
            "team": team,
            "teams": teams,
            "week": week,
            "week_choices": week_choices(team, week),
            "rows": rows,
        },
    )
