"""Cadence e-mail as it leaves: the team's connection (its SMTP server or a hosted provider
through django-anymail), the message with its threading and one-click unsubscribe headers
(RFC 8058), and the signed unsubscribe token."""

import random
import smtplib
from email.utils import make_msgid

from anymail.exceptions import AnymailError
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils.html import escape, linebreaks
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import merge
from .models import CadenceSettings, EmailVariant, Enrollment, Mailbox

UNSUBSCRIBE_SALT = "cadences.unsubscribe"
ADVERTISING = "(광고)"
TIMEOUT = 20  # seconds, for an SMTP conversation or a provider's API call

Provider = CadenceSettings.Provider
# Each hosted provider: anymail's backend, and the option its key goes in. Not offered:
# Amazon SES (anymail's backend needs boto3, not installed) and SendGrid (anymail no longer
# supports it); both also take mail over SMTP, the first choice.
PROVIDER_BACKENDS = {
    Provider.MAILGUN: ("anymail.backends.mailgun.EmailBackend", "api_key"),
    Provider.POSTMARK: ("anymail.backends.postmark.EmailBackend", "server_token"),
    Provider.BREVO: ("anymail.backends.brevo.EmailBackend", "api_key"),
    Provider.RESEND: ("anymail.backends.resend.EmailBackend", "api_key"),
}
MAILGUN_EU_API = "https://api.eu.mailgun.net/v3/"

# What a send may raise when the way out refuses or cannot be reached: the caller keeps the
# message due. A provider's HTTP errors are OSErrors too (requests' exceptions are).
SEND_ERRORS = (smtplib.SMTPException, OSError, AnymailError)


def backend_options(team_settings: CadenceSettings, mailbox: Mailbox) -> tuple[str, dict]:
    """The backend's dotted path and the options it is made with for the team: the SMTP
    server as the mailbox's user, or the provider's API with the team's key. Built from the
    team's row only; a provider's API address is anymail's default unless the region says
    otherwise (anymail's own `<ESP>_API_URL` setting can still point it elsewhere)."""
    if team_settings.provider == Provider.SMTP:
        security = team_settings.smtp_security
        return "django.core.mail.backends.smtp.EmailBackend", {
            "host": team_settings.smtp_host,
            "port": team_settings.smtp_port,
            "username": mailbox.username,
            "password": mailbox.password(),
            "use_tls": security == CadenceSettings.Security.STARTTLS,
            "use_ssl": security == CadenceSettings.Security.SSL,
            "timeout": TIMEOUT,
        }
    path, key_option = PROVIDER_BACKENDS[team_settings.provider]
    options = {key_option: team_settings.provider_key(), "timeout": TIMEOUT}
    if team_settings.provider == Provider.MAILGUN:
        if team_settings.mailgun_domain:
            options["sender_domain"] = team_settings.mailgun_domain
        if team_settings.mailgun_region == CadenceSettings.Region.EU:
            options["api_url"] = MAILGUN_EU_API
    return path, options


def connection(team_settings: CadenceSettings, mailbox: Mailbox) -> BaseEmailBackend:
    """The team's way out for the mailbox's messages, the one place it is built: made like
    a mailer (the backend's class with an alias and its options) but per team, never one of
    settings.MAILERS. Django 6.1's get_connection() takes no backend once MAILERS is set."""
    path, options = backend_options(team_settings, mailbox)
    return import_string(path)(alias=f"cadences-team-{team_settings.team_id}", **options)


def unsubscribe_token(enrollment_id: int, address: str) -> str:
    return signing.dumps({"e": enrollment_id, "a": address.lower()}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> dict | None:
    """The token's enrollment and address, None when it was not signed by the app."""
    try:
        data = signing.loads(token[:1000], salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("a"), str):
        return None
    return data


def unsubscribe_url(enrollment_id: int, address: str) -> str:
    path = reverse("unsubscribe", args=[unsubscribe_token(enrollment_id, address)])
    return settings.PUBLIC_URL.rstrip("/") + path


def pick_variant(variants: list[EmailVariant], enrollment_id: int) -> EmailVariant:
    """A variant by weight, the same one each time for an enrollment."""
    weights = [v.weight for v in variants]
    return random.Random(enrollment_id).choices(variants, weights=weights)[0]  # noqa: S311


def merged(subject: str, body: str, values: dict[str, str]) -> tuple[str, str, str]:
    """A template's subject, plain text and HTML body with the lead's values, before the
    advertising prefix and the unsubscribe footer."""
    return (
        merge.render_text(subject, values).replace("\n", " ").strip(),
        merge.render_text(body, values),
        merge.render_html(body, values),
    )


def plain_html(text: str) -> str:
    """The HTML part of a text an SDR wrote by hand: escaped, paragraphs kept, and no merge
    field read (the text is sent as written)."""
    return linebreaks(escape(text), autoescape=False)


def finished_parts(
    subject: str, text: str, html: str, *, link: str, advertising: bool
) -> tuple[str, str, str]:
    """Subject, text and HTML as the recipient gets them: "(광고)" before the subject when
    the team's cadence mail is advertising, the unsubscribe footer on both bodies."""
    subject = subject.replace("\n", " ").strip()
    if advertising:
        subject = f"{ADVERTISING} {subject}"
    footer = _("To receive no more e-mail from us: %(link)s") % {"link": link}
    text = text + "\n\n-- \n" + footer
    html = (
        html
        + '\n<p style="font-size:small">'
        + _('To receive no more e-mail from us, <a href="%(link)s">unsubscribe</a>.')
        % {"link": link}
        + "</p>"
    )
    return subject, text, html


def message_for(
    enrollment: Enrollment,
    parts: tuple[str, str, str],
    mailbox: Mailbox,
    *,
    link: str,
    references: list[str],
) -> tuple[EmailMultiAlternatives, str]:
    """The message with its threading and one-click unsubscribe headers, and its Message-ID.
    `references` are the Message-IDs sent to the lead before in this enrollment, oldest
    first: the message answers the last."""
    subject, text, html = parts
    domain = mailbox.address.rpartition("@")[2] or "localhost"
    message_id = make_msgid(domain=domain)
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if references:
        headers["In-Reply-To"] = references[-1]
        headers["References"] = " ".join(references)
    sender = enrollment.sdr.get_full_name()
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=f"{sender} <{mailbox.address}>" if sender else mailbox.address,
        to=[enrollment.lead.email],
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    return message, message_id


def build_message(
    enrollment: Enrollment,
    variant: EmailVariant,
    mailbox: Mailbox,
    team_settings: CadenceSettings,
    *,
    references: list[str],
) -> tuple[EmailMultiAlternatives, str]:
    """The message for the step and its Message-ID (see message_for)."""
    values = merge.values_for(enrollment.lead, enrollment.sdr)
    link = unsubscribe_url(enrollment.pk, enrollment.lead.email)
    parts = finished_parts(
        *merged(variant.subject, variant.body, values),
        link=link,
        advertising=team_settings.advertising,
    )
    return message_for(enrollment, parts, mailbox, link=link, references=references)


def build_manual_message(
    enrollment: Enrollment,
    subject: str,
    text: str,
    mailbox: Mailbox,
    team_settings: CadenceSettings,
    *,
    references: list[str],
) -> tuple[EmailMultiAlternatives, str]:
    """The message an SDR composed by hand, with the same headers, prefix and footer as the
    automatic mail (see message_for)."""
    link = unsubscribe_url(enrollment.pk, enrollment.lead.email)
    parts = finished_parts(
        subject, text, plain_html(text), link=link, advertising=team_settings.advertising
    )
    return message_for(enrollment, parts, mailbox, link=link, references=references)
