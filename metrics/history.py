"""Import of a team's history from the CSV files of import-formats.md (`import_history`).

The files are read and checked whole first; every bad row is reported as
`FILE:LINE: COLUMN: message` (100 at most, then a count) and nothing is written unless every
row of every file is good. Writing is bulk, in one transaction. Importing the same files
again changes nothing: staff by (email, team, start_date), leads and handoffs by
`external_id`, activities by (lead, sdr, type, started_at), opportunities by their handoff.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.validators import validate_email
from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from handoffs.models import Certainty, Handoff, Opportunity, RejectionReason
from leads.models import Account, Activity, Lead, Segment, Source, Stage
from sdr_ops import audit
from sdr_ops.csvfiles import Problems, read_rows
from sdr_ops.models import Role, StaffingRecord, StaffingRole, Team, User

FILES = {
    "staff.csv": ["email", "name", "role", "team", "start_date", "end_date", "reason"],
    "leads.csv": [
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
    ],
    "activities.csv": [
        "lead_external_id",
        "sdr_email",
        "type",
        "outcome",
        "started_at",
        "duration_seconds",
        "notes",
    ],
    "handoffs.csv": [
        "external_id",
        "lead_external_id",
        "sdr_email",
        "ae_email",
        "created_at",
        "certainty",
        "note",
        "status",
        "decided_at",
        "rejection_reason",
    ],
    "opportunities.csv": [
        "handoff_external_id",
        "amount_at_creation",
        "created_at",
        "status",
        "amount_at_close",
        "closed_at",
    ],
}
REQUIRED = {
    "staff.csv": ["email", "role", "team", "start_date"],
    "leads.csv": ["external_id", "company", "segment", "source", "owner_email", "created_at"],
    "activities.csv": ["lead_external_id", "sdr_email", "type", "outcome", "started_at"],
    "handoffs.csv": [
        "external_id",
        "lead_external_id",
        "sdr_email",
        "ae_email",
        "created_at",
        "certainty",
        "status",
    ],
    "opportunities.csv": ["handoff_external_id", "amount_at_creation", "created_at", "status"],
}
BATCH = 5000


@dataclass
class Plan:
    """What the files hold, checked, ready to write."""

    staff: list[dict] = field(default_factory=list)
    leads: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)
    handoffs: list[dict] = field(default_factory=list)
    opportunities: list[dict] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    written: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problems.count == 0


class Checker:
    def __init__(self, name: str, problems: Problems):
        self.name, self.problems = name, problems
        self.line = 0
        self.bad = False

    def at(self, line: int) -> "Checker":
        self.line, self.bad = line, False
        return self

    def error(self, column: str, message: str) -> None:
        self.bad = True
        self.problems.add(self.name, self.line, column, message)

    def required(self, values: dict, columns: list[str]) -> None:
        for column in columns:
            if not values.get(column):
                self.error(column, _("required"))

    def choice(self, values: dict, column: str, choices: list[str]) -> str:
        value = values.get(column, "")
        if value and value not in choices:
            self.error(column, _("must be one of %(c)s") % {"c": ", ".join(choices)})
        return value

    def date(self, values: dict, column: str) -> datetime.date | None:
        value = values.get(column, "")
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            self.error(column, _("not a date (write 2026-11-27)"))
            return None

    def moment(self, values: dict, column: str, zone) -> datetime.datetime | None:
        value = values.get(column, "")
        if not value:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            self.error(column, _("not a time (write 2026-11-27T09:30 or with an offset)"))
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)

    def amount(self, values: dict, column: str) -> Decimal | None:
        value = values.get(column, "")
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.error(column, _("not a number"))
            return None
        if amount < 0:
            self.error(column, _("cannot be negative"))
        return amount


def check(files: dict[str, bytes], *, team: Team | None = None) -> Plan:
    """Reads and checks every file given (name -> content); writes nothing.

    With `team` (a manager's upload), the files may hold that team's history only: staff of
    that team, and leads, activities and handoffs of its SDRs. AEs may be anyone known."""
    plan = Plan()
    problems = plan.problems
    for name in files:
        if name not in FILES:
            problems.add(
                name, 1, "-", _("unknown file (the files are: %(f)s)") % {"f": ", ".join(FILES)}
            )
    rows = {
        name: read_rows(name, data, FILES[name], REQUIRED[name], problems)
        for name, data in files.items()
        if name in FILES
    }
    if problems.count:
        return plan

    default_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    teams = {t.slug: t for t in Team.objects.all()}
    zone_of_person: dict[str, zoneinfo.ZoneInfo] = {}
    roles_of_person: dict[str, set[str]] = {}
    for record in StaffingRecord.objects.select_related("person", "team"):
        zone_of_person.setdefault(record.person.email, record.team.zone)
        roles_of_person.setdefault(record.person.email, set()).add(record.role)

    c = Checker("staff.csv", problems)
    for line, v in rows.get("staff.csv", []):
        c.at(line).required(v, REQUIRED["staff.csv"])
        email = v.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except Exception:  # noqa: BLE001 - Django's ValidationError
                c.error("email", _("not an e-mail address"))
        role = c.choice(v, "role", StaffingRole.values)
        start, end = c.date(v, "start_date"), c.date(v, "end_date")
        if start and end and end < start:
            c.error("end_date", _("before the start date"))
        if team is not None and v.get("team") and v["team"] != team.slug:
            c.error("team", _("you can import the history of %(team)s only") % {"team": team.slug})
        if not c.bad:
            plan.staff.append({**v, "email": email, "start": start, "end": end})
            zone = teams[v["team"]].zone if v["team"] in teams else default_zone
            zone_of_person.setdefault(email, zone)
            roles_of_person.setdefault(email, set()).add(role)

    def zone(email: str):
        return zone_of_person.get(email.lower(), default_zone)

    team_sdrs: set[str] = set()
    if team is not None:
        team_sdrs = set(
            StaffingRecord.objects.filter(team=team, role=Role.SDR).values_list(
                "person__email", flat=True
            )
        ) | {s["email"] for s in plan.staff if s["role"] == StaffingRole.SDR}

    def outside_team(c: Checker, column: str, email: str) -> None:
        if team is not None and email and email not in team_sdrs:
            c.error(column, _("not an SDR of %(team)s") % {"team": team.slug})

    known_users = set(User.objects.values_list("email", flat=True)) | {
        s["email"] for s in plan.staff
    }
    lead_ids = set(Lead.objects.exclude(external_id=None).values_list("external_id", flat=True))
    c = Checker("leads.csv", problems)
    seen = set()
    for line, v in rows.get("leads.csv", []):
        c.at(line).required(v, REQUIRED["leads.csv"])
        c.choice(v, "segment", Segment.values)
        c.choice(v, "source", Source.values)
        owner = v.get("owner_email", "").lower()
        if owner and "sdr" not in roles_of_person.get(owner, set()):
            c.error("owner_email", _("no SDR with this e-mail (in staff.csv or the app)"))
        outside_team(c, "owner_email", owner)
        created = c.moment(v, "created_at", zone(owner))
        if v.get("external_id") in seen:
            c.error("external_id", _("appears twice in the file"))
        if not c.bad:
            seen.add(v["external_id"])
            plan.leads.append({**v, "owner_email": owner, "created": created})
    lead_ids |= seen

    c = Checker("activities.csv", problems)
    for line, v in rows.get("activities.csv", []):
        c.at(line).required(v, REQUIRED["activities.csv"])
        c.choice(v, "type", Activity.Type.values)
        c.choice(v, "outcome", Activity.Outcome.values)
        sdr = v.get("sdr_email", "").lower()
        if v.get("lead_external_id") and v["lead_external_id"] not in lead_ids:
            c.error("lead_external_id", _("no lead with this external_id"))
        if sdr and sdr not in known_users:
            c.error("sdr_email", _("no person with this e-mail"))
        outside_team(c, "sdr_email", sdr)
        started = c.moment(v, "started_at", zone(sdr))
        duration = v.get("duration_seconds", "")
        if duration and not duration.isdigit():
            c.error("duration_seconds", _("a whole number of seconds"))
        if not c.bad:
            plan.activities.append(
                {**v, "sdr_email": sdr, "started": started, "duration": int(duration or 0)}
            )

    handoff_ids = dict(
        Handoff.objects.exclude(external_id=None).values_list("external_id", "status")
    )
    handoff_sdr = dict(
        Handoff.objects.exclude(external_id=None).values_list("external_id", "sdr__email")
    )
    c = Checker("handoffs.csv", problems)
    for line, v in rows.get("handoffs.csv", []):
        c.at(line).required(v, REQUIRED["handoffs.csv"])
        c.choice(v, "certainty", Certainty.values)
        status = c.choice(v, "status", Handoff.Status.values)
        sdr, ae = v.get("sdr_email", "").lower(), v.get("ae_email", "").lower()
        if v.get("lead_external_id") and v["lead_external_id"] not in lead_ids:
            c.error("lead_external_id", _("no lead with this external_id"))
        for column, email in (("sdr_email", sdr), ("ae_email", ae)):
            if email and email not in known_users:
                c.error(column, _("no person with this e-mail"))
        outside_team(c, "sdr_email", sdr)
        created = c.moment(v, "created_at", zone(sdr))
        decided = c.moment(v, "decided_at", zone(sdr))
        if status and status != "pending" and not v.get("decided_at"):
            c.error("decided_at", _("required unless pending"))
        reason = v.get("rejection_reason", "")
        if status == "rejected" and not reason:
            c.error("rejection_reason", _("required when rejected"))
        elif reason and reason not in RejectionReason.values:
            c.error(
                "rejection_reason",
                _("must be one of %(c)s") % {"c": ", ".join(RejectionReason.values)},
            )
        if not c.bad:
            plan.handoffs.append(
                {**v, "sdr_email": sdr, "ae_email": ae, "created": created, "decided": decided}
            )
            handoff_ids.setdefault(v["external_id"], status)
            handoff_sdr.setdefault(v["external_id"], sdr)

    c = Checker("opportunities.csv", problems)
    for line, v in rows.get("opportunities.csv", []):
        c.at(line).required(v, REQUIRED["opportunities.csv"])
        status = c.choice(v, "status", Opportunity.Status.values)
        ref = v.get("handoff_external_id", "")
        if ref and ref not in handoff_ids:
            c.error("handoff_external_id", _("no handoff with this external_id"))
        elif ref and handoff_ids[ref] != "accepted":
            c.error("handoff_external_id", _("the handoff must be accepted"))
        created_amount = c.amount(v, "amount_at_creation")
        closed_amount = c.amount(v, "amount_at_close")
        owner_zone = zone(handoff_sdr.get(ref, ""))
        created = c.moment(v, "created_at", owner_zone)
        closed = c.moment(v, "closed_at", owner_zone)
        if status and status != "open":
            for column in ("amount_at_close", "closed_at"):
                if not v.get(column):
                    c.error(column, _("required unless open"))
        if not c.bad:
            plan.opportunities.append(
                {
                    **v,
                    "amount": created_amount,
                    "closed_amount": closed_amount,
                    "created": created,
                    "closed": closed,
                }
            )
    return plan


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return first, last


@transaction.atomic
def write(plan: Plan) -> dict[str, int]:
    """Writes a checked plan in bulk; rows already imported are left as they are."""
    if not plan.ok:
        raise ValueError("refusing to import files with errors")
    written = {"staff": 0, "leads": 0, "activities": 0, "handoffs": 0, "opportunities": 0}
    kind_for = {"ae": Team.Kind.SALES, "stakeholder": Team.Kind.OTHER}
    teams = {t.slug: t for t in Team.objects.all()}
    for row in plan.staff:
        if row["team"] not in teams:
            teams[row["team"]] = Team.objects.create(
                slug=row["team"],
                name=row["team"].replace("-", " ").title(),
                kind=kind_for.get(row["role"], Team.Kind.SDR),
            )
    users = {u.email: u for u in User.objects.all()}
    new_users = {}
    for row in plan.staff:
        if row["email"] not in users and row["email"] not in new_users:
            first, last = _split_name(row.get("name", ""))
            user = User(
                email=row["email"],
                first_name=first,
                last_name=last,
                role=row["role"] if row["role"] in Role.values else Role.SDR,
            )
            user.set_unusable_password()  # they set one through the reset flow
            new_users[row["email"]] = user
    User.objects.bulk_create(new_users.values(), batch_size=BATCH)
    users.update(new_users)
    existing = set(StaffingRecord.objects.values_list("person__email", "team__slug", "start_date"))
    records = []
    for row in plan.staff:
        key = (row["email"], row["team"], row["start"])
        if key in existing:
            continue
        existing.add(key)
        records.append(
            StaffingRecord(
                person=users[row["email"]],
                team=teams[row["team"]],
                role=row["role"],
                start_date=row["start"],
                end_date=row["end"],
                reason=row.get("reason", ""),
            )
        )
    StaffingRecord.objects.bulk_create(records, batch_size=BATCH)
    written["staff"] = len(records)

    known = set(Lead.objects.exclude(external_id=None).values_list("external_id", flat=True))
    fresh = [row for row in plan.leads if row["external_id"] not in known]
    accounts = {
        a.name: a for a in Account.objects.filter(name__in={row["company"] for row in fresh})
    }
    new_accounts = {}
    for row in fresh:
        if row["company"] not in accounts and row["company"] not in new_accounts:
            new_accounts[row["company"]] = Account(name=row["company"], segment=row["segment"])
    Account.objects.bulk_create(new_accounts.values(), batch_size=BATCH)
    accounts.update(new_accounts)
    Lead.objects.bulk_create(
        (
            Lead(
                external_id=row["external_id"],
                account=accounts[row["company"]],
                first_name=row.get("first_name", ""),
                last_name=row.get("last_name", ""),
                email=row.get("email", "").lower(),
                phone=row.get("phone", ""),
                title=row.get("title", ""),
                source=row["source"],
                owner=users[row["owner_email"]],
                created_at=row["created"],
            )
            for row in fresh
        ),
        batch_size=BATCH,
    )
    written["leads"] = len(fresh)
    lead_pk = dict(Lead.objects.exclude(external_id=None).values_list("external_id", "pk"))

    activities = [
        Activity(
            lead_id=lead_pk[row["lead_external_id"]],
            sdr=users[row["sdr_email"]],
            type=row["type"],
            outcome=row["outcome"],
            started_at=row["started"],
            duration_seconds=row["duration"],
            notes=row.get("notes", ""),
        )
        for row in plan.activities
    ]
    before = Activity.objects.count()
    Activity.objects.bulk_create(activities, batch_size=BATCH, ignore_conflicts=True)
    written["activities"] = Activity.objects.count() - before

    known = set(Handoff.objects.exclude(external_id=None).values_list("external_id", flat=True))
    handoffs = [
        Handoff(
            external_id=row["external_id"],
            lead_id=lead_pk[row["lead_external_id"]],
            sdr=users[row["sdr_email"]],
            ae=users[row["ae_email"]],
            created_at=row["created"],
            certainty=row["certainty"],
            comment=row.get("note", ""),
            status=row["status"],
            decided_at=row["decided"],
            rejection_reason=row.get("rejection_reason", ""),
        )
        for row in plan.handoffs
        if row["external_id"] not in known
    ]
    Handoff.objects.bulk_create(handoffs, batch_size=BATCH)
    written["handoffs"] = len(handoffs)

    handoff_pk = dict(Handoff.objects.exclude(external_id=None).values_list("external_id", "pk"))
    has_opportunity = set(Opportunity.objects.values_list("handoff_id", flat=True))
    opportunities = [
        Opportunity(
            handoff_id=handoff_pk[row["handoff_external_id"]],
            amount_at_creation=row["amount"],
            created_at=row["created"],
            status=row["status"],
            amount_at_close=row["closed_amount"],
            closed_at=row["closed"],
        )
        for row in plan.opportunities
        if handoff_pk[row["handoff_external_id"]] not in has_opportunity
    ]
    Opportunity.objects.bulk_create(opportunities, batch_size=BATCH)
    written["opportunities"] = len(opportunities)
    _set_stages({lead_pk[row["external_id"]] for row in fresh})
    plan.written = written
    return written


def _set_stages(lead_ids: set[int]) -> None:
    """Puts each newly imported lead in the furthest stage its history shows (a few
    set-based UPDATEs, from the first stage to the last)."""
    if not lead_ids:
        return
    leads = Lead.objects.filter(pk__in=lead_ids)
    audit.record_many("lead", lead_ids, "imported", via="import")
    leads.filter(activities__isnull=False).update(stage=Stage.WORKING)
    leads.filter(activities__type="call", activities__outcome="connected").update(
        stage=Stage.CONNECTED
    )
    leads.filter(handoffs__status="pending").update(stage=Stage.HANDED_OFF)
    leads.filter(handoffs__status="rejected").exclude(
        handoffs__status__in=["pending", "accepted"]
    ).update(stage=Stage.WORKING)
    leads.filter(handoffs__status="accepted").update(stage=Stage.OPPORTUNITY)
    leads.filter(handoffs__opportunity__status="won").update(stage=Stage.WON)
    # The stage each imported lead ended in, as one set-based insert.
    for stage, ids in _by_stage(leads).items():
        audit.record_many("lead", ids, "stage", field="stage", after=stage, via="import")


def _by_stage(leads) -> dict[str, list[int]]:
    by_stage: dict[str, list[int]] = {}
    for pk, stage in leads.values_list("pk", "stage"):
        by_stage.setdefault(stage, []).append(pk)
    return by_stage


def read_folder(folder: Path) -> dict[str, bytes]:
    """The known files present in the folder (every file is optional)."""
    return {name: (folder / name).read_bytes() for name in FILES if (folder / name).is_file()}
