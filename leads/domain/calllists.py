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
from django.db.models import Count, F, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sdr_ops import audit, calendar, words
from sdr_ops.calendar import next_working_day
from sdr_ops.models import Role, StaffingRecord, Team, User

from ..models import (
    CallList,
    CallListBuild,
    CallListEntry,
    CallListRemoval,
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

# What apps above leads do in the nightly build's run just before it builds (cadences: the
# saved audiences enrol their new matches, so that their first steps are on the lists). Each
# is `hook(teams, day) -> None`, called under the build's lock; one that fails is logged and
# the build goes on.
before_nightly_build: list[Callable] = []


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


TASK_DUE = gettext_noop("Task due")  # the reason of a lead whose task falls due


def _when(pairs: list[tuple[int, str]]) -> str:
    return " ".join(f"WHEN {key} THEN {value}" for key, value in pairs)


def _plan_sql(
    day: datetime.date, plans: list[TeamPlan], *, lead_ids: list[int] | None = None
) -> tuple[str, list]:
    """The WITH clauses that plan the day's lists of every SDR in the plans, ending in
    `planned (owner_id, lead_id, position, rule_id, reason, first_rule)`; the build inserts
    from it, the rules page counts it, one lead's placement reads its row.

    For each team: a lead with an open task due by the end of the day comes first (in due
    order), then a lead goes to the first of the team's rules it matches; within a rule each
    SDR gets at most `cap` leads in the rule's order; the SDR's list is then cut at the team's
    daily size. Leads that are do-not-call, in an excluded stage, pending a handoff decision
    or already touched on the day (in the team's time zone) never appear. `lead_ids` plans
    only those leads (one lead placed on a list already built).

    Rules are numbered across all the teams of the build, each team's tasks just before its
    rules; every per-rule and per-team value (team day, cap, size, rule id, reason) is picked
    with a CASE on that number or on the team id, so the statement needs no join to small
    value lists, whose row counts the planner cannot know.
    """
    params: dict[str, list] = {"bounds": [], "conditions": [], "reasons": []}
    extra_sql, extra_params = _extra_sources(day, plans)
    extra = bool(extra_sql)
    source_numbers: list[tuple[int, int]] = []
    team_cases, starts, ends = [], [], []
    caps, sizes, rule_ids, reasons = [], [], [], []
    by_order: dict[str, list[int]] = {order: [] for order in [*CallListRule.Order.values, "task"]}
    number = 0
    for plan in plans:
        day_start, day_end = calendar.day_bounds(day, plan.team.zone)
        team = int(plan.team.pk)
        starts.append((team, "%s"))
        ends.append((team, "%s"))
        params["bounds"].append((_adapt(day_start), _adapt(day_end)))
        rule_cases = []
        if extra:
            # Steps of the registered entry sources (cadences) come first, then tasks due.
            number += 1
            source_numbers.append((team, number))
            caps.append((number, int(plan.team.call_list_size)))
            sizes.append((number, int(plan.team.call_list_size)))
            reasons.append((number, "%s"))
            params["reasons"].append("")
        number += 1
        params["conditions"].append(_adapt(day_end))
        rule_cases.append(("b.task_due IS NOT NULL AND b.task_due < %s", number))
        by_order["task"].append(number)
        caps.append((number, int(plan.team.call_list_size)))
        sizes.append((number, int(plan.team.call_list_size)))
        # The list keeps the reason as written: in the SDR's language (sdr_ops.words).
        task_due, worded = words.in_each_language(
            "(SELECT u.language FROM sdr_ops_user u WHERE u.id = o.owner_id)",
            lambda: _(TASK_DUE),
        )
        reasons.append((number, task_due))
        params["reasons"] += worded
        for rule in plan.rules:
            number += 1
            condition = _rule_condition(rule, day_start, day_end, params["conditions"])
            rule_cases.append((f"{condition}", number))
            by_order[rule.order].append(number)
            caps.append((number, int(rule.cap)))
            sizes.append((number, int(plan.team.call_list_size)))
            if rule.pk:  # a rule not saved yet (the rules page's preview) places no id
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
            ("task", "r.task_due"),
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
    if by_order["score"]:
        # The stored certainty score (certainty app's nightly batch), highest first; a lead
        # not scored yet comes after the scored ones.
        keys.append(f"CASE WHEN {among('score')} THEN COALESCE(r.score, -1) END DESC")
    if by_order["newest"]:
        keys.append(f"CASE WHEN {among('newest')} THEN r.created_at END DESC")
        keys.append(f"CASE WHEN {among('newest')} THEN -r.id ELSE r.id END")
    else:
        keys.append("r.id")
    # The score table is joined only when a rule orders by it.
    scored = bool(by_order["score"])
    score_column = ", sc.score" if scored else ""
    score_join = " LEFT JOIN leads_leadscore sc ON sc.lead_id = l.id" if scored else ""
    score_pick = ", b.score" if scored else ""
    excluded = ", ".join(["%s"] * len(EXCLUDED_STAGES))
    sdr_ids = [pk for plan in plans for pk in plan.sdr_ids]
    only_leads, only_touches, only_tasks = "", "", ""
    if lead_ids is not None:
        marks = ", ".join(["%s"] * len(lead_ids)) or "NULL"
        only_touches = f"WHERE a.lead_id IN ({marks})"
        only_tasks = f"AND tk.lead_id IN ({marks})"
        only_leads = f"AND l.id IN ({marks})"
    sql = f"""
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
            {only_touches}
            GROUP BY a.lead_id
        ),
        tasks AS (
            -- Open tasks are few beside the leads: grouped first, hash-joined after.
            SELECT tk.lead_id, MIN(tk.due_at) AS task_due
            FROM leads_task tk
            WHERE tk.done_at IS NULL {only_tasks}
            GROUP BY tk.lead_id
        ),
        base AS (
            SELECT l.id, l.owner_id, s.team_id, l.stage, l.source, l.created_at, l.callback_at,
                   acc.segment, t.last_touch, COALESCE(t.attempts, 0) AS attempts,
                   tk.task_due{score_column}
            FROM leads_lead l
            LEFT JOIN touches t ON t.lead_id = l.id{score_join}
            JOIN sdrs s ON s.sdr_id = l.owner_id
            JOIN leads_account acc ON acc.id = l.account_id
            LEFT JOIN tasks tk ON tk.lead_id = l.id
            WHERE NOT l.do_not_call
              AND l.stage NOT IN ({excluded})
              {only_leads}
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
                   b.task_due{score_pick},
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
        ),
        planned AS (
            SELECT o.owner_id, o.lead_id, o.position, o.first_rule,
                   CASE o.first_rule {_when(rule_ids) or "WHEN 0 THEN NULL"} END AS rule_id,
                   COALESCE(o.extra_reason, CASE o.first_rule {_when(reasons)} END) AS reason
            FROM ordered o
            WHERE o.position <= CASE o.first_rule {_when(sizes)} END
        )
    """
    ids = [int(pk) for pk in lead_ids or []]
    values = [
        *extra_params,
        *(start for start, _end in params["bounds"]),
        *(end for _start, end in params["bounds"]),
        _adapt(day),
        _adapt(day),
        *(plan.team.pk for plan in plans),
        *sdr_ids,
        *ids,  # touches
        *ids,  # tasks
        *EXCLUDED_STAGES,
        *ids,  # base
        *params["conditions"],
        *params["reasons"],
    ]
    return sql, values


def call_list_sql(day: datetime.date, plans: list[TeamPlan]) -> tuple[str, list]:
    """The one INSERT ... SELECT that fills the day's lists of every SDR in the plans (see
    _plan_sql for what the plan takes). A lead the list holds already (the SDR's edits kept
    by a rebuild) or that the SDR took off the list is not inserted again."""
    plan, values = _plan_sql(day, plans)
    # Each planned row finds its list by the unique (SDR, day) index, one lookup a row. A
    # join to the lists would be planned on their statistics, which cannot know the lists
    # this transaction just made: at 500 lists PostgreSQL expected 38 and compared every
    # planned row with every list (15,000,000 comparisons, 6 s of a 10 s build).
    sql = f"""
        INSERT INTO leads_calllistentry
            (call_list_id, lead_id, position, rule_id, reason, added_by_hand, status,
             skip_reason, moved)
        {plan}
        SELECT p.call_list_id, p.lead_id, p.position, p.rule_id, p.reason, %s, 'planned', '',
               %s
        FROM (
            SELECT planned.*, (
                SELECT cl.id FROM leads_calllist cl
                WHERE cl.sdr_id = planned.owner_id AND cl.day = %s
            ) AS call_list_id
            FROM planned
        ) p
        WHERE p.call_list_id IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM leads_calllistentry e
            WHERE e.call_list_id = p.call_list_id AND e.lead_id = p.lead_id
        )
          AND NOT EXISTS (
            SELECT 1 FROM leads_calllistremoval rm
            WHERE rm.call_list_id = p.call_list_id AND rm.lead_id = p.lead_id
        )
    """
    return sql, [*values, False, False, _adapt(day)]


def _run(sql: str, params: list, *, fetch: bool = False, tune: bool = False) -> list[tuple]:
    """Runs a plan statement; `tune` (the build, inside its transaction) sets the planner."""
    with connection.cursor() as cursor:
        if tune and connection.vendor == "postgresql":
            # The statement runs once a night for a few seconds: compiling it (JIT) costs
            # more than it saves, and the join order written in _plan_sql (leads with
            # their touches first, in key order) is the fast one. Both last until commit.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL join_collapse_limit = 1")
        cursor.execute(sql, params)
        return cursor.fetchall() if fetch else []


@dataclass
class BuildReport:
    """What a build changed on lists that existed already: leads added, leads dropped (the
    rules no longer take them), and the SDR's edits kept (entries done, skipped, added by
    hand or moved, leads taken off, lists marked reviewed)."""

    added: int = 0
    dropped: int = 0
    kept: int = 0


def _pinned_first(entries: list[CallListEntry], pinned: dict[int, int]) -> list[CallListEntry]:
    """One list's entries in their new order: each entry the SDR kept holds its old slot
    (`pinned`: entry id to old position, so their order among themselves is kept), the
    others fill the free slots in the order the rules gave them."""
    kept = sorted((e for e in entries if e.pk in pinned), key=lambda e: (pinned[e.pk], e.pk))
    free = sorted((e for e in entries if e.pk not in pinned), key=lambda e: (e.position, e.pk))
    result: list[CallListEntry] = []
    while kept or free:
        slot = len(result) + 1
        if kept and (not free or pinned[kept[0].pk] <= slot):
            result.append(kept.pop(0))
        else:
            result.append(free.pop(0))
    return result


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
    build is not recorded as the team's nightly build. A rebuild keeps what the SDR did: the
    lists (and their reviewed mark) stay, entries called, skipped, added by hand or moved stay
    in their places, leads taken off stay off; only the entries the rules placed and nobody
    touched are planned again. Each build's `report` (a BuildReport) says what changed. It
    all happens inside one transaction with the lists locked, so readers see either the old
    lists or the new ones, and a crash leaves the old ones in place. The same data gives the
    same lists.
    """
    plans = []
    for team in teams:
        sdr_ids = team_sdr_ids(team, day)
        if only is not None:
            sdr_ids = [pk for pk in sdr_ids if pk in set(only)]
        plans.append(TeamPlan(team=team, rules=ensure_rules(team), sdr_ids=sdr_ids))
    all_sdrs = [pk for plan in plans for pk in plan.sdr_ids]
    now = timezone.now()
    existing = {
        cl.sdr_id: cl
        for cl in CallList.objects.select_for_update().filter(day=day, sdr_id__in=all_sdrs)
    }
    entries = CallListEntry.objects.filter(call_list__day=day, call_list__sdr_id__in=all_sdrs)
    before = {}
    pinned: dict[int, int] = {}
    if existing:
        # Planned again: what the rules placed and the SDR left alone, and an entry the
        # SDR moved whose lead may no longer be called (do not call, closed, with the AE).
        gone = Q(lead__do_not_call=True) | Q(lead__stage__in=EXCLUDED_STAGES)
        untouched = Q(status=CallListEntry.Status.PLANNED, added_by_hand=False) & (
            Q(moved=False) | gone
        )
        for pk, list_id, lead_id, position, is_untouched in entries.annotate(
            untouched=Q(untouched)
        ).values_list("pk", "call_list_id", "lead_id", "position", "untouched"):
            before[(list_id, lead_id)] = pk
            if not is_untouched:
                pinned[pk] = position
        entries.filter(untouched).delete()
        CallList.objects.filter(pk__in=[cl.pk for cl in existing.values()]).update(built_at=now)
    CallList.objects.bulk_create(
        CallList(sdr_id=sdr_id, team=plan.team, day=day, built_at=now)
        for plan in plans
        for sdr_id in plan.sdr_ids
        if sdr_id not in existing
    )
    working = [plan for plan in plans if plan.sdr_ids and plan.rules]
    if working:
        _run(*call_list_sql(day, working), tune=True)
    after = {}
    if existing:
        rows = list(entries.only("pk", "call_list_id", "lead_id", "position"))
        after = {(e.call_list_id, e.lead_id): e.pk for e in rows}
        by_list: dict[int, list[CallListEntry]] = {}
        for entry in rows:
            by_list.setdefault(entry.call_list_id, []).append(entry)
        changed = []
        for list_entries in by_list.values():
            for number, entry in enumerate(_pinned_first(list_entries, pinned), start=1):
                if entry.position != number:
                    entry.position = number
                    changed.append(entry)
        CallListEntry.objects.bulk_update(changed, ["position"], batch_size=1000)
    removals = (
        dict(
            CallListRemoval.objects.filter(call_list__in=list(existing.values()))
            .values_list("call_list__team_id")
            .annotate(n=Count("id"))
        )
        if existing
        else {}
    )
    counts = dict(entries.values_list("call_list__team_id").annotate(n=Count("id")))
    team_of = {sdr_id: plan.team.pk for plan in plans for sdr_id in plan.sdr_ids}
    list_team = {cl.pk: team_of[cl.sdr_id] for cl in existing.values()}
    reviewed = {cl.pk for cl in existing.values() if cl.reviewed_at}
    builds = {}
    for plan in plans:
        mine = {pk for pk, team_pk in list_team.items() if team_pk == plan.team.pk}
        report = BuildReport(
            added=sum(1 for key in after if key[0] in mine and key not in before),
            dropped=sum(1 for key in before if key[0] in mine and key not in after),
            kept=sum(1 for key, pk in before.items() if key[0] in mine and pk in pinned)
            + len(mine & reviewed)
            + removals.get(plan.team.pk, 0),
        )
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
        build.report = report
        builds[plan.team.pk] = build
    return builds


def build_call_lists(
    team: Team, day: datetime.date, *, only: list[int] | None = None
) -> CallListBuild:
    """Builds (or rebuilds) one team's lists for the day; see build_many."""
    return build_many([team], day, only=only)[team.pk]


@transaction.atomic
def rebuild_call_lists(team: Team, day: datetime.date, *, by: User) -> CallListBuild:
    """A manager's rebuild of the team's lists for the day (after changing the rules), which
    keeps the SDRs' edits; recorded in the audit trail with what it changed."""
    build = build_call_lists(team, day)
    report = build.report
    audit.record(
        audit.Subject.TEAM,
        team.pk,
        audit.Action.CALL_LISTS_REBUILT,
        by=by,
        field=day.isoformat(),
        after=f"+{report.added} -{report.dropped} ={report.kept}",
    )
    return build


def plan_counts(team: Team, day: datetime.date, rules: list[CallListRule]) -> dict:
    """How many leads each rule would take per SDR of the team on the day, the rules as
    given (saved or not): {(sdr_id, rule number): n}, rule number 0 for tasks due and 1..n
    for the rules in order. One query, the build's own plan, nothing written."""
    sdr_ids = team_sdr_ids(team, day)
    if not sdr_ids:
        return {}
    sql, values = _plan_sql(day, [TeamPlan(team=team, rules=rules, sdr_ids=sdr_ids)])
    rows = _run(
        sql + " SELECT owner_id, first_rule, COUNT(*) FROM planned GROUP BY owner_id, first_rule",
        values,
        fetch=True,
    )
    # first_rule numbers: 1 is the team's tasks, 2.. its rules in order.
    return {(owner, number - 1): n for owner, number, n in rows}


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


# -- one lead placed on a list built already -------------------------------------------------


def list_day(moment: datetime.datetime, team: Team | None) -> datetime.date:
    """The day whose list a callback or task due at `moment` belongs to: its working day in
    the team's time zone (a moment on a weekend or holiday, the next working day)."""
    zone = team.zone if team else timezone.get_current_timezone()
    day = moment.astimezone(zone).date()
    return day if calendar.is_working_day(day, zone) else next_working_day(day, zone)


def place_on_list(lead: Lead, *, day: datetime.date) -> CallListEntry | None:
    """Adds the lead to its SDR's list of the day, when that list is built already and the
    rules (or an open task due) now take the lead: in its rule's place, before the first
    entry of a later rule (and, among callbacks, before a later callback). Nothing happens
    when the list is not built yet (its build will plan the lead), holds the lead already or
    the SDR took it off. Caps and size do not hold here: a callback agreed is called.

    Runs inside the caller's transaction (logging the callback, setting the task), so the
    entry lands with it; the list is locked against a concurrent rebuild or edit.
    """
    call_list = (
        CallList.objects.select_for_update()
        .select_related("team")
        .filter(sdr_id=lead.owner_id, day=day)
        .first()
    )
    if call_list is None or call_list.removals.filter(lead=lead).exists():
        return None
    existing = call_list.entries.filter(lead=lead).first()
    if existing is not None and (
        existing.status != CallListEntry.Status.PLANNED or existing.moved or existing.added_by_hand
    ):
        return None  # called, skipped, or placed by the SDR: theirs to keep
    rules = rules_for(call_list.team)
    plan = TeamPlan(team=call_list.team, rules=rules, sdr_ids=[lead.owner_id])
    sql, values = _plan_sql(day, [plan], lead_ids=[lead.pk])
    row = _run(sql + " SELECT first_rule, rule_id, reason FROM planned", values, fetch=True)
    if not row:
        return None
    number, rule_id, reason = row[0]
    # The plan numbers the registered sources (cadence steps) first when they give rows, then
    # a task due, then the rules in order.
    first = 3 if _extra_sources(day, [plan])[0] else 2
    rank = {rule.pk: index for index, rule in enumerate(rules, start=first)}

    def rank_of(entry: CallListEntry) -> int:
        return 10**6 if entry.added_by_hand else rank.get(entry.rule_id, first - 1)

    if existing is not None:
        # On the list under a later rule (say the evening build took it as quiet, and the
        # callback agreed since puts it among the callbacks): it moves up to its new place.
        if rank_of(existing) <= number:
            return None
        old = existing.position
        existing.delete()
        call_list.entries.filter(position__gt=old).update(position=F("position") - 1)
    entries = list(
        call_list.entries.select_related("lead").only(
            "pk", "position", "rule_id", "added_by_hand", "moved", "lead__callback_at"
        )
    )

    def later(entry: CallListEntry) -> bool:
        if entry.moved:
            return False
        theirs = rank_of(entry)
        if theirs != number:
            return theirs > number
        order = next((r.order for r in rules if r.pk == rule_id), None)
        return (
            order == CallListRule.Order.CALLBACK
            and entry.lead.callback_at is not None
            and lead.callback_at is not None
            and entry.lead.callback_at > lead.callback_at
        )

    position = next((e.position for e in entries if later(e)), None)
    if position is None:
        position = max((e.position for e in entries), default=0) + 1
    else:
        call_list.entries.filter(position__gte=position).update(position=F("position") + 1)
    return CallListEntry.objects.create(
        call_list=call_list, lead=lead, position=position, rule_id=rule_id, reason=reason
    )


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
    entry.moved = True  # a rebuild keeps it where the SDR put it
    CallListEntry.objects.bulk_update([entry, neighbour], ["position", "moved"])


@transaction.atomic
def remove_entry(entry: CallListEntry, *, by: User) -> None:
    """Takes a lead off a list that has not started yet (the end-of-day review)."""
    _check_own(entry.call_list, by)
    if entry.call_list.day <= timezone.localdate():
        raise ValidationError(_("Today's list is under way: skip the lead with a reason instead."))
    CallListRemoval.objects.get_or_create(call_list=entry.call_list, lead_id=entry.lead_id)
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
    for number, rule in enumerate(rules_as_edited(team, formset), start=1):
        rule.position = number
        rule.save()


def rules_as_edited(team: Team, formset) -> list[CallListRule]:
    """The rules of a valid formset in the order they would be saved, not saved: what the
    rules page previews and then saves."""
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

    rules = []
    for _index, form in sorted(kept, key=order):
        form.instance.team = team
        rules.append(form.instance)
    return rules
