"""The Monday e-mail: the week's figures of each SDR team to its managers and to the
stakeholders, each in their own language, once per person, team and week.

Concurrency: each mail is claimed before it is sent, by a `MailSent` row whose unique key is
(kind, person, week, team); a retry, a second beat or a second worker finds the row and sends
nothing. A send that fails gives its claim back (the row is deleted) so the next run tries
again; a process killed between the send and the mark leaves the claim standing: at most once,
never twice.
"""

import datetime
import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sdr_ops.models import Role, StaffingRecord, Team, User

from . import freshness, kpis, queries, rollups
from .models import MailSent

log = logging.getLogger(__name__)

BAND_WORDS = {
    "no_data": gettext_lazy("no decided handoff yet"),
    "wasted_visits": gettext_lazy("wasted visits"),
    "below_band": gettext_lazy("below the band"),
    "in_band": gettext_lazy("in band"),
    "above_band": gettext_lazy("above the band"),
    "too_narrow": gettext_lazy("too narrow"),
}

DRIFTS_SHOWN = 3


def link(name: str, *args, **query) -> str:
    """An absolute address on the site (SITE_URL) for a mail."""
    path = reverse(name, args=args or None)
    return settings.SITE_URL + path + ("?" + urlencode(query) if query else "")


def managers_of(team: Team) -> list[User]:
    """The team's managers today (an active staffing record), with an address."""
    records = StaffingRecord.objects.active_on(team.local_today()).filter(
        team=team, role=Role.MANAGER
    )
    return list(
        User.objects.filter(pk__in=records.values("person_id"), is_active=True).exclude(email="")
    )


def stakeholders() -> list[User]:
    """Stakeholders read every SDR team's figures."""
    return list(User.objects.filter(role=Role.STAKEHOLDER, is_active=True).exclude(email=""))


def claim(kind: str, person: User, week: str, about: str = "") -> MailSent | None:
    """The claim on one mail, or None when it is claimed already."""
    try:
        with transaction.atomic():
            return MailSent.objects.create(kind=kind, person=person, week=week, about=about)
    except IntegrityError:
        return None


def send_claimed(claimed: MailSent, person: User, subject, template: str, context: dict) -> None:
    """Renders the mail in the person's language (text and HTML) and sends it; marks the claim
    sent, or gives it back when the send fails (and re-raises, so the task retries)."""
    with translation.override(person.language or settings.LANGUAGE_CODE):
        context = {**context, "person": person}
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
        message = EmailMultiAlternatives(
            subject=str(subject() if callable(subject) else subject),
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
        )
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        MailSent.objects.filter(pk=claimed.pk).delete()
        raise
    MailSent.objects.filter(pk=claimed.pk).update(sent_at=timezone.now())


def weekly_context(team: Team, week: kpis.Week) -> dict:
    """What the Monday mail shows: the figures as served, the band, the bottleneck, the
    largest drifts and the links into the drill-down."""
    freshness.compute_missing(team, [week.label])  # in the worker, never in a request
    stored = queries.stored_weeks(team, [week])
    figures = queries.weekly_figures(team, [week], stored)[0]
    where = {"team": team.slug, "week": week.label}
    bottleneck = figures.get("bottleneck")
    drifts = list(queries.largest_drifts(team, [week], stored)[:DRIFTS_SHOWN])
    return {
        "team": team,
        "week": week,
        "f": figures,
        "ratio_pct": None
        if figures["handoff_to_opportunity_ratio"] is None
        else round(figures["handoff_to_opportunity_ratio"] * 100, 1),
        "drift_pct": None
        if figures["amount_drift_pct"] is None
        else round(figures["amount_drift_pct"] * 100, 1),
        "band": BAND_WORDS.get(figures["ratio_status"], ""),
        "bottleneck": bottleneck,
        "drifts": drifts,
        "links": {
            "dashboard": link("dashboards", **where),
            "handoffs": link("dashboard-rows", "handoffs", **where),
            "accepted": link("dashboard-rows", "handoffs", **where, part="accepted"),
            "rejected": link("dashboard-rows", "handoffs", **where, part="rejected"),
            "pending": link("dashboard-rows", "handoffs", **where, part="pending"),
            "headcount": link("dashboard-rows", "headcount", **where),
            "won": link("dashboard-rows", "won", **where),
            "speed": link("dashboard-rows", "speed", **where, part="touched"),
            "bottleneck": link(
                "dashboard-rows", "funnel", **where, step=bottleneck["from"], part="entered"
            )
            if bottleneck
            else "",
        },
    }


def send_weekly(team: Team, week: kpis.Week) -> int:
    """The week's figures to each manager of the team and each stakeholder, once each;
    returns how many were sent by this call."""
    people = {p.pk: p for p in managers_of(team) + stakeholders()}
    if not people:
        return 0
    context = None
    sent = 0
    for person in people.values():
        claimed = claim(MailSent.Kind.WEEKLY, person, week.label, team.slug)
        if claimed is None:
            continue
        context = context or weekly_context(team, week)
        send_claimed(
            claimed,
            person,
            lambda: (
                _("%(team)s: the figures of %(week)s") % {"team": team.name, "week": week.label}
            ),
            "metrics/mail/weekly",
            context,
        )
        sent += 1
    if sent:
        log.info("weekly figures of %s %s sent to %s", team.slug, week.label, sent)
    return sent


def is_due(team: Team, now: datetime.datetime) -> bool:
    """Monday, at or past the team's Monday e-mail time, in the team's zone."""
    local = now.astimezone(team.zone)
    return local.weekday() == 0 and local.time() >= team.weekly_mail_time


def send_due(now: datetime.datetime) -> int:
    """The Monday mail of every SDR team that is due at `now`, for its last complete week."""
    sent = 0
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        if is_due(team, now):
            sent += send_weekly(team, rollups.last_week(team, now))
    return sent
