"""The method's own exit: a lead whose checklist is complete and whose evidence the valve
takes now is ready to hand off; and steps aimed at items already known are skipped.

"Known" is what a handoff accepts for an item: confirmed, asked but not disclosed (with the
questions), or not asked (with why). The evidence's certainty: A when every item is
confirmed, B when at least half are, else C; the valve takes it when at least one AE takes
that certainty today (`handoffs.valve.team_required`).
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_noop

from handoffs import valve
from handoffs.models import Certainty
from leads.models import QualificationAnswer, QualificationStatus
from sdr_ops import audit
from sdr_ops.models import Team, User
from sdr_ops.notify import notify

from ..models import Enrollment


def certainty_of(known: int, confirmed: int, items: int) -> str | None:
    """The certainty the evidence supports, None while an item is unknown."""
    if known < items:
        return None
    if confirmed == items:
        return Certainty.A
    return Certainty.B if 2 * confirmed >= items else Certainty.C


def finish_qualified(now: datetime.datetime) -> int:
    """Finishes `qualified` every open enrollment whose lead is ready to hand off, and tells
    its SDR. Queries per team, not per lead."""
    finished = 0
    open_ = Enrollment.objects.filter(state__in=Enrollment.OPEN)
    for team in Team.objects.filter(pk__in=open_.values("team_id")):
        items = list(team.qualification_items)
        takes = valve.team_required(valve.ae_states(now.astimezone(team.zone).date(), team))
        if not takes:
            continue
        team_open = open_.filter(team=team)
        rows = (
            QualificationAnswer.objects.filter(
                lead_id__in=team_open.values("lead_id"), item__in=items
            )
            .exclude(status=QualificationStatus.UNKNOWN)
            .values("lead_id")
            .annotate(
                known=Count("id"),
                confirmed=Count("id", filter=Q(status=QualificationStatus.CONFIRMED)),
            )
            .filter(known=len(items))
        )
        ready = [
            r["lead_id"]
            for r in rows
            if certainty_of(r["known"], r["confirmed"], len(items)) in takes
        ]
        if not ready:
            continue
        done = list(
            team_open.filter(lead_id__in=ready)
            .select_for_update(of=("self",))
            .select_related("lead__account", "sdr")
        )
        Enrollment.objects.filter(pk__in=[e.pk for e in done]).update(
            state=Enrollment.State.FINISHED,
            finish_reason=Enrollment.Reason.QUALIFIED,
            finished_at=now,
            next_due=None,
            remaining_days=None,
            resume_on=None,
        )
        audit.record_many(
            audit.Subject.LEAD,
            [e.lead_id for e in done],
            audit.Action.FINISHED,
            after=Enrollment.Reason.QUALIFIED,
            via="job",
        )
        by_sdr: dict[User, list] = defaultdict(list)
        for enrollment in done:
            by_sdr[enrollment.sdr].append(enrollment)
        for sdr, enrollments in by_sdr.items():
            for enrollment in enrollments:
                notify(
                    [sdr],
                    gettext_noop(
                        "Ready to hand off: %(lead)s has every checklist item known "
                        "(%(company)s); the cadence has finished."
                    ),
                    {"lead": enrollment.lead, "company": enrollment.lead.account.name},
                    reverse("lead-brief", args=[enrollment.lead_id]),
                )
        finished += len(done)
    return finished


def skip_known_steps(now: datetime.datetime) -> int:
    """Records as skipped, with that reason, the due steps whose items are all known (one
    INSERT ... SELECT: advancing.skip_known)."""
    from .advancing import skip_known

    return skip_known(now)
