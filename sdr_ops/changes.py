"""Each team's data version: a number that grows with every committed write a team's pages show.

A page's fragments are cached under the version of the viewer's team (sdr_ops.fragments), so
the version must move with every write path there is: the ORM's saves and deletes, its bulk
paths, `QuerySet.update`, the set-based `INSERT ... SELECT` of the nightly build and the
imports, raw SQL. The database keeps it, with triggers on every table of the project's apps
(installed by the migration and again after every migrate, since SQLite drops a table's
triggers when a migration rebuilds it).

`TABLES` says, for every model of the project, through which relations a row of it belongs to
a team: a path of foreign keys (or a reverse relation) ending at the team, or at a person,
who belongs to every team one of their staffing records names (every one, not just today's,
so that a date boundary or a move between teams can never leave a page stale). `UNSHOWN`
names the models no page shows. A test fails on a model in neither.

The version is the sum of the `weight` of the team's `ChangeMark` rows.

- On PostgreSQL one statement-level trigger per table and event (with its transition table)
  writes one mark per team the statement touched, keyed by the transaction's id: the first
  statement inserts it, each later one of the same transaction adds 1 to it
  (`ON CONFLICT ... DO UPDATE`). No two transactions touch the same row, so no write ever
  waits for another's commit to bump a version (a counter row would serialize every writer
  of a team until the slowest one, an import say, committed); and a transaction reading after
  its own write sees its version moved. A mark becomes visible to others when its
  transaction commits, so the sum grows with each commit of a write to the team, and never
  otherwise. `compact()` (every ten minutes, `sdr_ops.compact_change_marks`) folds a team's
  committed marks into one with their summed weight, in one statement: the sum a reader sees
  is the same before and after.
- On SQLite, whose writers take turns anyway, a row-level trigger adds 1 to the team's one
  row for every row written.

A reader reads the version before the data (the user's team is loaded with it, sdr_ops.auth),
so what it renders is never older than the version it is stored under.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection, connections, models

# Every model of the project's apps, by label: the paths through which its rows belong to teams.
# A path is a chain of relation names; "" is the row itself (a team, or a person), "*" every team.
TABLES: dict[str, tuple[str, ...]] = {
    # A team's or a person's name, an AE's capacity and free hours are shown to other teams
    # (the handoff's AE on an SDR's pages, the valve, the meeting slots): every team moves.
    # Such writes are rare (a sign-in writes the person's row: once a day, say).
    "sdr_ops.Team": ("*",),
    "sdr_ops.TeamDayOff": ("team",),
    "sdr_ops.User": ("*",),
    "sdr_ops.StaffingRecord": ("team", "person"),
    "sdr_ops.Notification": ("user",),
    "sdr_ops.AuditEvent": ("actor", "lead_id>leads.Lead.owner"),
    "sdr_ops.ApiToken": ("user",),
    "leads.Account": ("leads__owner",),
    "leads.Lead": ("owner",),
    "leads.StageChange": ("lead__owner", "by"),
    "leads.Activity": ("lead__owner", "sdr"),
    "leads.QualificationAnswer": ("lead__owner", "updated_by"),
    "leads.QualificationChange": ("lead__owner", "by"),
    "leads.CallListRule": ("team",),
    "leads.CallList": ("team", "sdr"),
    "leads.CallListEntry": ("call_list__team", "lead__owner"),
    "leads.CallListRemoval": ("call_list__team", "lead__owner"),
    "leads.Task": ("lead__owner", "sdr"),
    "leads.CallListBuild": ("team",),
    "leads.Insight": ("lead__owner", "sdr"),
    "leads.ImportJob": ("team", "created_by"),
    "leads.LeadScore": ("lead__owner",),
    "handoffs.Handoff": ("lead__owner", "sdr", "ae", "overridden_by"),
    "handoffs.Opportunity": ("handoff__lead__owner", "handoff__sdr", "handoff__ae"),
    "handoffs.Capacity": ("*",),
    "handoffs.CapacityReduction": ("*",),
    "handoffs.Review": ("handoff__lead__owner", "handoff__sdr", "handoff__ae", "manager"),
    # The praise wall is read across departments.
    "handoffs.PraisePost": ("*",),
    "handoffs.PraiseReaction": ("*",),
    "handoffs.CoachingNote": ("sdr", "manager"),
    "metrics.WeeklyRollup": ("team",),
    "metrics.SdrWeeklyRollup": ("team", "person"),
    "metrics.MailSent": ("person",),
    "metrics.Alert": ("team",),
    "metrics.StageEntry": ("lead__owner", "owner"),
    "telephony.PhoneSystem": ("team",),
    "telephony.Extension": ("team", "user"),
    "telephony.Call": ("team", "lead__owner", "sdr"),
    "telephony.CallEvent": ("team",),
    "telephony.LeadNumber": ("lead__owner",),
    "meetings.Availability": ("*",),
    "meetings.WorkingHours": ("*",),
    "meetings.Meeting": ("handoff__lead__owner", "handoff__sdr", "ae", "booked_by"),
    "certainty.CertaintySettings": ("team",),
    "certainty.ModelVersion": ("team", "trained_by"),
    "cadences.CadenceSettings": ("team",),
    "cadences.Cadence": ("team",),
    "cadences.CadenceVersion": ("cadence__team",),
    "cadences.Step": ("version__cadence__team",),
    "cadences.EmailVariant": ("step__version__cadence__team",),
    "cadences.VariantPreview": ("cadence__team", "lead__owner"),
    "cadences.Enrollment": ("team", "lead__owner", "sdr"),
    "cadences.StepRun": ("enrollment__team", "enrollment__lead__owner"),
    "cadences.Mailbox": ("team", "sdr"),
    "cadences.Suppression": ("*",),
    "cadences.Audience": ("team", "owner"),
}

# Models no page shows (the outbox's queue, the digests' send log, the marks themselves).
UNSHOWN = {"sdr_ops.OutboxMessage", "sdr_ops.ChangeMark", "handoffs.DigestSent"}

PROJECT_APPS = (
    "sdr_ops",
    "leads",
    "handoffs",
    "metrics",
    "telephony",
    "meetings",
    "certainty",
    "cadences",
)

PREFIX = "sdr_mark"


def _mark_table() -> str:
    return apps.get_model("sdr_ops", "ChangeMark")._meta.db_table


def _staffing() -> str:
    return apps.get_model("sdr_ops", "StaffingRecord")._meta.db_table


def _teams_of(model, path: str, rows: str) -> str:
    """A SELECT of the team ids the rows (a table or derived table named `rows`) belong to."""
    team_model = apps.get_model("sdr_ops", "Team")
    user_model = apps.get_model("sdr_ops", "User")
    if path == "*":
        return f"SELECT id AS team_id FROM {team_model._meta.db_table}"
    joins: list[str] = []
    alias, current = "r", model
    # the id column of the model reached so far: the row's own id to start with
    expr = f"r.{model._meta.pk.column}"
    steps = [s for s in path.split("__") if s]
    for i, step in enumerate(steps):
        if ">" in step:  # a plain id column naming another model's row: "lead_id>leads.Lead.owner"
            column, target = step.split(">")
            label, _, rest = target.rpartition(".") if target.count(".") > 1 else (target, "", "")
            app_label, model_name = label.split(".")
            target_model = apps.get_model(app_label, model_name)
            source = f"{alias}.{column}"
            following = ([rest] if rest else []) + steps[i + 1 :]
            nested = _teams_of_expr(target_model, following, source, joins, len(joins))
            return _select(rows, joins, nested)
        field = current._meta.get_field(step)
        if field.many_to_one or field.one_to_one and field.concrete:
            target = field.related_model
            expr_next = f"{alias}.{field.column}"
            if i + 1 < len(steps) or target not in (team_model, user_model):
                new = f"j{len(joins)}"
                joins.append(
                    f"JOIN {target._meta.db_table} {new} ON {new}.{target._meta.pk.column} = "
                    f"{expr_next}"
                )
                alias, expr = new, f"{new}.{target._meta.pk.column}"
            else:
                expr = expr_next
            current = target
        elif field.one_to_many or (field.one_to_one and not field.concrete):
            target = field.related_model
            new = f"j{len(joins)}"
            joins.append(
                f"JOIN {target._meta.db_table} {new} ON {new}.{field.field.column} = "
                f"{alias}.{current._meta.pk.column}"
            )
            alias, expr, current = new, f"{new}.{target._meta.pk.column}", target
        else:
            raise ValueError(f"{model._meta.label}: {step} is not a relation")
    if current is team_model:
        return _select(rows, joins, expr)
    if current is user_model:
        joins.append(f"JOIN {_staffing()} s ON s.person_id = {expr}")
        return _select(rows, joins, "s.team_id")
    raise ValueError(f"{model._meta.label}: {path} ends at neither a team nor a person")


def _teams_of_expr(model, steps, source, joins, n) -> str:
    """The team id expression for the id `source` of a `model` row, following `steps`."""
    team_model = apps.get_model("sdr_ops", "Team")
    user_model = apps.get_model("sdr_ops", "User")
    alias = f"j{len(joins)}"
    joins.append(
        f"JOIN {model._meta.db_table} {alias} ON {alias}.{model._meta.pk.column} = {source}"
    )
    current = model
    for step in steps:
        field = current._meta.get_field(step)
        target = field.related_model
        new = f"j{len(joins)}"
        joins.append(
            f"JOIN {target._meta.db_table} {new} ON {new}.{target._meta.pk.column} = "
            f"{alias}.{field.column}"
        )
        alias, current = new, target
    expr = f"{alias}.{current._meta.pk.column}"
    if current is team_model:
        return expr
    if current is user_model:
        joins.append(f"JOIN {_staffing()} s ON s.person_id = {expr}")
        return "s.team_id"
    raise ValueError(f"{model._meta.label}: ends at neither a team nor a person")


def _select(rows: str, joins: list[str], expr: str) -> str:
    return f"SELECT {expr} AS team_id FROM {rows} r {' '.join(joins)}"


def teams_query(model, rows: str) -> str:
    """A SELECT of every team id the rows of `model` (the table or derived table `rows`)
    belong to, through each of the model's paths (with repeats)."""
    return " UNION ALL ".join(_teams_of(model, p, rows) for p in TABLES[model._meta.label])


def _models():
    for label in TABLES:
        app_label, name = label.split(".")
        yield apps.get_model(app_label, name)


def _columns_used(model) -> list[str]:
    """The model's columns a path starts from (for SQLite's one-row derived table)."""
    columns = {model._meta.pk.column}
    for path in TABLES[model._meta.label]:
        if path in ("", "*"):
            continue
        first = path.split("__")[0]
        if ">" in first:
            columns.add(first.split(">")[0])
            continue
        field = model._meta.get_field(first)
        columns.add(field.column if field.concrete else model._meta.pk.column)
    return sorted(columns)


def _postgresql(model) -> list[str]:
    table, mark = model._meta.db_table, _mark_table()
    statements = []
    for event, refs, sources in (
        ("insert", "NEW TABLE AS n", ("n",)),
        ("update", "OLD TABLE AS o NEW TABLE AS n", ("o", "n")),
        ("delete", "OLD TABLE AS o", ("o",)),
    ):
        name = f"{PREFIX}_{table}_{event}"[:63]
        teams = " UNION ".join(teams_query(model, s) for s in sources)
        statements += [
            f"""CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                INSERT INTO {mark} (team_id, xid, weight)
                SELECT DISTINCT t.team_id, txid_current(), 1
                FROM ({teams}) t (team_id) WHERE t.team_id IS NOT NULL
                ON CONFLICT (team_id, xid) DO UPDATE SET weight = {mark}.weight + 1;
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"""CREATE OR REPLACE TRIGGER {name} AFTER {event.upper()} ON {table}
            REFERENCING {refs} FOR EACH STATEMENT EXECUTE FUNCTION {name}()""",
        ]
    return statements


def _sqlite(model) -> list[str]:
    table, mark = model._meta.db_table, _mark_table()
    columns = _columns_used(model)

    def row(prefix: str) -> str:
        return "(SELECT " + ", ".join(f"{prefix}.{c} AS {c}" for c in columns) + ")"

    statements = []
    for event, sources in (
        ("insert", ("NEW",)),
        ("update", ("OLD", "NEW")),
        ("delete", ("OLD",)),
    ):
        name = f"{PREFIX}_{table}_{event}"
        teams = " UNION ".join(teams_query(model, row(s)) for s in sources)
        statements.append(
            f"""CREATE TRIGGER IF NOT EXISTS {name} AFTER {event.upper()} ON {table}
            FOR EACH ROW BEGIN
                INSERT INTO {mark} (team_id, xid, weight)
                SELECT t.team_id, 0, 1 FROM ({teams}) t WHERE t.team_id IS NOT NULL
                ON CONFLICT (team_id, xid) DO UPDATE SET weight = weight + 1;
            END"""
        )
    return statements


def install_triggers(using: str = "default") -> None:
    """Creates (or replaces) the triggers of every table in TABLES that exists."""
    db = connections[using]
    if db.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(db.introspection.table_names())
    if _mark_table() not in tables:
        return  # before the migration that adds the marks
    with db.cursor() as cursor:
        for model in _models():
            if model._meta.db_table not in tables:
                continue
            for statement in _postgresql(model) if db.vendor == "postgresql" else _sqlite(model):
                cursor.execute(statement)


def drop_triggers(using: str = "default") -> None:
    db = connections[using]
    if db.vendor not in ("postgresql", "sqlite"):
        return
    tables = set(db.introspection.table_names())
    with db.cursor() as cursor:
        for model in _models():
            table = model._meta.db_table
            if table not in tables:
                continue
            for event in ("insert", "update", "delete"):
                name = f"{PREFIX}_{table}_{event}"
                if db.vendor == "postgresql":
                    name = name[:63]
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                    cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def after_migrate(using: str = "default") -> None:
    """Puts the triggers back and moves every team's version on (a migration may write)."""
    db = connections[using]
    if db.vendor not in ("postgresql", "sqlite"):
        return
    if _mark_table() not in db.introspection.table_names():
        return
    drop_triggers(using)  # SQLite's CREATE TRIGGER cannot replace one
    install_triggers(using)
    bump_all(using)


def bump_all(using: str = "default") -> None:
    """Moves every team's version on (after a write no trigger saw)."""
    db = connections[using]
    team = apps.get_model("sdr_ops", "Team")._meta.db_table
    xid = "txid_current()" if db.vendor == "postgresql" else "0"
    with db.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {_mark_table()} (team_id, xid, weight)
            SELECT id, {xid}, 1 FROM {team} WHERE true
            ON CONFLICT (team_id, xid) DO UPDATE SET weight = {_mark_table()}.weight + 1"""
        )


def version(team_ids: Iterable[int]) -> int:
    """The summed data version of the teams (a page that shows several)."""
    ids = sorted(set(team_ids))
    if not ids:
        return 0
    mark = apps.get_model("sdr_ops", "ChangeMark")
    return mark.objects.filter(team_id__in=ids).aggregate(v=models.Sum("weight"))["v"] or 0


def version_of_team_expression(team_ref: str = "team_id"):
    """An expression of the data version of the team `team_ref` names, to annotate a query."""
    from django.db.models import OuterRef, Subquery, Sum
    from django.db.models.functions import Coalesce

    mark = apps.get_model("sdr_ops", "ChangeMark")
    summed = (
        mark.objects.filter(team_id=OuterRef(team_ref))
        .order_by()
        .values("team_id")
        .annotate(v=Sum("weight"))
        .values("v")
    )
    return Coalesce(Subquery(summed, output_field=models.BigIntegerField()), 0)


def compact() -> int:
    """Folds each team's committed marks into one (PostgreSQL); the sums are unchanged."""
    if connection.vendor != "postgresql":
        return 0
    mark = _mark_table()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH gone AS (
                    DELETE FROM {mark} WHERE team_id IN (
                        SELECT team_id FROM {mark} GROUP BY team_id HAVING count(*) > 1)
                    RETURNING team_id, weight)
                INSERT INTO {mark} (team_id, xid, weight)
                SELECT team_id, txid_current(), sum(weight) FROM gone GROUP BY team_id
                ON CONFLICT (team_id, xid) DO UPDATE SET weight = {mark}.weight + excluded.weight"""
        )
        return cursor.rowcount
