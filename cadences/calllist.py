"""Due call and task steps as entries of the nightly list (a source of
`leads.domain.calllists.entry_sources`, registered in `hooks.register`).

The source is one SELECT added to the build's statement: the active enrollments of the
build's teams whose current step is a call or a task due before the day's end, each with its
reason ("Cadence Enterprise intro · step 3 of 6 · asks: timing, approval process"). Reasons
are worked out per step, not per lead: a fixed number of values whatever the enrollments.
The list keeps its reasons as written, so each is written in its SDR's language (their
setting; the build's language when they follow the browser's).
"""

import datetime
from functools import partial

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _

from sdr_ops import calendar, words
from sdr_ops.models import qualification_label

from .models import Enrollment, Step

REASON_LENGTH = 100  # CallListEntry.reason


def step_reason(name: str, position: int, steps: int, aims_at: list[str]) -> str:
    reason = _("Cadence %(name)s · step %(step)s of %(steps)s") % {
        "name": name,
        "step": position,
        "steps": steps,
    }
    if aims_at:
        reason += " · " + _("asks: %(items)s") % {
            "items": ", ".join(str(qualification_label(item)).lower() for item in aims_at)
        }
    return reason if len(reason) <= REASON_LENGTH else reason[: REASON_LENGTH - 1] + "…"


def due_steps_source(day: datetime.date, plans) -> tuple[str, list] | None:
    """The SELECT of (sdr_id, lead_id, reason, due) for the day's lists of the plans' teams."""
    team_ids = [int(plan.team.pk) for plan in plans]
    active = Enrollment.objects.filter(team_id__in=team_ids, state=Enrollment.State.ACTIVE)
    steps = list(
        Step.objects.filter(
            type__in=[Step.Type.CALL, Step.Type.TASK],
            version__in=active.values("version_id"),
        ).values_list("pk", "position", "aims_at", "version__cadence__name", "version_id")
    )
    if not steps:
        return None
    counts = dict(
        Step.objects.filter(version_id__in={s[4] for s in steps})
        .values_list("version_id")
        .annotate(n=Count("id"))
    )
    params: list = []
    reason_cases = []
    for pk, position, aims_at, name, version_id in steps:
        wording = partial(step_reason, name, position, counts[version_id], aims_at or [])
        reason, values = words.in_each_language("u.language", wording)
        reason_cases.append(f"WHEN {int(pk)} THEN {reason}")
        params += values
    end_cases = []
    for plan in plans:
        end_cases.append(f"WHEN {int(plan.team.pk)} THEN %s")
        day_end = calendar.day_bounds(day, plan.team.zone)[1]
        params.append(connection.ops.adapt_datetimefield_value(day_end))
    sql = f"""
        SELECT e.sdr_id AS sdr_id, e.lead_id AS lead_id,
               CASE st.id {" ".join(reason_cases)} END AS reason, e.next_due AS due
        FROM cadences_enrollment e
        JOIN cadences_step st ON st.version_id = e.version_id AND st.position = e.step
        JOIN sdr_ops_user u ON u.id = e.sdr_id
        WHERE e.state = 'active' AND st.type IN ('call', 'task')
          AND e.team_id IN ({", ".join(str(t) for t in team_ids)})
          AND e.next_due < CASE e.team_id {" ".join(end_cases)} END
    """
    return sql, params
