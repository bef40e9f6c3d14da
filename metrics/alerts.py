"""Alerts to a team's managers, in the app and by e-mail, each once per occurrence.

The rules (each a function that answers the occurrences it finds, tested on its own):

- `out_of_band`: the last complete week's ratio is outside the team's band, either side.
- `bottleneck_moved`: the last complete week's bottleneck is another step than the week
  before's (both known).
- `not_asked`: every handoff an SDR made in each of the last two complete weeks had the same
  checklist item "not asked".
- `ae_full`: an AE was full (the valve lets no handoff through: load over capacity at or above
  the team's full mark, at the end of the day) on each of the last five working days; one
  occurrence per run of full days (its first day is the key), looked for over the last
  LOOKBACK working days.

Concurrency: an occurrence is an `Alert` row unique on (team, kind, key), written with its
notifications and e-mails in one transaction; a second run, or a second worker, meets the
unique key and tells no one again. A failed e-mail rolls the occurrence back, so the next
run raises it again.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from handoffs import valve
from handoffs.models import CapacityReduction, Handoff
from leads.models import QualificationStatus, Stage
from sdr_ops import calendar, notify
from sdr_ops.models import Notification, Role, Team, User, qualification_label

from . import freshness, kpis, mail, queries, rollups
from .models import Alert

OUTSIDE = {"wasted_visits", "below_band", "above_band", "too_narrow"}
FULL_DAYS = 5
LOOKBACK = 20


@dataclass
class Occurrence:
    kind: str
    key: str
    message: str  # gettext_noop source with %(name)s parameters
    params: dict
    url: str = ""


def _label(text) -> str:
    """A label as a parameter that each reader's language translates (see sdr_ops.notify)."""
    with translation.override(settings.LANGUAGE_CODE):
        return "~" + str(text)


def _stage(code: str) -> str:
    return _label(dict(Stage.choices).get(code, code))


# -- the rules -----------------------------------------------------------------------------------


def out_of_band(team: Team, week: kpis.Week, figures: dict) -> list[Occurrence]:
    if figures["ratio_status"] not in OUTSIDE:
        return []
    return [
        Occurrence(
            Alert.Kind.OUT_OF_BAND,
            week.label,
            gettext_noop(
                "%(team)s: the handoff ratio of %(week)s was %(ratio)s, outside the band "
                "%(low)s–%(high)s."
            ),
            {
                "team": team.name,
                "week": week.label,
                "ratio": f"{figures['handoff_to_opportunity_ratio']:.2f}",
                "low": team.ratio_band_low,
                "high": team.ratio_band_high,
            },
            mail.link("dashboard-rows", "handoffs", team=team.slug, week=week.label),
        )
    ]


def bottleneck_moved(team: Team, week: kpis.Week, before: dict, figures: dict) -> list[Occurrence]:
    old, new = before.get("bottleneck"), figures.get("bottleneck")
    if not old or not new or old["from"] == new["from"]:
        return []
    return [
        Occurrence(
            Alert.Kind.BOTTLENECK,
            week.label,
            gettext_noop(
                "%(team)s: in %(week)s the bottleneck moved from %(old_from)s → %(old_to)s "
                "to %(new_from)s → %(new_to)s."
            ),
            {
                "team": team.name,
                "week": week.label,
                "old_from": _stage(old["from"]),
                "old_to": _stage(old["to"]),
                "new_from": _stage(new["from"]),
                "new_to": _stage(new["to"]),
            },
            mail.link(
                "dashboard-rows",
                "funnel",
                team=team.slug,
                week=week.label,
                step=new["from"],
                part="entered",
            ),
        )
    ]


def _states(checklist) -> dict[str, str]:
    if not isinstance(checklist, list):
        return {}
    return {
        entry.get("item"): entry.get("status")
        for entry in checklist
        if isinstance(entry, dict) and isinstance(entry.get("item"), str)
    }


def not_asked(team: Team, first: kpis.Week, last: kpis.Week) -> list[Occurrence]:
    """SDRs whose every handoff of both weeks had one item not asked. One query."""
    weeks = {first.label: first, last.label: last}
    seen: dict[tuple[int, str], list[dict[str, str]]] = {}
    rows = (
        kpis.team_handoffs(last)
        .filter(created_at__gte=first.start, created_at__lt=last.stop)
        .values_list("sdr_id", "created_at", "checklist")
    )
    for sdr, created, checklist in rows:
        label = last.label if created >= last.start else first.label
        seen.setdefault((sdr, label), []).append(_states(checklist))
    found = []
    people = User.objects.in_bulk({sdr for sdr, _label in seen})
    for sdr in sorted({sdr for sdr, _label in seen}):
        both = [seen.get((sdr, label)) for label in weeks]
        if not all(both):
            continue
        for item in team.qualification_items:
            unasked = QualificationStatus.NOT_ASKED
            if all(states.get(item) == unasked for week in both for states in week):
                found.append(
                    Occurrence(
                        Alert.Kind.NOT_ASKED,
                        f"{sdr}:{item}:{last.label}",
                        gettext_noop(
                            "%(team)s: every handoff of %(sdr)s in %(first)s and %(last)s "
                            "had “%(item)s” not asked."
                        ),
                        {
                            "team": team.name,
                            "sdr": str(people[sdr]),
                            "first": first.label,
                            "last": last.label,
                            "item": _label(qualification_label(item)),
                        },
                        mail.link("dashboard-rows", "handoffs", team=team.slug, week=last.label),
                    )
                )
    return found


def full_days(team: Team, days: list[datetime.date]) -> dict[int, list[bool]]:
    """For each active AE, whether the valve had them full at the end of each day: load (pending
    handoffs and open opportunities then) over capacity (the lowest reduction in force, else
    the normal) at or above the team's full mark. Three queries."""
    ends = [calendar.day_bounds(day, team.zone)[1] for day in days]
    counts = {}
    for i, t in enumerate(ends):
        counts[f"pending_{i}"] = Count(
            "pk", filter=Q(created_at__lt=t) & (Q(decided_at__isnull=True) | Q(decided_at__gte=t))
        )
        counts[f"open_{i}"] = Count(
            "opportunity",
            filter=Q(opportunity__created_at__lt=t)
            & (Q(opportunity__closed_at__isnull=True) | Q(opportunity__closed_at__gte=t)),
        )
    aes = {
        ae.pk: ae
        for ae in User.objects.filter(role=Role.AE, is_active=True).select_related("capacity")
    }
    loads = {
        row["ae"]: row
        for row in Handoff.objects.filter(ae__in=list(aes)).values("ae").annotate(**counts)
    }
    reductions: dict[int, list[CapacityReduction]] = {}
    for r in CapacityReduction.objects.filter(ae__in=list(aes)):
        reductions.setdefault(r.ae_id, []).append(r)
    result = {}
    for pk, ae in aes.items():
        normal = getattr(ae, "capacity", None)
        normal = normal.normal if normal is not None else valve.DEFAULT_CAPACITY
        row = loads.get(pk, {})
        flags = []
        for i, day in enumerate(days):
            active = [
                r.capacity
                for r in reductions.get(pk, [])
                if r.start_date <= day and (r.end_date is None or day <= r.end_date)
            ]
            capacity = min(active) if active else normal
            load = row.get(f"pending_{i}", 0) + row.get(f"open_{i}", 0)
            utilisation = load / capacity if capacity else None
            flags.append(valve.allowed_certainties(utilisation, team) == ())
        result[pk] = flags
    return result


def working_days_before(today: datetime.date, count: int, zone) -> list[datetime.date]:
    """The `count` working days before `today`, oldest first."""
    days, day = [], today
    while len(days) < count:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day, zone):
            days.append(day)
    return days[::-1]


def ae_full(team: Team, today: datetime.date) -> list[Occurrence]:
    days = working_days_before(today, LOOKBACK, team.zone)
    flags = full_days(team, days)
    people = User.objects.in_bulk(list(flags))
    found = []
    for pk, full in flags.items():
        run = 0
        for flag in reversed(full):
            if not flag:
                break
            run += 1
        if run < FULL_DAYS:
            continue
        since = days[len(days) - run]
        found.append(
            Occurrence(
                Alert.Kind.AE_FULL,
                f"{pk}:{since.isoformat()}",
                gettext_noop(
                    "%(team)s: %(ae)s has been full for %(days)s working days (since %(since)s)."
                ),
                {"team": team.name, "ae": str(people[pk]), "days": run, "since": since},
            )
        )
    return found


# -- raising them ----------------------------------------------------------------------------------


def occurrences(team: Team, now: datetime.datetime) -> list[Occurrence]:
    """Every rule on the team at `now`, over its last two complete weeks."""
    last = rollups.last_week(team, now)
    before = last.shifted(-1)
    # Run by the worker, never in a request: the weeks not stored yet are computed here.
    freshness.compute_missing(team, [before.label, last.label])
    figures_before, figures = queries.weekly_figures(team, [before, last])
    return (
        out_of_band(team, last, figures)
        + bottleneck_moved(team, last, figures_before, figures)
        + not_asked(team, before, last)
        + ae_full(team, now.astimezone(team.zone).date())
    )


def raise_once(team: Team, occurrence: Occurrence) -> bool:
    """Tells the team's managers (in the app and by e-mail, each in their language), unless
    this occurrence was raised before; True when raised now."""
    managers = mail.managers_of(team)
    values = {key: str(value) for key, value in occurrence.params.items()}
    try:
        with transaction.atomic():
            Alert.objects.create(team=team, kind=occurrence.kind, key=occurrence.key)
            # In the app the link stays on the site it is read on; the e-mail carries SITE_URL.
            here = occurrence.url.removeprefix(settings.SITE_URL)
            notify.notify(managers, occurrence.message, values, url=here)
            for person in managers:
                with translation.override(person.language or settings.LANGUAGE_CODE):
                    text = Notification(message=occurrence.message, params=values).shown
                    body = text + (f"\n\n{occurrence.url}\n" if occurrence.url else "\n")
                    EmailMessage(
                        subject=text[:150],
                        body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[person.email],
                    ).send()
    except IntegrityError:
        return False
    return True


def check(now: datetime.datetime | None = None) -> int:
    """Every rule on every SDR team; returns how many alerts were raised now."""
    now = now or timezone.now()
    raised = 0
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        for occurrence in occurrences(team, now):
            raised += raise_once(team, occurrence)
    return raised
