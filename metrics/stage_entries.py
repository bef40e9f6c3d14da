"""Each lead's stage entry times (metrics.models.StageEntry), written from its events in one
set-based statement (INSERT ... SELECT, replacing the rows already there), in the
transaction of the event: a save of an activity, a handoff, an opportunity or a lead
(metrics.signals), the history import and the demo for what they write in bulk.

The lead's own columns on the row (owner, creation time, source) are the database's to keep: the
triggers below insert the row with each new lead and follow every change of its owner or
creation time or source, so a bulk create or an UPDATE of many leads keeps them too. They are
installed by the migration and again after every migrate (metrics.apps), since SQLite drops
a table's triggers when a migration rebuilds the table."""

from collections.abc import Iterable

from django.db import connection

from handoffs.models import Handoff, Opportunity
from leads.models import Activity, Lead

from .models import StageEntry

CHUNK = 5000


def _statement(where: str) -> str:
    lead, act = Lead._meta.db_table, Activity._meta.db_table
    handoff, opp = Handoff._meta.db_table, Opportunity._meta.db_table
    return f"""
        INSERT INTO {StageEntry._meta.db_table}
            (lead_id, owner_id, created_at, source,
             working_at, connected_at, handed_off_at, opportunity_at, won_at)
        SELECT l.id, l.owner_id, l.created_at, l.source,
            (SELECT min(a.started_at) FROM {act} a WHERE a.lead_id = l.id),
            (SELECT min(a.started_at) FROM {act} a
             WHERE a.lead_id = l.id AND a.type = 'call' AND a.outcome = 'connected'),
            (SELECT min(h.created_at) FROM {handoff} h WHERE h.lead_id = l.id),
            (SELECT min(h.decided_at) FROM {handoff} h
             WHERE h.lead_id = l.id AND h.status = 'accepted'),
            (SELECT min(o.closed_at) FROM {opp} o JOIN {handoff} h ON h.id = o.handoff_id
             WHERE h.lead_id = l.id AND o.status = 'won')
        FROM {lead} l
        WHERE {where}
        ON CONFLICT (lead_id) DO UPDATE SET
            owner_id = excluded.owner_id,
            created_at = excluded.created_at,
            source = excluded.source,
            working_at = excluded.working_at,
            connected_at = excluded.connected_at,
            handed_off_at = excluded.handed_off_at,
            opportunity_at = excluded.opportunity_at,
            won_at = excluded.won_at
    """


def refresh(lead_ids: Iterable[int]) -> None:
    """Writes the entry times of the leads from their events."""
    ids = sorted(set(lead_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            cursor.execute(_statement(f"l.id IN ({', '.join(['%s'] * len(chunk))})"), chunk)


def refresh_all() -> None:
    """Writes the entry times of every lead (after a bulk write, and the migration)."""
    with connection.cursor() as cursor:
        cursor.execute(_statement("1 = 1"))


def _triggers(vendor: str) -> list[str]:
    lead, entry = Lead._meta.db_table, StageEntry._meta.db_table
    upsert = f"""INSERT INTO {entry} (lead_id, owner_id, created_at, source)
        VALUES (NEW.id, NEW.owner_id, NEW.created_at, NEW.source)
        ON CONFLICT (lead_id) DO UPDATE SET owner_id = excluded.owner_id,
            created_at = excluded.created_at, source = excluded.source"""
    follow = f"""UPDATE {entry}
        SET owner_id = NEW.owner_id, created_at = NEW.created_at, source = NEW.source
        WHERE lead_id = NEW.id"""
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {entry}_of_lead() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'INSERT' THEN {upsert};
                ELSE {follow};
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"""CREATE OR REPLACE TRIGGER {entry}_lead_inserted AFTER INSERT ON {lead}
            FOR EACH ROW EXECUTE FUNCTION {entry}_of_lead()""",
            f"""CREATE OR REPLACE TRIGGER {entry}_lead_moved
            AFTER UPDATE OF owner_id, created_at, source ON {lead}
            FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id
                               OR OLD.created_at IS DISTINCT FROM NEW.created_at
                               OR OLD.source IS DISTINCT FROM NEW.source)
            EXECUTE FUNCTION {entry}_of_lead()""",
        ]
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {entry}_lead_inserted AFTER INSERT ON {lead}
        FOR EACH ROW BEGIN {upsert}; END""",
        f"""CREATE TRIGGER IF NOT EXISTS {entry}_lead_moved
        AFTER UPDATE OF owner_id, created_at, source ON {lead}
        FOR EACH ROW BEGIN {follow}; END""",
    ]


def install_triggers(using: str = "default") -> None:
    """Creates (or replaces) the triggers that keep the lead's columns of its row."""
    from django.db import connections

    db = connections[using]
    if db.vendor not in ("postgresql", "sqlite"):
        return
    tables = db.introspection.table_names()
    if Lead._meta.db_table not in tables or StageEntry._meta.db_table not in tables:
        return
    with db.cursor() as cursor:
        table = StageEntry._meta.db_table
        columns = {c.name for c in db.introspection.get_table_description(cursor, table)}
        if "owner_id" not in columns:
            return  # before the migration that adds them
        for statement in _triggers(db.vendor):
            cursor.execute(statement)


def drop_triggers(using: str = "default") -> None:
    from django.db import connections

    db = connections[using]
    entry, lead = StageEntry._meta.db_table, Lead._meta.db_table
    with db.cursor() as cursor:
        for name in ("lead_inserted", "lead_moved"):
            on = f" ON {lead}" if db.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS {entry}_{name}{on}")
        if db.vendor == "postgresql":
            cursor.execute(f"DROP FUNCTION IF EXISTS {entry}_of_lead()")
