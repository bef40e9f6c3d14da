"""The nightly call list: rules, the set-based build, and the SDR's changes to a list.

Idea 1 of the method: at the end of each working day, every SDR's list for the next working
day is built from the conditions the manager set, so nobody starts the morning wondering whom
to call. The build is one INSERT ... SELECT per team, never a Python loop over leads.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops import audit, calendar
from sdr_ops.calendar import next_working_day
from sdr_ops.models import Role, StaffingRecord, Team, User

from ..models import (
    CallList,
    CallListBuild,
    CallListEntry,
    CallListRule,
    Lead,
    Segment,
    Source,
    Stage,
)

# Stages whose leads belong to nobody's call list: the AE has them, or they are closed.
EXCLUDED_STAGES = [Stage.DISQUALIFIED, Stage.HANDED_OFF, Stage.OPPORTUNITY, Stage.WON]

# Entry sources of apps above leads (cadences: the call and task steps due), registered from
# their AppConfig.ready(). Each is `source(day, plans) -> (sql, params) | None`, a SELECT of
# (sdr_id, lead_id, reason, due) rows: those leads go first on their SDR's list, before the
# rules, in `due` order, with the row's reason, under the same exclusions and list size.
entry_sources: list[Callable] = []


def default_rules(team: Team) -> list[CallListRule]:
    """The rules a team starts with (issue: callbacks, new inbound, enterprise, quiet)."""
    return [
        CallListRule(
            team=team,
            position=1,
            name=_("Callbacks due"),
            callback_due=True,
            order=CallListRule.Order.CALLBACK,
            cap=30,
        ),
        CallListRule(
            team=team,
            position=2,
            name=_("New inbound leads"),
            never_touched=True,
            sources=[Source.INBOUND],
            order=CallListRule.Order.NEWEST,
            cap=20,
        ),
        CallListRule(
            team=team,
            position=3,
            name=(
                _("Enterprise leads in progress")
                if list(team.patient_segments) == [Segment.ENTERPRISE]
                else _("Priority segments in progress")
            ),
            segments=list(team.patient_segments) or [Segment.ENTERPRISE],
            stages=[Stage.WORKING],
            order=CallListRule.Order.QUIETEST,
            cap=15,
        ),
        CallListRule(
            team=team,
            position=4,
            name=_("Quiet for 7+ days"),
            min_days_since_touch=7,
            order=CallListRule.Order.QUIETEST,
            cap=15,
        ),
    ]


def _starts_with_defaults(team: Team) -> bool:
    """A team that never had rules nor a build starts with the defaults; one that deleted
    every rule after building keeps an empty list."""
    return not CallListBuild.objects.filter(team=team).exists()


def rules_for(team: Team) -> list[CallListRule]:
    """The team's rules in order; the defaults (not saved) for a team that has none yet.
    Reads only: `ensure_rules` saves the defaults."""
    rules = list(team.call_list_rules.order_by("position"))
    if not rules and _starts_with_defaults(team):
        return default_rules(team)
    return rules


@transaction.atomic
def ensure_rules(team: Team) -> list[CallListRule]:
    """The team's rules in order, saving the defaults the first time (a build needs rules
    with ids; the rules page edits saved rows)."""
    rules = list(team.call_list_rules.select_for_update().order_by("position"))
    if not rules and _starts_with_defaults(team):
        rules = CallListRule.objects.bulk_create(default_rules(team))
    return rules


def team_sdr_ids(team: Team, day: datetime.date) -> list[int]:
    return list(
        StaffingRecord.objects.active_on(day)
        .filter(team=team, role=Role.SDR)
        .values_list("person_id", flat=True)
        .distinct()
    )


def _adapt(value):
    """A Python value as the database backend stores it, for raw SQL parameters."""
    ops = connection.ops
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    return value


def _in(column: str, values: list[str], params: list) -> str:
    params.extend(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _rule_condition(rule: CallListRule, day_start, day_end, params: list) -> str:
    """SQL that is true for the leads the rule takes; every condition set must hold."""
    parts = []
    if rule.callback_due:
        parts.append("b.callback_at IS NOT NULL AND b.callback_at < %s")
        params.append(_adapt(day_end))
    if rule.never_touched:
        parts.append("b.last_touch IS NULL")
    if rule.stages:
        parts.append(_in("b.stage", rule.stages, params))
    if rule.segments:
        parts.append(_in("b.segment", rule.segments, params))
    if rule.sources:
        parts.append(_in("b.source", rule.sources, params))
    if rule.min_days_since_touch is not None:
        parts.append("b.last_touch IS NOT NULL AND b.last_touch < %s")
        params.append(_adapt(day_start - datetime.timedelta(days=rule.min_days_since_touch)))
    if rule.max_attempts is not None:
        parts.append("b.attempts < %s")
        params.append(rule.max_attempts)
    return " AND ".join(f"({p})" for p in parts) or "1 = 1"


@dataclass
class TeamPlan:
    """One team's part of a build: its rules and the SDRs whose lists are built."""

    team: Team
    rules: list[CallListRule]
    sdr_ids: list[int]


def _when(pairs: list[tuple[int, str]]) -> str:
    return " ".join(f"WHEN {key} THEN {value}" for key, value in pairs)


def call_list_sql(day: datetime.date, plans: list[TeamPlan]) -> tuple[str, list]:
    """The one INSERT ... SELECT that fills the day's lists of every SDR in the plans.

    For each team: a lead goes to the first of the team's rules it matches; within a rule
    each SDR gets at most `cap` leads in the rule's order; the SDR's list is then cut at the
    team's daily size. Leads that are do-not-call, in an excluded stage, pending a handoff
    decision or already touched on the day (in the team's time zone) never appear.

    Rules are numbered across all the teams of the build; every per-rule and per-team value
    (team day, cap, size, rule id, reason) is picked with a CASE on that number or on the team
    id, so the statement needs no join to small value lists, whose row counts the planner
    cannot know.
    """
    params: dict[str, list] = {"bounds": [], "conditions": [], "reasons": []}
    extra_sql, extra_params = _extra_sources(day, plans)
    extra = bool(extra_sql)
    source_numbers: list[tuple[int, int]] = []
    team_cases, starts, ends = [], [], []
    caps, sizes, rule_ids, reasons = [], [], [], []
    by_order: dict[str, list[int]] = {order: [] for order in CallListRule.Order.values}
    number = 0
    for plan in plans:
        day_start, day_end = calendar.day_bounds(day, plan.team.zone)
        team = int(plan.team.pk)
        starts.append((team, "%s"))
        ends.append((team, "%s"))
        params["bounds"].append((_adapt(day_start), _adapt(day_end)))
        rule_cases = []
        if extra:
            number += 1
            source_numbers.append((team, number))
            caps.append((number, int(plan.team.call_list_size)))
            sizes.append((number, int(plan.team.call_list_size)))
            reasons.append((number, "%s"))
            params["reasons"].append("")
        for rule in plan.rules:
            number += 1
            condition = _rule_condition(rule, day_start, day_end, params["conditions"])
            rule_cases.append((f"{condition}", number))
            by_order[rule.order].append(number)
            caps.append((number, int(rule.cap)))
            sizes.append((number, int(plan.team.call_list_size)))
            rule_ids.append((number, int(rule.pk)))
            reasons.append((number, "%s"))
            params["reasons"].append(rule.name)
        inner = " ".join(f"WHEN {cond} THEN {n}" for cond, n in rule_cases)
        team_cases.append((team, f"(CASE {inner} ELSE NULL END)"))

    def among(order: str) -> str:
        return f"r.first_rule IN ({', '.join(map(str, by_order[order]))})"

    # One window over all rules: in a partition (SDR, rule) every row has the same rule, so
    # only that rule's key varies. Keys of orders no rule uses are left out.
    ascending = [
        (among(o), column)
        for o, column in (
            ("callback", "r.callback_at"),
            ("oldest", "r.created_at"),
            ("quietest", "COALESCE(r.last_touch, r.created_at)"),
        )
        if by_order[o]
    ]
    keys = []
    if extra:
        sources = ", ".join(str(n) for _team, n in source_numbers)
        keys.append(f"CASE WHEN r.first_rule IN ({sources}) THEN r.extra_due END")
    if by_order["callback"]:
        keys.append(f"CASE WHEN {among('callback')} AND r.callback_at IS NULL THEN 1 ELSE 0 END")
    if ascending:
        keys.append("CASE " + " ".join(f"WHEN {c} THEN {col}" for c, col in ascending) + " END")
    if by_order["newest"]:
        keys.append(f"CASE WHEN {among('newest')} THEN r.created_at END DESC")
        keys.append(f"CASE WHEN {among('newest')} THEN -r.id ELSE r.id END")
    else:
        keys.append("r.id")
    excluded = ", ".join(["%s"] * len(EXCLUDED_STAGES))
    sdr_ids = [pk for plan in plans for pk in plan.sdr_ids]
    sql = f"""
        INSERT INTO leads_calllistentry
            (call_list_id, lead_id, position, rule_id, reason, added_by_hand, status, skip_reason)
        WITH {f"extra AS ({extra_sql})," if extra else ""}
        sdrs AS (
            SELECT DISTINCT sr.person_id AS sdr_id, sr.team_id,
                   CASE sr.team_id {_when(starts)} END AS day_start,
                   CASE sr.team_id {_when(ends)} END AS day_end
            FROM sdr_ops_staffingrecord sr
            WHERE sr.role = 'sdr' AND sr.start_date <= %s
              AND (sr.end_date IS NULL OR sr.end_date >= %s)
              AND sr.team_id IN ({", ".join(["%s"] * len(plans))})
              AND sr.person_id IN ({", ".join(["%s"] * len(sdr_ids))})
        ),
        touches AS (
            -- Over every lead, not only the team's: grouped in lead order this lets the planner
            -- merge-join it with the leads by their key, faster than narrowing it first.
            SELECT a.lead_id, MAX(a.started_at) AS last_touch,
                   SUM(CASE WHEN a.type = 'call' THEN 1 ELSE 0 END) AS attempts
            FROM leads_activity a
            GROUP BY a.lead_id
        ),
        base AS (
            SELECT l.id, l.owner_id, s.team_id, l.stage, l.source, l.created_at, l.callback_at,
                   acc.segment, t.last_touch, COALESCE(t.attempts, 0) AS attempts
            FROM leads_lead l
            LEFT JOIN touches t ON t.lead_id = l.id
            JOIN sdrs s ON s.sdr_id = l.owner_id
            JOIN leads_account acc ON acc.id = l.account_id
            WHERE NOT l.do_not_call
              AND l.stage NOT IN ({excluded})
              -- Touched on the day: every activity is at or before the last touch, so only a
              -- last touch inside the day, or one after it (a past day rebuilt), needs a look.
              AND NOT (
                  t.last_touch IS NOT NULL AND t.last_touch >= s.day_start
                  AND (t.last_touch < s.day_end OR EXISTS (
                      SELECT 1 FROM leads_activity a2 WHERE a2.lead_id = l.id
                        AND a2.started_at >= s.day_start AND a2.started_at < s.day_end
                  ))
              )
              AND NOT EXISTS (
                  SELECT 1 FROM handoffs_handoff h WHERE h.lead_id = l.id AND h.status = 'pending'
              )
        ),
        ranked AS (
            SELECT b.id, b.owner_id, b.created_at, b.callback_at, b.last_touch,
                   {_extra_rule(extra, source_numbers, team_cases)} AS first_rule,
                   {"x.reason" if extra else "NULL"} AS extra_reason,
                   {"x.due" if extra else "NULL"} AS extra_due
            FROM base b
            {"LEFT JOIN extra x ON x.lead_id = b.id AND x.sdr_id = b.owner_id" if extra else ""}
        ),
        numbered AS (
            SELECT r.owner_id, r.id AS lead_id, r.first_rule, r.extra_reason,
                   ROW_NUMBER() OVER (PARTITION BY r.owner_id, r.first_rule
                                      ORDER BY {", ".join(keys)}) AS rn
            FROM ranked r
            WHERE r.first_rule IS NOT NULL
        ),
        ordered AS (
            SELECT owner_id, lead_id, first_rule, extra_reason,
                   ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY first_rule, rn) AS position
            FROM numbered
            WHERE rn <= CASE first_rule {_when(caps)} END
        )
        SELECT cl.id, o.lead_id, o.position, CASE o.first_rule {_when(rule_ids)} END,
               COALESCE(o.extra_reason, CASE o.first_rule {_when(reasons)} END), %s, 'planned', ''
        FROM ordered o
        JOIN leads_calllist cl ON cl.sdr_id = o.owner_id AND cl.day = %s
        WHERE o.position <= CASE o.first_rule {_when(sizes)} END
    """
    values = [
        *extra_params,
        *(start for start, _end in params["bounds"]),
        *(end for _start, end in params["bounds"]),
        _adapt(day),
        _adapt(day),
        *(plan.team.pk for plan in plans),
        *sdr_ids,
        *EXCLUDED_STAGES,
        *params["conditions"],
        *params["reasons"],
        False,
        _adapt(day),
    ]
    return sql, values


def _extra_sources(day: datetime.date, plans: list[TeamPlan]) -> tuple[str, list]:
    """The registered entry sources as one SELECT ('' when none gives rows)."""
    parts = [part for source in entry_sources if (part := source(day, plans))]
    sql = " UNION ALL ".join(
        f"SELECT * FROM ({part_sql}) s{n}" for n, (part_sql, _p) in enumerate(parts)
    )
    return sql, [value for _sql, part_params in parts for value in part_params]


def _extra_rule(extra: bool, source_numbers, team_cases) -> str:
    """The first rule of a lead: its team's source number when a source gave it, else the
    first of the team's rules it matches."""
    rules = f"CASE b.team_id {_when(team_cases)} END"
    if not extra:
        return rules
    sources = f"CASE b.team_id {_when(source_numbers)} END"
    return f"CASE WHEN x.lead_id IS NOT NULL THEN {sources} ELSE {rules} END"


@transaction.atomic
def build_many(
    teams: list[Team], day: datetime.date, *, only: list[int] | None = None
) -> dict[int, CallListBuild]:
    """Builds (or rebuilds) the day's lists of every SDR of the teams in one statement.

    `only` limits the build to those SDRs (an SDR building their own list by hand); such a
    build is not recorded as the team's nightly build. The old lists of the day are replaced
    inside one transaction, so readers see either the old lists or the new ones, and a crash
    leaves the old ones in place. The same data gives the same lists.
    """
    plans = []
    for team in teams:
        sdr_ids = team_sdr_ids(team, day)
        if only is not None:
            sdr_ids = [pk for pk in sdr_ids if pk in set(only)]
        plans.append(TeamPlan(team=team, rules=ensure_rules(team), sdr_ids=sdr_ids))
    all_sdrs = [pk for plan in plans for pk in plan.sdr_ids]
    CallListEntry.objects.filter(call_list__day=day, call_list__sdr_id__in=all_sdrs).delete()
    CallList.objects.filter(day=day, sdr_id__in=all_sdrs).delete()
    now = timezone.now()
    CallList.objects.bulk_create(
        CallList(sdr_id=sdr_id, team=plan.team, day=day, built_at=now)
        for plan in plans
        for sdr_id in plan.sdr_ids
    )
    working = [plan for plan in plans if plan.sdr_ids and plan.rules]
    if working:
        sql, params = call_list_sql(day, working)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # The statement runs once a night for a few seconds: compiling it (JIT) costs
                # more than it saves, and the join order written in call_list_sql (leads with
                # their touches first, in key order) is the fast one. Both last until commit.
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL join_collapse_limit = 1")
            cursor.execute(sql, params)
    counts = dict(
        CallListEntry.objects.filter(call_list__day=day, call_list__sdr_id__in=all_sdrs)
        .values_list("call_list__team_id")
        .annotate(n=Count("id"))
    )
    builds = {}
    for plan in plans:
        build = CallListBuild(
            team=plan.team,
            day=day,
            built_at=now,
            lists=len(plan.sdr_ids),
            entries=counts.get(plan.team.pk, 0),
        )
        if only is None:
            build, _created = CallListBuild.objects.update_or_create(
                team=plan.team,
                day=day,
                defaults={"built_at": now, "lists": build.lists, "entries": build.entries},
            )
        builds[plan.team.pk] = build
    return builds


def build_call_lists(
    team: Team, day: datetime.date, *, only: list[int] | None = None
) -> CallListBuild:
    """Builds (or rebuilds) one team's lists for the day; see build_many."""
    return build_many([team], day, only=only)[team.pk]


def teams_due(now: datetime.datetime) -> list[tuple[Team, datetime.date]]:
    """(team, day) pairs whose evening build time has passed and whose next working day's
    lists are not built yet."""
    due = []
    built = set(CallListBuild.objects.values_list("team_id", "day"))
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        local = now.astimezone(team.zone)
        if local.time() < team.call_list_build_time:
            continue
        day = next_working_day(local.date(), team.work_calendar())
        if (team.pk, day) not in built:
            due.append((team, day))
    return due


# -- the SDR's changes to a list ---------------------------------------------------------------


@transaction.atomic
def add_to_list(call_list: CallList, lead: Lead, *, by: User) -> CallListEntry:
    """Appends a lead to the list by hand (adherence counts it as added)."""
    _check_own(call_list, by)
    if lead.owner_id != call_list.sdr_id:
        raise ValidationError(_("Only the SDR's own leads can go on their list."))
    if lead.do_not_call:
        raise ValidationError(_("This lead asked not to be called."))
    existing = call_list.entries.filter(lead=lead).first()
    if existing:
        raise ValidationError(
            _("This lead is already on the list, at position %(position)s.")
            % {"position": existing.position}
        )
    last = call_list.entries.aggregate(last=Max("position"))["last"] or 0
    return CallListEntry.objects.create(
        call_list=call_list,
        lead=lead,
        position=last + 1,
        reason=_("Added by hand"),
        added_by_hand=True,
    )


def _check_own(call_list: CallList, by: User) -> None:
    """A list is changed by its SDR only, whoever calls (the views reach it through
    leads.access, so this holds for the imports and tasks too)."""
    if call_list.sdr_id != by.pk:
        raise PermissionDenied


@transaction.atomic
def skip_entry(entry: CallListEntry, *, by: User, reason: str) -> CallListEntry:
    """Marks a planned entry skipped; the reason is required and shown to the manager."""
    _check_own(entry.call_list, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you skip this lead.")})
    if entry.status != CallListEntry.Status.PLANNED:
        raise ValidationError(_("Only a lead still to call can be skipped."))
    entry.status = CallListEntry.Status.SKIPPED
    entry.skip_reason = reason.strip()
    entry.done_at = timezone.now()
    entry.save(update_fields=["status", "skip_reason", "done_at"])
    return entry


@transaction.atomic
def move_entry(entry: CallListEntry, *, by: User, up: bool) -> None:
    """Swaps the entry with its neighbour above (up) or below; at the edge nothing moves."""
    _check_own(entry.call_list, by)
    siblings = entry.call_list.entries.select_for_update()
    neighbour = (
        siblings.filter(position__lt=entry.position).order_by("-position")
        if up
        else siblings.filter(position__gt=entry.position).order_by("position")
    ).first()
    if neighbour is None:
        return
    entry.position, neighbour.position = neighbour.position, entry.position
    CallListEntry.objects.bulk_update([entry, neighbour], ["position"])


@transaction.atomic
def remove_entry(entry: CallListEntry, *, by: User) -> None:
    """Takes a lead off a list that has not started yet (the end-of-day review)."""
    _check_own(entry.call_list, by)
    if entry.call_list.day <= timezone.localdate():
        raise ValidationError(_("Today's list is under way: skip the lead with a reason instead."))
    entry.delete()


@transaction.atomic
def mark_reviewed(call_list: CallList, *, by: User) -> None:
    """The SDR has looked over tomorrow's list."""
    _check_own(call_list, by)
    call_list.reviewed_at = timezone.now()
    call_list.save(update_fields=["reviewed_at"])


def adherence(lists: QuerySet[CallList]) -> QuerySet[CallList]:  # a read, kept beside the plan
    """Each list annotated with how the day went against the plan."""
    planned = Q(entries__added_by_hand=False)
    return lists.annotate(
        planned=Count("entries", filter=planned),
        planned_called=Count("entries", filter=planned & Q(entries__status="called")),
        planned_skipped=Count("entries", filter=planned & Q(entries__status="skipped")),
        planned_open=Count("entries", filter=planned & Q(entries__status="planned")),
        added=Count("entries", filter=Q(entries__added_by_hand=True)),
        added_called=Count(
            "entries", filter=Q(entries__added_by_hand=True, entries__status="called")
        ),
    )


TEAM_SETTINGS = ("call_list_size", "call_list_build_time")


@transaction.atomic
def save_call_list_settings(team: Team, form, formset, *, by: User) -> None:
    """Saves the team's list size and build time (the valid `form`) and its rules (the valid
    `formset`) together, recording each changed team setting in the audit trail."""
    before = {name: getattr(Team.objects.get(pk=team.pk), name) for name in TEAM_SETTINGS}
    form.save()
    for name in TEAM_SETTINGS:
        if before[name] != getattr(team, name):
            audit.record(
                audit.Subject.TEAM,
                team.pk,
                audit.Action.TEAM_SETTINGS,
                by=by,
                field=name,
                before=before[name],
                after=getattr(team, name),
            )
    _save_rules(team, formset)


def _save_rules(team: Team, formset) -> None:
    """Saves the edited rules of a team and renumbers them 1..n in the order given.

    A rule moved to a position that another rule holds goes before it; a rule left without a
    position goes last; deleted rules drop out of the order.
    """
    formset.save(commit=False)
    for rule in formset.deleted_objects:
        rule.delete()
    kept = [
        (index, form)
        for index, form in enumerate(formset.forms)
        if form not in formset.deleted_forms and (form.instance.pk or form.has_changed())
    ]

    def order(item):
        index, form = item
        position = form.instance.position
        moved = "position" in form.changed_data
        return (position is None, position or 0, not moved, index)

    for number, (_index, form) in enumerate(sorted(kept, key=order), start=1):
        form.instance.team = team
        form.instance.position = number
        form.instance.save()
