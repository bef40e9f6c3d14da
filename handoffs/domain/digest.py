"""The weekly praise digest by e-mail every Monday (the page reads handoffs.queries)."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sdr_ops import calendar
from sdr_ops.models import User

from .. import queries
from ..models import DigestSent


def send_weekly(monday: datetime.date, zone=None) -> int:
    """E-mails the week's praise to every active person with an address (in blind copy), once
    per week; returns how many got it (0 when there was none, or it went out already)."""
    zone = zone or timezone.get_current_timezone()
    posts = list(queries.posts_of_week(monday, zone))
    if not posts:
        return 0
    label = calendar.week_label(monday)
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
