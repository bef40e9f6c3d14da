"""Import of a team's history from the CSV files of import-formats.md (`import_history`).

The files are read and checked whole first; every bad row is reported as
`FILE:LINE: COLUMN: message` (100 at most, then a count) and nothing is written unless every
row of every file is good. Writing is bulk, in one transaction. Importing the same files
again changes nothing: staff by (email, team, start_date), leads and handoffs by
`external_id`, activities by (lead, sdr, type, started_at), opportunities by their handoff.

This module only puts the parts together: each app checks and writes its own tables
(`sdr_ops.imports`, `leads.imports`, `handoffs.imports`), with the rules `import_leads` uses
for a lead row, and `leads.imports.derive_stages` puts the new leads in their stage.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from handoffs import imports as handoff_imports
from handoffs.models import Handoff
from leads import imports as lead_imports
from leads.models import Account, Lead
from sdr_ops import audit, locks
from sdr_ops import imports as staff_imports
from sdr_ops.csvfiles import Checker, Problems, read_rows
from sdr_ops.models import Team

from . import freshness, stage_entries

FILES = {
    "staff.csv": staff_imports.STAFF_COLUMNS,
    "leads.csv": lead_imports.LEAD_COLUMNS,
    "activities.csv": lead_imports.ACTIVITY_COLUMNS,
    "handoffs.csv": handoff_imports.HANDOFF_COLUMNS,
    "opportunities.csv": handoff_imports.OPPORTUNITY_COLUMNS,
}
REQUIRED = {
    "staff.csv": staff_imports.STAFF_REQUIRED,
    "leads.csv": ["external_id", *lead_imports.LEAD_REQUIRED, "created_at"],
    "activities.csv": lead_imports.ACTIVITY_REQUIRED,
    "handoffs.csv": handoff_imports.HANDOFF_REQUIRED,
    "opportunities.csv": handoff_imports.OPPORTUNITY_REQUIRED,
}


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


def check(files: dict[str, bytes], *, team: Team | None = None) -> Plan:
    """Reads and checks every file given (name -> content); writes nothing.

    With `team` (a manager's upload), the files may hold that team's history only: staffing
    records of new people or of the team's own as SDRs of the team; leads, activities and
    handoffs of its SDRs, on its own leads and handoffs. An AE must be an active AE."""
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

    def checker(name: str) -> Checker:
        return Checker(name, problems)

    plan.staff, people = staff_imports.check_staff(
        rows.get("staff.csv", []), checker("staff.csv"), team=team
    )
    plan.leads, lead_ids = lead_imports.check_history_leads(
        rows.get("leads.csv", []), checker("leads.csv"), people=people
    )
    plan.activities = lead_imports.check_history_activities(
        rows.get("activities.csv", []), checker("activities.csv"), people=people, lead_ids=lead_ids
    )
    plan.handoffs, known = handoff_imports.check_handoffs(
        rows.get("handoffs.csv", []), checker("handoffs.csv"), people=people, lead_ids=lead_ids
    )
    plan.opportunities = handoff_imports.check_opportunities(
        rows.get("opportunities.csv", []), checker("opportunities.csv"), people=people, known=known
    )
    return plan


@transaction.atomic
def write(plan: Plan) -> dict[str, int]:
    """Writes a checked plan in bulk; rows already imported are left as they are."""
    if not plan.ok:
        raise ValueError("refusing to import files with errors")
    users, staff = staff_imports.write_staff(plan.staff)
    known = set(Lead.objects.exclude(external_id=None).values_list("external_id", flat=True))
    fresh = [row for row in plan.leads if row["external_id"] not in known]
    accounts = lead_imports.accounts_named(
        Account(name=row["company"], segment=row["segment"]) for row in fresh
    )
    leads = lead_imports.create_leads(
        [
            lead_imports.lead_of(row, accounts, owner=users[row["owner_email"]], now=None)
            for row in fresh
        ],
        by=None,
    )
    lead_pk = dict(Lead.objects.exclude(external_id=None).values_list("external_id", "pk"))
    activities = lead_imports.create_activities(
        lead_imports.activities_of(plan.activities, lead_pk=lead_pk, users=users)
    )
    handoffs = handoff_imports.create_handoffs(
        handoff_imports.handoffs_of(plan.handoffs, lead_pk=lead_pk, users=users)
    )
    handoff_pk = dict(Handoff.objects.exclude(external_id=None).values_list("external_id", "pk"))
    opportunities = handoff_imports.create_opportunities(
        handoff_imports.opportunities_of(plan.opportunities, handoff_pk=handoff_pk)
    )
    for stage, ids in lead_imports.derive_stages(lead.pk for lead in leads).items():
        audit.record_many("lead", ids, "stage", field="stage", after=stage, via="import")
    stage_entries.refresh(_leads_touched(plan, leads, lead_pk))
    if staff or leads or activities or handoffs or opportunities:
        # Every stored week from the earliest row written is recomputed in the background.
        freshness.mark(None, since=_earliest(plan))
    plan.written = {
        "staff": staff,
        "leads": len(leads),
        "activities": activities,
        "handoffs": len(handoffs),
        "opportunities": len(opportunities),
    }
    return plan.written


def _leads_touched(plan: Plan, leads: list[Lead], lead_pk: dict[str, int]) -> set[int]:
    """The leads whose events the plan may have added to."""
    touched = {lead.pk for lead in leads}
    for row in [*plan.activities, *plan.handoffs]:
        if row.get("lead_external_id") in lead_pk:
            touched.add(lead_pk[row["lead_external_id"]])
    handoff_ids = [row.get("handoff_external_id") for row in plan.opportunities]
    touched.update(
        Handoff.objects.filter(external_id__in=[h for h in handoff_ids if h]).values_list(
            "lead_id", flat=True
        )
    )
    return touched


def _earliest(plan: Plan) -> datetime.date | None:
    """The earliest day any row of the plan speaks of (None: every week)."""
    days = []
    for row in [*plan.staff, *plan.leads, *plan.activities, *plan.handoffs, *plan.opportunities]:
        for values in (row, row.get("fields") or {}):
            for key in ("start_date", "created_at", "started_at", "decided_at", "closed_at"):
                value = values.get(key) if isinstance(values, dict) else None
                if isinstance(value, datetime.datetime):
                    days.append(value.date() - datetime.timedelta(days=1))
                elif isinstance(value, datetime.date):
                    days.append(value)
    return min(days) if days else None


def import_files(files: dict[str, bytes], *, team: Team | None = None) -> Plan:
    """Checks the files and, when every row is good, writes them: in one transaction that
    holds the history-import lock, so two imports at once run one after the other and the
    second answers as a repeat (nothing written twice, no error)."""
    with transaction.atomic():
        locks.hold("history-import")
        plan = check(files, team=team)
        if plan.ok:
            write(plan)
    return plan


def read_folder(folder: Path) -> dict[str, bytes]:
    """The known files present in the folder (every file is optional)."""
    return {name: (folder / name).read_bytes() for name in FILES if (folder / name).is_file()}
