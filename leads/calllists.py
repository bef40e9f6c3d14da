"""The nightly call list: rules, the set-based build, and the SDR's changes to a list.

Idea 1 of the method: at the end of each working day, every SDR's list for the next working
day is built from the conditions the manager set, so nobody starts the morning wondering whom
to call. The build is one INSERT ... SELECT per team, never a Python loop over leads.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops.models import Role, StaffingRecord, Team, User

from .models import (
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
            name=_("Enterprise leads in progress"),
            segments=[Segment.ENTERPRISE],
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


def rules_for(team: Team) -> list[CallListRule]:
    """The team's rules in order; the defaults are created the first time they are asked for."""
    rules = list(team.call_list_rules.order_by("position"))
    if not rules and not CallListBuild.objects.filter(team=team).exists():
        rules = CallListRule.objects.bulk_create(default_rules(team))
    return rules


def next_working_day(day: datetime.date) -> datetime.date:
    """The next day from Monday to Friday after `day`."""
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def day_bounds(team: Team, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Start and end of the day in the team's time zone, as aware datetimes."""
    start = datetime.datetime.combine(day, datetime.time(0), tzinfo=team.zone)
    return start, start + datetime.timedelta(days=1)


def team_sdr_ids(team: Team, day: datetime.date) -> list[int]:
    return list(
        StaffingRecord.objects.active_on(day)
        .filter(team=team, role=Role.SDR)
        .values_list("person_id", flat=True)
        .distinct()
    )


_ORDER_SQL = {
    CallListRule.Order.CALLBACK: "r.callback_at ASC, r.id ASC",
    CallListRule.Order.NEWEST: "r.created_at DESC, r.id DESC",
    CallListRule.Order.OLDEST: "r.created_at ASC, r.id ASC",
    CallListRule.Order.QUIETEST: "COALESCE(r.last_touch, r.created_at) ASC, r.id ASC",
}


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


def call_list_sql(
    team: Team, day: datetime.date, rules: list[CallListRule], sdr_ids: list[int]
) -> tuple[str, list]:
    """The one INSERT ... SELECT that fills the day's lists of the team's SDRs.

    A lead goes to the first rule it matches; within a rule each SDR gets at most `cap` leads
    in the rule's order; the SDR's list is then cut at the team's daily size. Leads that are
    do-not-call, in an excluded stage, pending a handoff decision or already touched on the
    day never appear.
    """
    day_start, day_end = day_bounds(team, day)
    sdrs = ", ".join(["%s"] * len(sdr_ids))
    touched = [_adapt(day_start), _adapt(day_end)]
    cases, case_params = [], []
    for index, rule in enumerate(rules, start=1):
        cases.append(f"WHEN {_rule_condition(rule, day_start, day_end, case_params)} THEN {index}")
    per_rule, per_rule_params = [], []
    for index, rule in enumerate(rules, start=1):
        per_rule.append(
            f"SELECT * FROM (SELECT r.owner_id, r.id AS lead_id, {index} AS rule_pos, "
            f"CAST(%s AS INTEGER) AS rule_id, CAST(%s AS TEXT) AS reason, "
            f"ROW_NUMBER() OVER (PARTITION BY r.owner_id ORDER BY {_ORDER_SQL[rule.order]}) AS rn "
            f"FROM ranked r WHERE r.first_rule = {index}) AS rule_{index} WHERE rn <= %s"
        )
        per_rule_params.extend([rule.pk, rule.name, rule.cap])
    excluded = ", ".join(["%s"] * len(EXCLUDED_STAGES))
    sql = f"""
        INSERT INTO leads_calllistentry
            (call_list_id, lead_id, position, rule_id, reason, added_by_hand, status, skip_reason)
        WITH touches AS (
            SELECT a.lead_id, MAX(a.started_at) AS last_touch,
                   SUM(CASE WHEN a.type = 'call' THEN 1 ELSE 0 END) AS attempts,
                   MAX(CASE WHEN a.started_at >= %s AND a.started_at < %s THEN 1 ELSE 0 END)
                       AS touched_that_day
            FROM leads_activity a
            JOIN leads_lead l ON l.id = a.lead_id
            WHERE l.owner_id IN ({sdrs})
            GROUP BY a.lead_id
        ),
        base AS (
            SELECT l.id, l.owner_id, l.stage, l.source, l.created_at, l.callback_at,
                   acc.segment, t.last_touch, COALESCE(t.attempts, 0) AS attempts
            FROM leads_lead l
            JOIN leads_account acc ON acc.id = l.account_id
            LEFT JOIN touches t ON t.lead_id = l.id
            WHERE l.owner_id IN ({sdrs})
              AND NOT l.do_not_call
              AND l.stage NOT IN ({excluded})
              AND COALESCE(t.touched_that_day, 0) = 0
              AND NOT EXISTS (
                  SELECT 1 FROM handoffs_handoff h WHERE h.lead_id = l.id AND h.status = 'pending'
              )
        ),
        ranked AS (
            SELECT b.*, CASE {" ".join(cases)} ELSE NULL END AS first_rule FROM base b
        ),
        chosen AS (
            {" UNION ALL ".join(per_rule)}
        ),
        ordered AS (
            SELECT owner_id, lead_id, rule_id, reason,
                   ROW_NUMBER() OVER (PARTITION BY owner_id ORDER BY rule_pos, rn) AS position
            FROM chosen
        )
        SELECT cl.id, o.lead_id, o.position, o.rule_id, o.reason, %s, 'planned', ''
        FROM ordered o
        JOIN leads_calllist cl ON cl.sdr_id = o.owner_id AND cl.day = %s
        WHERE o.position <= %s
    """
    all_params = [
        *touched,
        *sdr_ids,  # touches
        *sdr_ids,
        *EXCLUDED_STAGES,  # base
        *case_params,  # ranked
        *per_rule_params,  # chosen
        False,
        _adapt(day),
        team.call_list_size,  # final select
    ]
    return sql, all_params


@transaction.atomic
def build_call_lists(
    team: Team, day: datetime.date, *, only: list[int] | None = None
) -> CallListBuild:
    """Builds (or rebuilds) the lists of every SDR of the team (or of `only` those) for the day.

    The old lists of the day are replaced inside one transaction, so readers see either the
    old lists or the new ones, and a crash leaves the old ones in place. The same data gives
    the same lists.
    """
    rules = rules_for(team)
    sdr_ids = team_sdr_ids(team, day)
    if only is not None:
        sdr_ids = [pk for pk in sdr_ids if pk in set(only)]
    CallListEntry.objects.filter(call_list__day=day, call_list__sdr_id__in=sdr_ids).delete()
    CallList.objects.filter(day=day, sdr_id__in=sdr_ids).delete()
    now = timezone.now()
    CallList.objects.bulk_create(
        CallList(sdr_id=sdr_id, team=team, day=day, built_at=now) for sdr_id in sdr_ids
    )
    entries = 0
    if sdr_ids and rules:
        sql, params = call_list_sql(team, day, rules, sdr_ids)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            entries = cursor.rowcount
    build, _created = CallListBuild.objects.update_or_create(
        team=team,
        day=day,
        defaults={"built_at": now, "lists": len(sdr_ids), "entries": max(entries, 0)},
    )
    return build


def teams_due(now: datetime.datetime) -> list[tuple[Team, datetime.date]]:
    """(team, day) pairs whose evening build time has passed and whose next working day's
    lists are not built yet."""
    due = []
    built = set(CallListBuild.objects.values_list("team_id", "day"))
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        local = now.astimezone(team.zone)
        if local.time() < team.call_list_build_time:
            continue
        day = next_working_day(local.date())
        if (team.pk, day) not in built:
            due.append((team, day))
    return due


# -- the SDR's changes to a list ---------------------------------------------------------------


def list_for(sdr: User, day: datetime.date) -> CallList | None:
    return CallList.objects.filter(sdr=sdr, day=day).first()


@transaction.atomic
def add_to_list(call_list: CallList, lead: Lead, *, by: User) -> CallListEntry:
    """Appends a lead to the list by hand (adherence counts it as added)."""
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


def skip_entry(entry: CallListEntry, *, by: User, reason: str) -> CallListEntry:
    """Marks a planned entry skipped; the reason is required and shown to the manager."""
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


def remove_entry(entry: CallListEntry, *, by: User) -> None:
    """Takes a lead off a list that has not started yet (the end-of-day review)."""
    if entry.call_list.day <= timezone.localdate():
        raise ValidationError(_("Today's list is under way: skip the lead with a reason instead."))
    entry.delete()


def mark_reviewed(call_list: CallList, *, by: User) -> None:
    call_list.reviewed_at = timezone.now()
    call_list.save(update_fields=["reviewed_at"])


def adherence(lists: QuerySet[CallList]) -> QuerySet[CallList]:
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


@transaction.atomic
def save_rules(team: Team, formset, *, by: User) -> None:
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
