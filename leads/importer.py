"""Import of leads from the `leads.csv` format of import-formats.md.

All or nothing: the file is checked whole first, every bad row is reported as
`FILE:LINE: COLUMN: message`, and nothing is written unless every row is good. Duplicates (the
same e-mail or phone for the same company, in the file or already in the database, or an
external id already imported) are reported and not created twice.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.csvfiles import Problems, read_rows
from sdr_ops.models import Role, User

from .models import Account, Lead, Segment, Source, Stage, StageChange

COLUMNS = [
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
REQUIRED = ["company", "segment", "source", "owner_email"]


@dataclass
class LeadRow:
    line: int
    values: dict


@dataclass
class ImportResult:
    filename: str
    rows: list[LeadRow] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    duplicates: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return self.problems.count == 0

    def error(self, line: int, column: str, message: str) -> None:
        self.problems.add(self.filename, line, column, message)

    @property
    def errors(self) -> list[str]:
        return self.problems.lines

    @property
    def error_count(self) -> int:
        return self.problems.count

    @property
    def errors_left_off(self) -> int:
        return self.problems.left_off


def _normalise_phone(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def check_leads(
    data: bytes, *, filename: str, by: User | None, zone: zoneinfo.ZoneInfo
) -> ImportResult:
    """Reads and checks the whole file; writes nothing.

    `by` limits the owners: a manager may import for the SDRs of their team only; None (the
    command line) and admins for any SDR.
    """
    result = ImportResult(filename=filename)
    rows = read_rows(filename, data, COLUMNS, REQUIRED, result.problems)
    if not result.ok:
        return result

    sdrs = User.objects.filter(role=Role.SDR, is_active=True)
    if by is not None and not by.is_admin:
        from sdr_ops.access import sdrs_managed_by as team_sdrs

        sdrs = team_sdrs(by)
    owners = {u.email.lower(): u for u in sdrs}
    seen_keys: dict[tuple[str, str], int] = {}
    seen_ids: dict[str, int] = {}
    for line, values in rows:
        errors_before = result.error_count
        for column in REQUIRED:
            if not values.get(column):
                result.error(line, column, _("required"))
        if values.get("segment") and values["segment"] not in Segment.values:
            result.error(
                line,
                "segment",
                _("must be one of %(choices)s") % {"choices": ", ".join(Segment.values)},
            )
        if values.get("source") and values["source"] not in Source.values:
            result.error(
                line,
                "source",
                _("must be one of %(choices)s") % {"choices": ", ".join(Source.values)},
            )
        email = values.get("email", "").lower()
        phone = values.get("phone", "")
        if not email and not phone:
            result.error(line, "email", _("an e-mail or a phone number is needed"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.error(line, "email", _("not an e-mail address"))
        owner_email = values.get("owner_email", "").lower()
        if owner_email and owner_email not in owners:
            result.error(line, "owner_email", _("no SDR with this e-mail on your team"))
        created_at = None
        if values.get("created_at"):
            created_at = parse_datetime(values["created_at"])
            if created_at is None:
                try:
                    day = datetime.date.fromisoformat(values["created_at"])
                    created_at = datetime.datetime.combine(day, datetime.time(0))
                except ValueError:
                    result.error(
                        line,
                        "created_at",
                        _("not a date or time (write 2026-11-27 or 2026-11-27T09:30)"),
                    )
            if created_at is not None and timezone.is_naive(created_at):
                created_at = created_at.replace(tzinfo=zone)
        if result.error_count > errors_before:
            continue
        external_id = values.get("external_id") or None
        company = values["company"]
        keys = [(company.lower(), "email:" + email)] if email else []
        if phone:
            keys.append((company.lower(), "phone:" + _normalise_phone(phone)))
        earlier = next((seen_keys[k] for k in keys if k in seen_keys), None)
        if external_id and external_id in seen_ids:
            earlier = seen_ids[external_id]
        if earlier is not None:
            result.duplicates.append(
                _("%(file)s:%(line)s: the same lead as line %(earlier)s; not created twice")
                % {"file": filename, "line": line, "earlier": earlier}
            )
            continue
        for key in keys:
            seen_keys[key] = line
        if external_id:
            seen_ids[external_id] = line
        values.update(
            email=email, owner=owners[owner_email], created_at=created_at, external_id=external_id
        )
        result.rows.append(LeadRow(line=line, values=values))
    _drop_existing(result)
    return result


def _drop_existing(result: ImportResult) -> None:
    """Removes rows that are already in the database, reporting each as a duplicate."""
    if not result.rows:
        return
    ids = {r.values["external_id"] for r in result.rows if r.values["external_id"]}
    companies = {r.values["company"].lower() for r in result.rows}
    existing = Lead.objects.filter(
        Q(external_id__in=ids) | Q(account__name__in={r.values["company"] for r in result.rows})
    ).values_list("external_id", "account__name", "email", "phone")
    taken_ids, taken_keys = set(), set()
    for external_id, company, email, phone in existing:
        if external_id:
            taken_ids.add(external_id)
        if company.lower() in companies:
            if email:
                taken_keys.add((company.lower(), "email:" + email.lower()))
            if phone:
                taken_keys.add((company.lower(), "phone:" + _normalise_phone(phone)))
    kept = []
    for row in result.rows:
        v = row.values
        keys = {(v["company"].lower(), "email:" + v["email"])} if v["email"] else set()
        if v["phone"]:
            keys.add((v["company"].lower(), "phone:" + _normalise_phone(v["phone"])))
        if (v["external_id"] and v["external_id"] in taken_ids) or keys & taken_keys:
            result.duplicates.append(
                _("%(file)s:%(line)s: already in SDR Ops; not created twice")
                % {"file": result.filename, "line": row.line}
            )
        else:
            kept.append(row)
    result.rows = kept


@transaction.atomic
def import_leads(result: ImportResult, *, by: User | None) -> ImportResult:
    """Writes the checked rows: new companies, the leads and their first stage, in bulk.

    Refuses (ValueError) a result with errors: all or nothing.
    """
    if not result.ok:
        raise ValueError("refusing to import a file with errors")
    now = timezone.now()
    names = {r.values["company"] for r in result.rows}
    accounts = {a.name: a for a in Account.objects.filter(name__in=names)}
    new_accounts = {}
    for row in result.rows:
        name = row.values["company"]
        if name not in accounts and name not in new_accounts:
            new_accounts[name] = Account(name=name, segment=row.values["segment"])
    Account.objects.bulk_create(new_accounts.values(), batch_size=2000)
    accounts.update(new_accounts)
    leads = [
        Lead(
            external_id=v["external_id"],
            account=accounts[v["company"]],
            first_name=v.get("first_name", ""),
            last_name=v.get("last_name", ""),
            email=v["email"],
            phone=v.get("phone", ""),
            title=v.get("title", ""),
            source=v["source"],
            owner=v["owner"],
            stage=Stage.NEW,
            created_at=v["created_at"] or now,
        )
        for v in (row.values for row in result.rows)
    ]
    Lead.objects.bulk_create(leads, batch_size=2000)
    StageChange.objects.bulk_create(
        [
            StageChange(lead=lead, from_stage="", to_stage=Stage.NEW, by=by, at=lead.created_at)
            for lead in leads
        ],
        batch_size=2000,
    )
    audit.record_many("lead", [lead.pk for lead in leads], "imported", by=by, after=Stage.NEW)
    result.created = len(leads)
    return result
