"""Each lead's stage entry times (metrics.models.StageEntry), written from its events in one
set-based statement (INSERT ... SELECT, replacing the rows already there), in the
transaction of the event: a save of an activity, a handoff, an opportunity or a lead
(metrics.signals), the history import and the demo for what they write in bulk."""

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
            (lead_id, working_at, connected_at, handed_off_at, opportunity_at, won_at)
        SELECT l.id,
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
