"""Bulk writes of the leads app's own tables, and the row rules every lead import shares.

`import_leads` (leads/importer.py), the history import (metrics/history.py) and the demo all
create leads, activities and stage paths through these functions, so a lead is checked and
written the same way whichever door it comes in by.
"""

import zoneinfo
from collections.abc import Iterable
from itertools import batched

from django.db.models import Min, Q
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.csvfiles import Checker, model_fields
from sdr_ops.imports import People
from sdr_ops.models import User

from .models import Account, Activity, Lead, Segment, Source, Stage, StageChange

LEAD_COLUMNS = [
    "external_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "company",
    "segment",
    "source",
    "owner_email",
    "created_at",
]
LEAD_REQUIRED = ["company", "segment", "source", "owner_email"]
ACTIVITY_COLUMNS = [
    "lead_external_id",
    "sdr_email",
    "type",
    "outcome",
    "started_at",
    "duration_seconds",
    "notes",
]
ACTIVITY_REQUIRED = ["lead_external_id", "sdr_email", "type", "outcome", "started_at"]
BATCH = 2000
# The choices, read once (an enum's `values` is built anew on every read).
SEGMENTS, SOURCES = Segment.values, Source.values
ACTIVITY_TYPES, OUTCOMES = Activity.Type.values, Activity.Outcome.values


# The model field each text column fills: its limits are the cell's limits.
LEAD_FIELDS = (
    model_fields(Lead, "external_id", "first_name", "last_name", "email", "phone", "title")
    | model_fields(Account, company="name")
    | model_fields(User, owner_email="email")
)
ACTIVITY_FIELDS = model_fields(Lead, lead_external_id="external_id") | model_fields(
    User, sdr_email="email"
)


def normalise_phone(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def duplicate_keys(company: str, email: str, phone: str) -> list[tuple[str, str]]:
    """The keys under which two leads are the same person: the company with the e-mail, and
    the company with the phone's digits."""
    keys = [(company.lower(), "email:" + email.lower())] if email else []
    if phone:
        keys.append((company.lower(), "phone:" + normalise_phone(phone)))
    return keys


def check_lead_cells(
    c: Checker, values: dict, *, zone: zoneinfo.ZoneInfo, required: list[str], day_allowed: bool
) -> dict:
    """The rules of one lead row, whatever the import: required cells, the choices, an e-mail
    or a phone, each cell within its field. Returns the cleaned values (e-mail in lower case,
    `created` the creation time); the owner is the caller's to resolve."""
    c.required(values, required)
    c.cells(values, LEAD_FIELDS)
    c.choice(values, "segment", SEGMENTS)
    c.choice(values, "source", SOURCES)
    email, phone = values.get("email", "").lower(), values.get("phone", "")
    if not email and not phone:
        c.error("email", _("an e-mail or a phone number is needed"))
    email = c.email(values, "email")
    created = c.moment(values, "created_at", zone, day_allowed=day_allowed)
    external_id = values.get("external_id") or None
    return {
        **values,
        "email": email,
        "owner_email": values.get("owner_email", "").lower(),
        "external_id": external_id,
        "created": created,
        # What the lead's own fields take (its account and owner are resolved at writing).
        "fields": {
            **{name: values.get(name, "") for name in ("first_name", "last_name", "phone")},
            **{"title": values.get("title", ""), "source": values.get("source", "")},
            "external_id": external_id,
            "email": email,
            "created_at": created,
        },
    }


def check_activity_cells(c: Checker, values: dict, *, zone: zoneinfo.ZoneInfo) -> dict:
    """The rules of one activity row: required cells, the choices, each cell within its
    field. The lead and the SDR are the caller's to resolve."""
    c.required(values, ACTIVITY_REQUIRED)
    c.cells(values, ACTIVITY_FIELDS)
    c.choice(values, "type", ACTIVITY_TYPES)
    c.choice(values, "outcome", OUTCOMES)
    started = c.moment(values, "started_at", zone)
    duration = c.whole(values, "duration_seconds", Activity._meta.get_field("duration_seconds"))
    fields = {name: values.get(name, "") for name in ("type", "outcome", "notes")}
    return {
        **values,
        "sdr_email": values.get("sdr_email", "").lower(),
        "fields": {**fields, "started_at": started, "duration_seconds": duration or 0},
    }


def existing_duplicates(
    rows: list[dict], *, exclude: int | None = None
) -> tuple[set[str], set[tuple[str, str]]]:
    """The external ids and duplicate keys of the rows that leads in the database already
    hold (one query); `exclude` leaves one lead out (the one being edited)."""
    ids = {r["external_id"] for r in rows if r["external_id"]}
    companies = {r["company"] for r in rows}
    lowered = {name.lower() for name in companies}
    existing = Lead.objects.filter(Q(external_id__in=ids) | Q(account__name__in=companies))
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    existing = existing.values_list("external_id", "account__name", "email", "phone")
    taken_ids, taken_keys = set(), set()
    for external_id, company, email, phone in existing:
        if external_id:
            taken_ids.add(external_id)
        if company.lower() in lowered:
            taken_keys.update(duplicate_keys(company, email, phone))
    return taken_ids, taken_keys


def is_duplicate(company: str, email: str, phone: str, *, exclude: int | None = None) -> bool:
    """Whether a lead in the database is already this person (the company with the same
    e-mail or phone digits): the rule of every import, for a lead made or edited by hand."""
    row = {"external_id": None, "company": company, "email": email, "phone": phone}
    _ids, taken = existing_duplicates([row], exclude=exclude)
    return bool(set(duplicate_keys(company, email, phone)) & taken)


def accounts_named(wanted: Iterable[Account]) -> dict[str, Account]:
    """The accounts by name, creating those not there yet from `wanted` (in bulk); an account
    that exists under the same name is reused as it is."""
    wanted = {a.name: a for a in wanted}
    found = Account.objects.in_bulk(list(wanted), field_name="name")
    Account.objects.bulk_create(
        [a for name, a in wanted.items() if name not in found], batch_size=BATCH
    )
    return Account.objects.in_bulk(list(wanted), field_name="name")


def lead_of(values: dict, accounts: dict[str, Account], *, owner: User, now) -> Lead:
    """The unsaved lead of a checked row."""
    fields = values["fields"]
    return Lead(
        account=accounts[values["company"]],
        owner=owner,
        **{**fields, "created_at": fields["created_at"] or now},
    )


def create_leads(leads: list[Lead], *, by: User | None, record: bool = True) -> list[Lead]:
    """Writes new leads in bulk, each with its first stage change (to New, at its creation,
    by `by`) and, with `record`, an "imported" audit record. Returns the leads, saved."""
    for lead in leads:
        lead.stage = Stage.NEW
    Lead.objects.bulk_create(leads, batch_size=BATCH)
    StageChange.objects.bulk_create(
        [
            StageChange(lead=lead, from_stage="", to_stage=Stage.NEW, by=by, at=lead.created_at)
            for lead in leads
        ],
        batch_size=BATCH,
    )
    if record:
        audit.record_many("lead", [lead.pk for lead in leads], "imported", by=by, after=Stage.NEW)
    return leads


def create_activities(activities: list[Activity]) -> int:
    """Writes activities in bulk; one already there (same lead, SDR, type and start) is left
    as it is. Returns how many were new."""
    before = Activity.objects.count()
    Activity.objects.bulk_create(activities, batch_size=BATCH, ignore_conflicts=True)
    return Activity.objects.count() - before


# The order of events that happen at the same moment.
_WORKED, _CONNECTED, _HANDED_OFF, _DECIDED, _CLOSED = range(5)


def derive_stages(lead_ids: Iterable[int]) -> dict[str, list[int]]:
    """Puts leads just written with their history (activities, handoffs, decisions and
    opportunities) in the stage that history shows, with a stage change for each step.

    The steps are the ones the app itself makes: the first activity moves a lead to Working,
    the first connected call to Connected (both only before its first handoff); a handoff to
    Handed off; an acceptance to Opportunity, a rejection back to Working (to Nurture for bad
    timing); a won deal to Won, a lost one to Nurture. Reads in a few aggregate queries per
    batch and writes in bulk. Returns the leads by the stage they ended in."""
    by_stage: dict[str, list[int]] = {}
    for batch in batched(sorted(set(lead_ids)), BATCH):
        for stage, ids in _derive(list(batch)).items():
            by_stage.setdefault(stage, []).extend(ids)
    return by_stage


def _derive(ids: list[int]) -> dict[str, list[int]]:
    leads = Lead.objects.filter(pk__in=ids)
    events: dict[int, list[tuple]] = {pk: [] for pk in ids}
    first_handoff = dict(
        leads.annotate(at=Min("handoffs__created_at"))
        .filter(at__isnull=False)
        .values_list("pk", "at")
    )
    worked = (
        leads.annotate(
            first=Min("activities__started_at"),
            connected=Min(
                "activities__started_at",
                filter=Q(activities__type="call", activities__outcome="connected"),
            ),
        )
        .filter(first__isnull=False)
        .values_list("pk", "first", "connected", "owner_id")
    )
    for pk, first, connected, owner in worked:
        before = first_handoff.get(pk)
        if before is None or first < before:
            events[pk].append((first, _WORKED, Stage.WORKING, owner))
        if connected and (before is None or connected < before):
            events[pk].append((connected, _CONNECTED, Stage.CONNECTED, owner))
    handoffs = leads.filter(handoffs__isnull=False).values_list(
        "pk",
        "handoffs__sdr_id",
        "handoffs__ae_id",
        "handoffs__created_at",
        "handoffs__status",
        "handoffs__decided_at",
        "handoffs__rejection_reason",
        "handoffs__opportunity__status",
        "handoffs__opportunity__closed_at",
    )
    for pk, sdr, ae, created, status, decided, reason, deal, closed in handoffs:
        events[pk].append((created, _HANDED_OFF, Stage.HANDED_OFF, sdr))
        if status == "accepted" and decided:
            events[pk].append((decided, _DECIDED, Stage.OPPORTUNITY, ae))
        elif status == "rejected" and decided:
            back = Stage.NURTURE if reason == "bad_timing" else Stage.WORKING
            events[pk].append((decided, _DECIDED, back, ae))
        if deal in ("won", "lost") and closed:
            events[pk].append((closed, _CLOSED, Stage.WON if deal == "won" else Stage.NURTURE, ae))
    changes, by_stage = [], {}
    for pk in ids:
        stage = Stage.NEW
        for at, _order, to, by in sorted(events[pk], key=lambda e: (e[0], e[1])):
            if to != stage:
                changes.append(
                    StageChange(lead_id=pk, from_stage=stage, to_stage=to, by_id=by, at=at)
                )
                stage = to
        by_stage.setdefault(stage, []).append(pk)
    StageChange.objects.bulk_create(changes, batch_size=BATCH)
    for stage, stage_ids in by_stage.items():
        if stage != Stage.NEW:
            Lead.objects.filter(pk__in=stage_ids).update(stage=stage)
    return by_stage


# -- the history import's leads.csv and activities.csv ----------------------------------------


def check_history_leads(
    rows: list[tuple[int, dict]], c: Checker, *, people: People
) -> tuple[list[dict], set[str]]:
    """Checks the rows of the history's leads.csv with the rules of every lead row, each
    owned by an SDR (of the manager's team, for a manager's upload), no lead twice. Returns the
    good rows and the external ids the other files may name: those of the file and, in the
    database, those of the leads within reach."""
    in_reach, taken = set(), set()
    for external_id, owner in Lead.objects.exclude(external_id=None).values_list(
        "external_id", "owner__email"
    ):
        taken.add(external_id)
        if people.in_scope(owner):
            in_reach.add(external_id)
    good, seen_ids, seen_keys = [], set(), {}
    for line, v in rows:
        v = check_lead_cells(
            c.at(line),
            v,
            zone=people.zone(v.get("owner_email", "")),
            required=["external_id", *LEAD_REQUIRED, "created_at"],
            day_allowed=False,
        )
        owner = v["owner_email"]
        if owner and not people.is_sdr(owner):
            c.error("owner_email", _("no SDR with this e-mail (in staff.csv or the app)"))
        people.outside_team(c, "owner_email", owner)
        external_id = v["external_id"]
        if external_id in seen_ids:
            c.error("external_id", _("appears twice in the file"))
        elif external_id in taken and external_id not in in_reach:
            c.error("external_id", _("this external_id is taken"))
        keys = duplicate_keys(v["company"], v["email"], v["phone"])
        earlier = next((seen_keys[k] for k in keys if k in seen_keys), None)
        if earlier is not None:
            c.error("email", _("the same lead as line %(earlier)s") % {"earlier": earlier})
        if not c.bad:
            seen_ids.add(external_id)
            seen_keys.update(dict.fromkeys(keys, line))
            good.append((line, v))
    fresh = [v for _line, v in good if v["external_id"] not in taken]
    _taken_ids, taken_keys = existing_duplicates(fresh)
    for line, v in good:
        if (
            v["external_id"] not in taken
            and set(duplicate_keys(v["company"], v["email"], v["phone"])) & taken_keys
        ):
            c.at(line).error("email", _("already in SDR Ops under another external_id"))
    return [v for _line, v in good], in_reach | seen_ids


def check_history_activities(
    rows: list[tuple[int, dict]], c: Checker, *, people: People, lead_ids: set[str]
) -> list[dict]:
    """Checks the rows of activities.csv: on a lead the import may name, by a known person (an
    SDR of the team, for a manager's upload)."""
    good = []
    for line, v in rows:
        v = check_activity_cells(c.at(line), v, zone=people.zone(v.get("sdr_email", "")))
        sdr = v["sdr_email"]
        if v["lead_external_id"] and v["lead_external_id"] not in lead_ids:
            c.error("lead_external_id", _("no lead with this external_id"))
        if sdr and sdr not in people.known:
            c.error("sdr_email", _("no person with this e-mail"))
        people.outside_team(c, "sdr_email", sdr)
        if not c.bad:
            good.append(v)
    return good


def activities_of(rows: list[dict], *, lead_pk: dict[str, int], users: dict[str, User]):
    """The unsaved activities of checked rows."""
    return [
        Activity(
            lead_id=lead_pk[row["lead_external_id"]], sdr=users[row["sdr_email"]], **row["fields"]
        )
        for row in rows
    ]
