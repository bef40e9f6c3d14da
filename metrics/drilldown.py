"""The rows behind each figure of the dashboards, filtered exactly as metrics/kpis.py counts
them (tests/test_drilldown.py proves each list's length equals its figure).

A drill-down is a figure (`handoffs`, `funnel`, `won`, `headcount`, `speed`, `activities`),
a part of it (accepted, converted, untouched...) and for the funnel a step (its source
stage). Each answers a `Drill`: the headings, the rows (a queryset or, for the people, a short
list) and how to turn a row into cells, shared by the page and its CSV. Whatever the number of
rows, a drill-down reads in a constant number of queries (the rows are paged by the caller).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead, QualificationStatus, Source
from sdr_ops.models import Role, StaffingRecord, Team, qualification_label, tenure_month

from . import kpis
from .templatetags.labels import stage_label

STEPS = list(zip(kpis.STAGES, kpis.STAGES[1:], strict=False))

# figure: the parts it can be opened at (the first is the default).
PARTS = {
    "handoffs": ["created", "accepted", "rejected", "pending"],
    "funnel": ["entered", "converted", "converted_in_window"],
    "won": ["won"],
    "pipeline": ["pending"],
    "evidence": ["created", "accepted", "rejected"],
    "headcount": ["headcount"],
    "speed": ["inbound", "touched", "untouched"],
    "activities": ["calls", "connects", "emails"],
}

PART_LABELS = {
    "created": gettext_lazy("all"),
    "accepted": gettext_lazy("accepted"),
    "rejected": gettext_lazy("rejected"),
    "pending": gettext_lazy("pending"),
    "entered": gettext_lazy("entered"),
    "converted": gettext_lazy("converted"),
    "converted_in_window": gettext_lazy("converted in window"),
    "inbound": gettext_lazy("all"),
    "touched": gettext_lazy("touched"),
    "untouched": gettext_lazy("not touched"),
    "calls": gettext_lazy("calls"),
    "connects": gettext_lazy("connects"),
    "emails": gettext_lazy("e-mails"),
}

TITLES = {
    ("handoffs", "created"): gettext_lazy("Handoffs made in the week"),
    ("handoffs", "accepted"): gettext_lazy("Handoffs of the week accepted"),
    ("handoffs", "rejected"): gettext_lazy("Handoffs of the week rejected"),
    ("handoffs", "pending"): gettext_lazy("Handoffs of the week still pending"),
    ("funnel", "entered"): gettext_lazy("Leads that entered the step's stage in the week"),
    ("funnel", "converted"): gettext_lazy("Leads of the step's cohort that reached the next stage"),
    ("funnel", "converted_in_window"): gettext_lazy(
        "Leads of the step's cohort that reached the next stage within the window"
    ),
    ("won", "won"): gettext_lazy("Opportunities won in the week"),
    ("evidence", "created"): gettext_lazy("Handoffs of the 12 weeks with the item in this state"),
    ("evidence", "accepted"): gettext_lazy(
        "Handoffs of the 12 weeks with the item in this state, accepted"
    ),
    ("evidence", "rejected"): gettext_lazy(
        "Handoffs of the 12 weeks with the item in this state, rejected"
    ),
    ("pipeline", "pending"): gettext_lazy("The team's handoffs waiting for a decision now"),
    ("headcount", "headcount"): gettext_lazy("SDRs counted in headcount, with their ramp factor"),
    ("speed", "inbound"): gettext_lazy("Inbound leads created in the week"),
    ("speed", "touched"): gettext_lazy("Inbound leads of the week touched (the median's rows)"),
    ("speed", "untouched"): gettext_lazy("Inbound leads of the week not touched yet"),
    ("activities", "calls"): gettext_lazy("Calls of the week"),
    ("activities", "connects"): gettext_lazy("Connected calls of the week"),
    ("activities", "emails"): gettext_lazy("E-mails of the week"),
}


@dataclass
class Drill:
    figure: str
    part: str
    step: str
    columns: list[str]
    rows: object  # a queryset, or a list for the people
    cells: Callable[[object], list]
    lead_of: Callable[[object], int | None] = lambda row: None
    total: float | None = None  # productive headcount: the sum of the factors
    extra: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return str(TITLES[self.figure, self.part])


EVIDENCE_WEEKS = 12  # the dashboard's span, which its evidence table covers


def drill(
    week: kpis.Week, figure: str, part: str = "", step: str = "", item: str = "", state: str = ""
) -> Drill:
    """The drill-down asked for; ValueError for a figure, part, step, item or state that does
    not exist."""
    if figure not in PARTS:
        raise ValueError(figure)
    part = part or PARTS[figure][0]
    if part not in PARTS[figure]:
        raise ValueError(part)
    if figure == "funnel":
        if step not in dict(STEPS):
            raise ValueError(step)
        return funnel(week, step, part)
    if figure == "evidence":
        if item not in week.team.qualification_items or state not in kpis.EVIDENCE_STATES:
            raise ValueError(item)
        return evidence(week, item, state, part)
    return BUILDERS[figure](week, part)


def _local(moment: datetime.datetime | None, team: Team) -> str:
    return moment.astimezone(team.zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _in(week: kpis.Week, name: str) -> Q:
    return Q(**{f"{name}__gte": week.start, f"{name}__lt": week.stop})


# -- handoffs behind the ratio -----------------------------------------------------------------


def week_handoffs(week: kpis.Week):
    """The cohort of kpis.handoff_ratio: the team's handoffs created in the week."""
    return kpis.team_handoffs(week).filter(_in(week, "created_at"))


def handoffs(week: kpis.Week, part: str, rows=None) -> Drill:
    rows = week_handoffs(week) if rows is None else rows
    if part != "created":
        rows = rows.filter(status=part)
    rows = rows.select_related("lead__account", "sdr", "ae").order_by("created_at", "pk")
    team = week.team
    return Drill(
        "handoffs",
        part,
        "",
        [_("Company"), _("SDR"), _("AE"), _("Created"), _("Status"), _("Decided")]
        + [_("Rejection reason")],
        rows,
        lambda h: [
            h.lead.account.name,
            str(h.sdr),
            str(h.ae),
            _local(h.created_at, team),
            h.get_status_display(),
            _local(h.decided_at, team),
            h.get_rejection_reason_display() if h.rejection_reason else "",
        ],
        lambda h: h.lead_id,
    )


def pipeline(week: kpis.Week, part: str) -> Drill:
    """The rows of kpis.pipeline's pending_handoffs: every handoff of the team's SDRs still
    waiting for a decision, whatever its week."""
    found = handoffs(week, Handoff.Status.PENDING, rows=kpis.team_handoffs(week))
    found.figure = "pipeline"
    return found


def evidence_handoffs(last: kpis.Week, item: str, state: str):
    """The rows of one line of kpis.qualification_evidence: the team's handoffs of the
    EVIDENCE_WEEKS weeks to `last` whose frozen checklist had the item in the state (found by
    name wherever it stands in the checklist)."""
    first = last.shifted(-(EVIDENCE_WEEKS - 1))
    positions = range(len(last.team.qualification_items) + 2)
    carried = Q()
    for k in positions:
        carried |= Q(**{f"checklist__{k}__item": item, f"checklist__{k}__status": state})
    return kpis.team_handoffs(last).filter(
        carried, created_at__gte=first.start, created_at__lt=last.stop
    )


def evidence(week: kpis.Week, item: str, state: str, part: str) -> Drill:
    found = handoffs(week, part, rows=evidence_handoffs(week, item, state))
    found.figure = "evidence"
    found.extra = {
        "item": item,
        "state": state,
        "item_label": qualification_label(item),
        "state_label": str(dict(QualificationStatus.choices)[state]),
        "since": week.shifted(-(EVIDENCE_WEEKS - 1)).monday,
    }
    return found


# -- leads behind a funnel step -----------------------------------------------------------------


def entered_at(stage: str):
    """When a lead (the outer row) entered the stage, as kpi-definitions.md derives it."""
    if stage == "new":
        return F("created_at")
    if stage in ("working", "connected"):
        acts = Activity.objects.filter(lead=OuterRef("pk"))
        if stage == "connected":
            acts = acts.filter(type=Activity.Type.CALL, outcome=Activity.Outcome.CONNECTED)
        return Subquery(acts.order_by("started_at").values("started_at")[:1])
    if stage == "handed_off":
        first = Handoff.objects.filter(lead=OuterRef("pk")).order_by("created_at")
        return Subquery(first.values("created_at")[:1])
    if stage == "opportunity":
        accepted = Handoff.objects.filter(lead=OuterRef("pk"), status=Handoff.Status.ACCEPTED)
        return Subquery(accepted.order_by("decided_at").values("decided_at")[:1])
    won = Opportunity.objects.filter(handoff__lead=OuterRef("pk"), status=Opportunity.Status.WON)
    return Subquery(won.order_by("closed_at").values("closed_at")[:1])


def _moved_in(stage: str, week: kpis.Week) -> Q:
    """Leads with an event of the stage in the week: a superset of those whose first entry
    into it falls in the week, so the database looks at few leads."""
    if stage == "new":
        return _in(week, "created_at")
    if stage == "working":
        events = Activity.objects.filter(_in(week, "started_at")).values("lead_id")
    elif stage == "connected":
        events = Activity.objects.filter(
            _in(week, "started_at"),
            type=Activity.Type.CALL,
            outcome=Activity.Outcome.CONNECTED,
        ).values("lead_id")
    elif stage == "handed_off":
        events = Handoff.objects.filter(_in(week, "created_at")).values("lead_id")
    else:  # opportunity
        events = Handoff.objects.filter(
            _in(week, "decided_at"), status=Handoff.Status.ACCEPTED
        ).values("lead_id")
    return Q(pk__in=events)


def window_of(team: Team, source: str, target: str) -> int:
    return int(team.transition_windows[f"{source}->{target}"])


def step_leads(week: kpis.Week, source: str, part: str = "entered"):
    """The cohort of a step S -> T: the leads that entered S in the week, their owner an SDR
    of the team that day; `converted` those that entered T since, `converted_in_window` those
    that entered T no later than the window's days after their own entry into S."""
    team = week.team
    target = dict(STEPS)[source]
    owners = StaffingRecord.objects.filter(team=team, role=Role.SDR).values("person_id")
    rows = (
        Lead.objects.filter(owner_id__in=owners)
        .filter(_moved_in(source, week))
        .annotate(at_source=entered_at(source), at_target=entered_at(target))
        .filter(_in(week, "at_source"))
        .annotate(day=kpis.local_day("at_source", team))
        .filter(kpis.on_team(team, "owner", "day"))
    )
    if part == "converted":
        rows = rows.filter(at_target__isnull=False)
    elif part == "converted_in_window":
        days = datetime.timedelta(days=window_of(team, source, target))
        limit = ExpressionWrapper(F("at_source") + Value(days), output_field=DateTimeField())
        rows = rows.filter(at_target__isnull=False, at_target__lte=limit)
    return rows


def funnel(week: kpis.Week, source: str, part: str) -> Drill:
    team = week.team
    target = dict(STEPS)[source]
    rows = step_leads(week, source, part).select_related("account", "owner").order_by("at_source")
    window = window_of(team, source, target)
    return Drill(
        "funnel",
        part,
        source,
        [_("Company"), _("Owner"), _("Entered %(stage)s") % {"stage": stage_label(source)}]
        + [_("Entered %(stage)s") % {"stage": stage_label(target)}, _("Days")],
        rows,
        lambda lead: [
            lead.account.name,
            str(lead.owner),
            _local(lead.at_source, team),
            _local(lead.at_target, team),
            round((lead.at_target - lead.at_source).total_seconds() / 86400, 1)
            if lead.at_target
            else "",
        ],
        lambda lead: lead.pk,
        extra={"target": target, "window": window},
    )


# -- opportunities behind the drift ------------------------------------------------------------


def won_opportunities(week: kpis.Week):
    """The cohort of kpis.amounts: the team's handoffs' opportunities won in the week."""
    return Opportunity.objects.filter(
        _in(week, "closed_at"),
        status=Opportunity.Status.WON,
        handoff__in=kpis.team_handoffs(week).values("pk"),
    )


def won(week: kpis.Week, part: str) -> Drill:
    team = week.team
    rows = (
        won_opportunities(week)
        .select_related("handoff__lead__account", "handoff__sdr", "handoff__ae")
        .annotate(drift=F("amount_at_close") - F("amount_at_creation"))
        .order_by("closed_at", "pk")
    )
    return Drill(
        "won",
        part,
        "",
        [_("Company"), _("SDR"), _("AE"), _("Amount at creation"), _("Amount won")]
        + [_("Drift"), _("Drift %"), _("Closed")],
        rows,
        lambda o: [
            o.handoff.lead.account.name,
            str(o.handoff.sdr),
            str(o.handoff.ae),
            o.amount_at_creation,
            o.amount_at_close,
            o.drift,
            round(float(o.drift / o.amount_at_creation), 4) if o.amount_at_creation else "",
            _local(o.closed_at, team),
        ],
        lambda o: o.handoff.lead_id,
    )


# -- people behind headcount ---------------------------------------------------------------------


@dataclass
class Counted:
    record: StaffingRecord
    service_start: datetime.date
    month: int
    factor: float
    why: str


def counted_people(week: kpis.Week) -> list[Counted]:
    """The SDR records of kpis.people: active on the week's Sunday, each with its ramp factor
    and why. Two queries."""
    team, day = week.team, week.end_date
    records = list(
        StaffingRecord.objects.active_on(day)
        .filter(team=team, role=Role.SDR)
        .select_related("person")
        .order_by("person__first_name", "person__email", "pk")
    )
    history: dict[int, list[StaffingRecord]] = {}
    for record in StaffingRecord.objects.filter(
        person__in=[r.person_id for r in records], role=Role.SDR
    ):
        history.setdefault(record.person_id, []).append(record)
    ramp = list(team.ramp_factors or [])
    people = []
    for record in records:
        start = kpis.service_start(record, history[record.person_id])
        month = tenure_month(start, day)
        factor = team.ramp_factor(month)
        if 0 <= month < len(ramp):
            why = _("month %(m)s of tenure: the team's ramp gives %(f)s") % {
                "m": month,
                "f": factor,
            }
        else:
            why = _("month %(m)s of tenure, past the team's ramp of %(n)s months: full") % {
                "m": month,
                "n": len(ramp),
            }
        if start != record.start_date:
            why += " " + _("(tenure counted from %(d)s, an earlier SDR record without a gap)") % {
                "d": start.isoformat()
            }
        people.append(Counted(record, start, month, factor, why))
    return people


def headcount(week: kpis.Week, part: str) -> Drill:
    people = counted_people(week)
    return Drill(
        "headcount",
        part,
        "",
        [_("SDR"), _("On the team since"), _("Tenure from"), _("Tenure month")]
        + [_("Ramp factor"), _("Why")],
        people,
        lambda c: [
            str(c.record.person),
            c.record.start_date.isoformat(),
            c.service_start.isoformat(),
            c.month,
            c.factor,
            c.why,
        ],
        total=round(sum(c.factor for c in people), 4),
    )


# -- inbound leads behind speed to lead ----------------------------------------------------------


def inbound_leads(week: kpis.Week, part: str = "inbound"):
    """The leads of kpis.speed_to_lead: inbound, created in the week, the owner on the team
    that day, with their first activity; `touched` are the median's rows."""
    rows = (
        Lead.objects.filter(_in(week, "created_at"), source=Source.INBOUND)
        .annotate(day=kpis.local_day("created_at", week.team))
        .filter(kpis.on_team(week.team, "owner", "day"))
        .annotate(first_touch=entered_at("working"))
    )
    if part == "touched":
        rows = rows.filter(first_touch__isnull=False)
    elif part == "untouched":
        rows = rows.filter(first_touch__isnull=True)
    return rows


def speed(week: kpis.Week, part: str) -> Drill:
    team = week.team
    rows = inbound_leads(week, part).select_related("account", "owner").order_by("created_at", "pk")
    return Drill(
        "speed",
        part,
        "",
        [_("Company"), _("Owner"), _("Created"), _("First touch"), _("Hours")],
        rows,
        lambda lead: [
            lead.account.name,
            str(lead.owner),
            _local(lead.created_at, team),
            _local(lead.first_touch, team),
            round((lead.first_touch - lead.created_at).total_seconds() / 3600, 2)
            if lead.first_touch
            else "",
        ],
        lambda lead: lead.pk,
    )


# -- activities ----------------------------------------------------------------------------------


def week_activities(week: kpis.Week, part: str = "calls"):
    """The activities of kpis.activities: the team's SDRs' (on the team that day) in the week."""
    rows = (
        Activity.objects.filter(_in(week, "started_at"))
        .annotate(day=kpis.local_day("started_at", week.team))
        .filter(kpis.on_team(week.team, "sdr", "day"))
    )
    if part == "calls":
        return rows.filter(type=Activity.Type.CALL)
    if part == "connects":
        return rows.filter(type=Activity.Type.CALL, outcome=Activity.Outcome.CONNECTED)
    return rows.filter(type=Activity.Type.EMAIL)


def activities(week: kpis.Week, part: str) -> Drill:
    team = week.team
    rows = (
        week_activities(week, part)
        .select_related("lead__account", "sdr")
        .order_by("started_at", "pk")
    )
    return Drill(
        "activities",
        part,
        "",
        [_("Started"), _("SDR"), _("Company"), _("Type"), _("Outcome"), _("Duration (seconds)")],
        rows,
        lambda a: [
            _local(a.started_at, team),
            str(a.sdr),
            a.lead.account.name,
            a.get_type_display(),
            a.get_outcome_display(),
            a.duration_seconds,
        ],
        lambda a: a.lead_id,
    )


BUILDERS = {
    "handoffs": handoffs,
    "won": won,
    "pipeline": pipeline,
    "headcount": headcount,
    "speed": speed,
    "activities": activities,
}
