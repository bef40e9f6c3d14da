"""Import of leads from the `leads.csv` format of import-formats.md.

All or nothing: the file is checked whole first, every bad row is reported as
`FILE:LINE: COLUMN: message`, and nothing is written unless every row is good. Duplicates (the
same e-mail or phone for the same company, in the file or already in the database, or an
external id already imported) are reported and not created twice.
"""

import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sdr_ops import locks
from sdr_ops.csvfiles import Checker, Problems, read_rows
from sdr_ops.models import Role, User
from sdr_ops.outbox import enqueue_on_commit

from .imports import (
    LEAD_COLUMNS,
    LEAD_REQUIRED,
    accounts_named,
    check_lead_cells,
    create_leads,
    duplicate_keys,
    existing_duplicates,
    lead_of,
)
from .models import Account, ImportJob

COLUMNS = LEAD_COLUMNS
REQUIRED = LEAD_REQUIRED


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
    c = Checker(filename, result.problems)
    for line, values in rows:
        values = check_lead_cells(
            c.at(line), values, zone=zone, required=REQUIRED, day_allowed=True
        )
        owner_email = values["owner_email"]
        if owner_email and owner_email not in owners:
            c.error("owner_email", _("no SDR with this e-mail on your team"))
        if c.bad:
            continue
        external_id = values["external_id"]
        keys = duplicate_keys(values["company"], values["email"], values["phone"])
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
        values.update(owner=owners[owner_email], created_at=values["created"])
        result.rows.append(LeadRow(line=line, values=values))
    _drop_existing(result)
    return result


def _drop_existing(result: ImportResult) -> None:
    """Removes rows that are already in the database, reporting each as a duplicate."""
    if not result.rows:
        return
    taken_ids, taken_keys = existing_duplicates([row.values for row in result.rows])
    kept = []
    for row in result.rows:
        v = row.values
        keys = set(duplicate_keys(v["company"], v["email"], v["phone"]))
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
    values = [row.values for row in result.rows]
    accounts = accounts_named(Account(name=v["company"], segment=v["segment"]) for v in values)
    leads = create_leads([lead_of(v, accounts, owner=v["owner"], now=now) for v in values], by=by)
    result.created = len(leads)
    return result


def check_and_import(
    data: bytes, *, filename: str, by: User | None, zone: zoneinfo.ZoneInfo
) -> ImportResult:
    """Checks the file and, when every row is good, imports it: in one transaction that holds
    the lead-import lock, so the same file confirmed twice at once (a double click, two tabs)
    is imported once; the second finds every lead already there and reports duplicates."""
    with transaction.atomic():
        locks.hold("lead-import")
        result = check_leads(data, filename=filename, by=by, zone=zone)
        if result.ok:
            import_leads(result, by=by)
    return result


def is_job(rows: int) -> bool:
    """Whether a confirmed import of this many rows runs as a job on the worker."""
    return rows > settings.LEAD_IMPORT_JOB_ROWS


@transaction.atomic
def queue_import(data: bytes, *, filename: str, rows: int, by: User) -> ImportJob:
    """Stores the confirmed file as a queued job and queues its run in the same transaction
    (through the outbox, so a broker outage loses nothing). The job keeps the active language,
    in which the worker writes its errors."""
    job = ImportJob.objects.create(
        created_by=by,
        team=by.current_team,
        filename=filename,
        data=data,
        rows_total=rows,
        language=translation.get_language() or "",
    )
    enqueue_on_commit("leads.run_import_job", job_id=job.pk)
    return job


def run_job(job_id: int) -> ImportJob | None:
    """Runs a queued job through `check_and_import`, the request's own import. Safe to run
    twice: a job done or failed is left alone, and a second run at the same time waits on the
    job's row, then finds it finished. A run that died half-way wrote nothing (the import is
    one transaction), so the job, still running, is run again. None for a job that is gone."""
    claimed = ImportJob.objects.filter(
        pk=job_id, state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]
    ).update(state=ImportJob.State.RUNNING)
    if not claimed:
        return ImportJob.objects.filter(pk=job_id).first()
    try:
        return _run_claimed(job_id)
    except Exception:
        # The import rolled back whole; the page says it stopped (with no error list).
        ImportJob.objects.filter(pk=job_id).update(
            state=ImportJob.State.FAILED, finished_at=timezone.now()
        )
        raise


@transaction.atomic
def _run_claimed(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
    if job.finished:
        return job
    by = job.created_by
    with translation.override(job.language or settings.LANGUAGE_CODE):
        result = check_and_import(bytes(job.data), filename=job.filename, by=by, zone=by.local_zone)
    job.state = ImportJob.State.DONE if result.ok else ImportJob.State.FAILED
    job.rows_done = job.rows_total
    job.created = result.created
    job.duplicates = result.duplicates
    job.errors = result.errors
    job.errors_left_off = result.errors_left_off
    job.finished_at = timezone.now()
    job.save()
    return job
