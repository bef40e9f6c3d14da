"""The market-insight digest by e-mail: each Monday, last week's insights (the quotes, by
topic) to the stakeholders of marketing (the teams MARKET_DIGEST_TEAMS names), once per
person and week, claimed before sending as the Monday figures are (metrics/mail.py)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from leads import queries as lead_queries
from leads.models import Insight
from sdr_ops import calendar
from sdr_ops.models import Role, StaffingRecord, User

from . import mail
from .models import MailSent

QUOTES_PER_TOPIC = 5
SEND_AT = datetime.time(8, 0)


def marketing_stakeholders(day: datetime.date) -> list[User]:
    """Stakeholders with a staffing record active on `day` on a marketing team."""
    records = StaffingRecord.objects.active_on(day).filter(
        team__slug__in=settings.MARKET_DIGEST_TEAMS
    )
    return list(
        User.objects.filter(
            pk__in=records.values("person_id"), role=Role.STAKEHOLDER, is_active=True
        ).exclude(email="")
    )


def send_weekly(monday: datetime.date, zone=None) -> int:
    """Last week's insights (the week of `monday`, in `zone`) to each marketing stakeholder
    who has not had them; returns how many were sent now (none when there was no insight)."""
    zone = zone or timezone.get_current_timezone()
    sunday = monday + datetime.timedelta(days=6)
    chosen = lead_queries.insights_filtered(since=monday, until=sunday, zone=zone)
    if not chosen.exists():
        return 0
    label = calendar.week_label(monday)
    people = marketing_stakeholders(sunday)
    context = None
    sent = 0
    for person in people:
        claimed = mail.claim(MailSent.Kind.DIGEST, person, label)
        if claimed is None:
            continue
        if context is None:
            quotes = lead_queries.newest_quotes(chosen, per_topic=QUOTES_PER_TOPIC)
            context = {
                "week": label,
                "monday": monday,
                "sunday": sunday,
                "topics": [
                    (value, quotes[value]) for value in Insight.Topic.values if quotes[value]
                ],
                "labels": dict(Insight.Topic.choices),
                "link": mail.link(
                    "insights", **{"from": monday.isoformat(), "to": sunday.isoformat()}
                ),
            }
        mail.send_claimed(
            claimed,
            person,
            lambda: _("Market insights of the week %(week)s") % {"week": label},
            "metrics/mail/insights",
            context,
        )
        sent += 1
    return sent


def send_due(now: datetime.datetime) -> int:
    """On Monday from 08:00 (the site's time zone): last week's digest."""
    zone = timezone.get_current_timezone()
    local = now.astimezone(zone)
    if local.weekday() != 0 or local.time() < SEND_AT:
        return 0
    return send_weekly(calendar.previous_monday(local.date()), zone)
