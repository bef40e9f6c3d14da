"""The weekly praise digest: a page, and the same content by e-mail every Monday."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sdr_ops.models import User

from .models import DigestSent, PraisePost


def parse_week(value: str | None, today: datetime.date) -> datetime.date:
    """The Monday of an ISO week written 2026-W47; the last full week when none is given."""
    if value:
        try:
            year, week = value.upper().split("-W")
            return datetime.date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            pass
    return today - datetime.timedelta(days=today.weekday() + 7)


def week_label(monday: datetime.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def posts_of_week(monday: datetime.date, zone) -> QuerySet[PraisePost]:
    start = datetime.datetime.combine(monday, datetime.time(0), tzinfo=zone)
    return (
        PraisePost.objects.filter(
            created_at__gte=start, created_at__lt=start + datetime.timedelta(days=7)
        )
        .select_related("sdr")
        .order_by("created_at", "pk")
    )


def send_weekly(monday: datetime.date, zone=None) -> int:
    """E-mails the week's praise to every active person with an address (in blind copy), once
    per week; returns how many got it (0 when there was none, or it went out already)."""
    zone = zone or timezone.get_current_timezone()
    posts = list(posts_of_week(monday, zone))
    if not posts:
        return 0
    label = week_label(monday)
    # One message per language, each person reading it in the language they picked (the
    # site's language when they left it to the browser).
    by_language: dict[str, list[str]] = {}
    people = User.objects.filter(is_active=True).exclude(email="")
    for email, language in people.values_list("email", "language"):
        by_language.setdefault(language or settings.LANGUAGE_CODE, []).append(email)
    recipients = [email for emails in by_language.values() for email in emails]
    try:
        with transaction.atomic():
            # Recorded first and in the same transaction: a failed send records nothing, and
            # a second run finds the record and sends nothing.
            DigestSent.objects.create(kind="praise", week=label, recipients=len(recipients))
            for language, emails in sorted(by_language.items()):
                with translation.override(language):
                    body = render_to_string(
                        "handoffs/praise_digest_email.txt", {"posts": posts, "week": label}
                    )
                    EmailMessage(
                        subject=_("Praise of the week %(week)s") % {"week": label},
                        body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[settings.DEFAULT_FROM_EMAIL],
                        bcc=emails,
                    ).send()
    except IntegrityError:
        return 0
    return len(recipients)
