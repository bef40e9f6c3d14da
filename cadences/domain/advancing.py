"""The nightly advance as a few set-based statements, the same on PostgreSQL and SQLite.

Each statement touches every enrollment concerned at once, whatever their number:
- skipping the due steps whose checklist items are all known (one INSERT ... SELECT),
- marking done the due call and task steps of leads touched since they fell due (one
  INSERT ... SELECT, connected when a call got through),
- resuming the paused enrollments whose day has come (one UPDATE ... FROM),
- moving on every active enrollment whose current step has run (one UPDATE ... FROM), and
  finishing those with no step left (one UPDATE).

The calendar stays in Python, where `scheduling.Window` has it: when a step falls due depends
only on the moment of the advance, the team (its working days and sending window), the next
step's offset and the lead's time zone. A first query reads the distinct (team, version, step,
zone) groups present, typically a few dozen; their due moments are worked out once each and
given to the UPDATE as a small VALUES table it joins. So the statements grow with the number
of distinct groups, never with the number of enrollments.
"""

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection
from django.utils.translation import gettext as _

from leads.models import Activity, Lead, QualificationAnswer, QualificationStatus
from sdr_ops.models import Team

from ..models import Enrollment, Step, StepRun
from ..scheduling import lead_zone

E = Enrollment._meta.db_table
R = StepRun._meta.db_table
S = Step._meta.db_table
L = Lead._meta.db_table
A = Activity._meta.db_table
Q = QualificationAnswer._meta.db_table
ACTIVE, PAUSED, FINISHED = (Enrollment.State.ACTIVE, Enrollment.State.PAUSED, "finished")
# The current step has a run (done, skipped or sent): the enrollment moves on.
RAN = f"""EXISTS (SELECT 1 FROM {R} r JOIN {S} rs ON rs.id = r.step_id
                  WHERE r.enrollment_id = e.id AND rs.position = e.step)"""
# A step of the enrollment's version at its current position.
CURRENT_STEP = f"JOIN {S} st ON st.version_id = e.version_id AND st.position = e.step"
NOT_RUN = f"NOT EXISTS (SELECT 1 FROM {R} r WHERE r.enrollment_id = e.id AND r.step_id = st.id)"
ANALYZE_AFTER = 10_000  # step runs written by one advance before the statistics are refreshed
RUN_COLUMNS = "enrollment_id, step_id, outcome, reason, variant_id, message_id, connected, at"


def _adapt(value):
    return connection.ops.adapt_datetimefield_value(value)


def _execute(sql: str, params: Sequence = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        if cursor.rowcount < 0 and connection.vendor == "sqlite":
            # Python's sqlite3 gives no row count for a statement that starts with WITH.
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return cursor.rowcount


def _fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()


def _values(name: str, columns: Sequence[str], rows: Iterable[Sequence]) -> tuple[str, list]:
    """`name (columns) AS (VALUES ...)` for a WITH clause, and its parameters."""
    rows = list(rows)
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = f"{name} ({', '.join(columns)}) AS (VALUES {', '.join([row] * len(rows))})"
    return sql, [value for r in rows for value in r]


def _only(ids: Iterable[int] | None) -> str:
    """The restriction to some enrollments (ids written as integers, so any number fits)."""
    if ids is None:
        return ""
    return f"AND e.id IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"


def skip_known(now: datetime.datetime) -> int:
    """Records as skipped, with that reason, the due steps whose items are all known."""
    aims = [
        (pk, item)
        for pk, items in Step.objects.filter(
            version_id__in=Enrollment.objects.filter(state=ACTIVE, next_due__lte=now).values(
                "version_id"
            )
        ).values_list("pk", "aims_at")
        for item in dict.fromkeys(items or [])
    ]
    if not aims:
        return 0
    with_aims, params = _values("aims", ["step_id", "item"], aims)
    sql = f"""
        WITH {with_aims}
        INSERT INTO {R} ({RUN_COLUMNS})
        SELECT e.id, st.id, %s, %s, NULL, '', %s, %s
        FROM {E} e {CURRENT_STEP}
        WHERE e.state = %s AND e.next_due <= %s
          AND st.id IN (SELECT step_id FROM aims)
          AND NOT EXISTS (
              SELECT 1 FROM aims a WHERE a.step_id = st.id AND NOT EXISTS (
                  SELECT 1 FROM {Q} qa WHERE qa.lead_id = e.lead_id AND qa.item = a.item
                    AND qa.status <> %s))
          AND {NOT_RUN}
        ON CONFLICT DO NOTHING
    """
    reason = _("Every item it asks is known already.")[:200]
    return _execute(
        sql,
        [
            *params,
            StepRun.Outcome.SKIPPED,
            reason,
            False,
            _adapt(now),
            ACTIVE,
            _adapt(now),
            QualificationStatus.UNKNOWN,
        ],
    )


def mark_touched_done(now: datetime.datetime) -> int:
    """Records as done the due call and task steps of leads touched since they fell due,
    connected when a call got through."""
    touched = f"SELECT 1 FROM {A} a WHERE a.lead_id = e.lead_id AND a.started_at >= e.next_due"
    sql = f"""
        INSERT INTO {R} ({RUN_COLUMNS})
        SELECT e.id, st.id, %s, '', NULL, '',
               EXISTS ({touched} AND a.type = %s AND a.outcome = %s), %s
        FROM {E} e {CURRENT_STEP}
        WHERE e.state = %s AND e.next_due <= %s AND st.type IN (%s, %s)
          AND EXISTS ({touched})
          AND {NOT_RUN}
        ON CONFLICT DO NOTHING
    """
    return _execute(
        sql,
        [
            StepRun.Outcome.DONE,
            Activity.Type.CALL,
            Activity.Outcome.CONNECTED,
            _adapt(now),
            ACTIVE,
            _adapt(now),
            Step.Type.CALL,
            Step.Type.TASK,
        ],
    )


def tune(written: int) -> None:
    """On PostgreSQL, inside the advance's transaction: no JIT (each statement runs once, for
    seconds: compiling costs more than it saves), and fresh statistics of the step runs when
    the statements above wrote many, so that the move joins them by hash rather than looking
    each enrollment up by its key (a plan made for the table's size before the night)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        if written >= ANALYZE_AFTER:
            cursor.execute(f"ANALYZE {R}")


def _teams(team_ids: Iterable[int]) -> dict[int, Team]:
    return {t.pk: t for t in Team.objects.filter(pk__in=set(team_ids))}


def move_on(now: datetime.datetime, ids: Iterable[int] | None = None) -> dict[str, int]:
    """Moves every active enrollment (among `ids` when given) whose current step has run to
    its next step, due by the calendar, or finishes it `no_more_steps` when none is left."""
    from .enrolment import window_for

    only = _only(ids)
    groups = _fetch(
        f"""SELECT DISTINCT e.team_id, e.version_id, e.step, l.time_zone
            FROM {E} e JOIN {L} l ON l.id = e.lead_id
            WHERE e.state = %s AND e.step < e.steps AND {RAN} {only}""",
        [ACTIVE],
    )
    finished = _execute(
        f"""UPDATE {E} AS e SET state = %s, finish_reason = %s, finished_at = %s,
                   next_due = NULL, remaining_days = NULL, resume_on = NULL
            WHERE e.state = %s AND e.step >= e.steps AND {RAN} {only}""",
        [FINISHED, Enrollment.Reason.NO_MORE_STEPS, _adapt(now), ACTIVE],
    )
    if not groups:
        return {"moved": 0, "finished": finished}
    teams = _teams(team for team, *_rest in groups)
    windows = {pk: window_for(team) for pk, team in teams.items()}
    offsets = {
        (v, p): o
        for v, p, o in Step.objects.filter(
            version_id__in={version for _t, version, _s, _z in groups}
        ).values_list("version_id", "position", "offset_days")
    }
    rows = []
    for team_id, version_id, step, zone in groups:
        due = windows[team_id].due(
            now, offsets[(version_id, step + 1)], lead_zone(zone, teams[team_id].zone)
        )
        rows.append((team_id, version_id, step, zone, _adapt(due)))
    with_dues, params = _values("dues", ["team_id", "version_id", "step", "zone", "due"], rows)
    moved = _execute(
        f"""WITH {with_dues}
            UPDATE {E} AS e SET step = e.step + 1, next_due = dues.due
            FROM dues, {L} l
            WHERE l.id = e.lead_id AND dues.team_id = e.team_id
              AND dues.version_id = e.version_id AND dues.step = e.step
              AND dues.zone = l.time_zone
              AND e.state = %s AND e.step < e.steps AND {RAN} {only}""",
        [*params, ACTIVE],
    )
    return {"moved": moved, "finished": finished}


def resume_due(now: datetime.datetime) -> list[int]:
    """Resumes the paused enrollments whose day to resume has come in their team's zone, their
    next step due after the working days they had left; returns their ids."""
    from .enrolment import window_for

    team_ids = list(
        Enrollment.objects.filter(state=PAUSED, resume_on__isnull=False)
        .values_list("team_id", flat=True)
        .distinct()
    )
    if not team_ids:
        return []
    teams = _teams(team_ids)
    with_days, day_params = _values(
        "days",
        ["team_id", "today"],
        [(pk, now.astimezone(team.zone).date()) for pk, team in teams.items()],
    )
    waking = f"""FROM {E} e JOIN {L} l ON l.id = e.lead_id JOIN days d ON d.team_id = e.team_id
                 WHERE e.state = %s AND e.resume_on IS NOT NULL AND e.resume_on <= d.today"""
    rows = _fetch(
        f"""WITH {with_days} SELECT e.id, e.team_id, COALESCE(e.remaining_days, 0), l.time_zone
            {waking}""",
        [*day_params, PAUSED],
    )
    if not rows:
        return []
    windows = {pk: window_for(team) for pk, team in teams.items()}
    dues = {}
    for _pk, team_id, remaining, zone in rows:
        if (team_id, remaining, zone) not in dues:
            zone_of = lead_zone(zone, teams[team_id].zone)
            dues[(team_id, remaining, zone)] = _adapt(windows[team_id].due(now, remaining, zone_of))
    with_dues, due_params = _values(
        "dues", ["team_id", "remaining", "zone", "due"], [(*k, d) for k, d in dues.items()]
    )
    ids = [pk for pk, *_rest in rows]
    _execute(
        f"""WITH {with_dues}
            UPDATE {E} AS e SET state = %s, next_due = dues.due, remaining_days = NULL,
                   resume_on = NULL
            FROM dues, {L} l
            WHERE l.id = e.lead_id AND dues.team_id = e.team_id
              AND dues.remaining = COALESCE(e.remaining_days, 0) AND dues.zone = l.time_zone
              AND e.state = %s {_only(ids)}""",
        [*due_params, ACTIVE, PAUSED],
    )
    return ids
