"""Bulk writes of the organisation's own tables for the history import: teams, people and
their staffing records (`staff.csv`), and who the rest of the import may name.

A manager's upload touches their own team only: a staffing record on that team, as an SDR, for
someone not yet in the organisation or already on the team. Moving people between teams and
creating anyone else (a manager, an AE, a stakeholder) is for admins.
"""

import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .csvfiles import Checker, model_fields
from .models import Role, StaffingRecord, StaffingRole, Team, User

STAFF_COLUMNS = ["email", "name", "role", "team", "start_date", "end_date", "reason"]
STAFF_REQUIRED = ["email", "role", "team", "start_date"]
STAFF_FIELDS = (
    model_fields(User, "email", name="first_name")
    | model_fields(Team, team="slug")
    | model_fields(StaffingRecord, "reason")
)
BATCH = 5000
STAFFING_ROLES = StaffingRole.values
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@dataclass
class People:
    """Who the rest of an import may name: the people in the app and in staff.csv, with their
    roles and time zones; for a manager's upload, the team and its SDRs."""

    team: Team | None = None
    zone_of: dict[str, zoneinfo.ZoneInfo] = field(default_factory=dict)
    roles_of: dict[str, set[str]] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    active_aes: set[str] = field(default_factory=set)
    team_sdrs: set[str] = field(default_factory=set)

    def zone(self, email: str) -> zoneinfo.ZoneInfo:
        return self.zone_of.get(email.lower()) or zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def is_sdr(self, email: str) -> bool:
        return StaffingRole.SDR in self.roles_of.get(email, set())

    def in_scope(self, email: str) -> bool:
        """True when the person is one a manager's upload may name as an SDR (always true
        for an admin's)."""
        return self.team is None or email in self.team_sdrs

    def outside_team(self, c: Checker, column: str, email: str) -> None:
        if email and not self.in_scope(email):
            c.error(column, _("not an SDR of %(team)s") % {"team": self.team.slug})


def check_staff(
    rows: list[tuple[int, dict]], c: Checker, *, team: Team | None
) -> tuple[list[dict], People]:
    """Checks the rows of staff.csv; `team` is the manager's team (None for an admin).
    Returns the good rows and who the other files may name."""
    people = People(team=team)
    teams = {t.slug: t for t in Team.objects.all()}
    default_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    team_now: dict[str, str] = {}
    today = timezone.localdate()
    for record in StaffingRecord.objects.select_related("person", "team").order_by("-start_date"):
        email = record.person.email
        people.zone_of.setdefault(email, record.team.zone)
        people.roles_of.setdefault(email, set()).add(record.role)
        if record.start_date <= today and (record.end_date is None or record.end_date >= today):
            team_now.setdefault(email, record.team.slug)
    people.known = set(User.objects.values_list("email", flat=True))
    people.active_aes = set(
        User.objects.filter(role=Role.AE, is_active=True).values_list("email", flat=True)
    )
    if team is not None:
        people.team_sdrs = set(
            StaffingRecord.objects.filter(team=team, role=StaffingRole.SDR).values_list(
                "person__email", flat=True
            )
        )
    in_app = set(people.known)
    good = []
    for line, v in rows:
        c.at(line).required(v, STAFF_REQUIRED)
        c.cells(v, STAFF_FIELDS)
        email = c.email(v, "email")
        if v["team"] and not SLUG.fullmatch(v["team"]):
            c.error("team", _("a team slug: letters, digits, - and _ only"), v["team"])
        role = c.choice(v, "role", STAFFING_ROLES)
        start, end = c.date(v, "start_date"), c.date(v, "end_date")
        if start and end and end < start:
            c.error("end_date", _("before the start date"))
        if team is not None:
            _check_managers_row(c, v, email, role, team, team_now, in_app)
        if not c.bad:
            fields = {"role": role, "start_date": start, "end_date": end, "reason": v["reason"]}
            good.append({**v, "email": email, "fields": fields})
            zone = teams[v["team"]].zone if v["team"] in teams else default_zone
            people.zone_of.setdefault(email, zone)
            people.roles_of.setdefault(email, set()).add(role)
            people.known.add(email)
            if role == StaffingRole.AE and not end:
                people.active_aes.add(email)
            if team is not None and role == StaffingRole.SDR:
                people.team_sdrs.add(email)
    return good, people


def _check_managers_row(
    c: Checker,
    v: dict,
    email: str,
    role: str,
    team: Team,
    team_now: dict[str, str],
    known: set[str],
) -> None:
    if v.get("team") and v["team"] != team.slug:
        c.error("team", _("you can import the history of %(team)s only") % {"team": team.slug})
    if role and role != StaffingRole.SDR:
        c.error("role", _("only an admin can import people who are not SDRs"))
    if email and email in team_now and team_now[email] != team.slug:
        c.error("email", _("on another team: only an admin can move people between teams"))
    elif email and email not in team_now and email in known:
        c.error("email", _("already in SDR Ops: only an admin can add them to a team"))


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.strip().partition(" ")
    return first, last


def write_staff(rows: list[dict]) -> tuple[dict[str, User], int]:
    """Writes checked staff rows in bulk: teams not there yet (named after their slug),
    people not there yet (without a usable password: they choose one through the password
    reset form), and staffing records not there yet. Returns every user by e-mail and the
    number of staffing records written."""
    kind_for = {"ae": Team.Kind.SALES, "stakeholder": Team.Kind.OTHER}
    teams = {t.slug: t for t in Team.objects.all()}
    for row in rows:
        if row["team"] not in teams:
            teams[row["team"]] = Team.objects.create(
                slug=row["team"],
                name=row["team"].replace("-", " ").title(),
                kind=kind_for.get(row["role"], Team.Kind.SDR),
            )
    users = {u.email: u for u in User.objects.all()}
    new_users = {}
    for row in rows:
        if row["email"] not in users and row["email"] not in new_users:
            first, last = _split_name(row.get("name", ""))
            user = User(
                email=row["email"],
                first_name=first,
                last_name=last,
                role=row["role"] if row["role"] in Role.values else Role.SDR,
            )
            user.set_unusable_password()
            new_users[row["email"]] = user
    User.objects.bulk_create(new_users.values(), batch_size=BATCH)
    users.update(new_users)
    existing = set(StaffingRecord.objects.values_list("person__email", "team__slug", "start_date"))
    records = []
    for row in rows:
        key = (row["email"], row["team"], row["fields"]["start_date"])
        if key in existing:
            continue
        existing.add(key)
        records.append(
            StaffingRecord(person=users[row["email"]], team=teams[row["team"]], **row["fields"])
        )
    return users, add_staffing(records)


def add_staffing(records: list[StaffingRecord]) -> int:
    """Writes staffing records in bulk."""
    StaffingRecord.objects.bulk_create(records, batch_size=BATCH)
    return len(records)
