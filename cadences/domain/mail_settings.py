"""A team's cadence mail settings (sending window, caps, advertising, how its mail leaves:
its SMTP server or a hosted provider, and its IMAP server) as its manager changes them, and
an SDR's own mailbox on that server. Both are audited on the team; a mailbox password and a
provider's API key are stored encrypted and no record, page or answer ever carries them."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sdr_ops import audit
from sdr_ops.models import Team, User

from ..models import CadenceSettings, Mailbox
from ..scheduling import QUIET_END, QUIET_START

# How the trail words a mailbox password's or a provider key's change: never its value.
PASSWORD_WORDS = {"changed": gettext_lazy("changed"), "removed": gettext_lazy("removed")}

# What the mail settings page edits, in the order it shows them.
FIELDS = (
    "window_start",
    "window_end",
    "new_per_sdr_per_day",
    "emails_per_hour",
    "emails_per_day",
    "advertising",
    "provider",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "mailgun_region",
    "mailgun_domain",
    "imap_host",
    "imap_port",
    "imap_security",
)


def check_window(settings: CadenceSettings) -> None:
    """ValidationError unless some hour of the window is left to send in: its start before
    its end and, for advertising, an hour of it outside the 21:00-08:00 quiet hours."""
    if settings.window_start >= settings.window_end:
        raise ValidationError(
            {"window_end": _("The sending window ends after it starts.")}, code="window"
        )
    if settings.advertising and not (
        settings.window_start < QUIET_START and settings.window_end > QUIET_END
    ):
        raise ValidationError(
            {
                "advertising": _(
                    "Advertising is not sent between 21:00 and 08:00: the sending window "
                    "would leave no hour to send in."
                )
            },
            code="quiet",
        )
    if settings.emails_per_hour > settings.emails_per_day:
        raise ValidationError(
            {"emails_per_hour": _("The hourly cap is at most the cap per 24 hours.")},
            code="caps",
        )


def check_provider(settings: CadenceSettings) -> None:
    """ValidationError when a hosted provider is chosen without its key stored: nothing
    could leave through it."""
    if settings.provider != CadenceSettings.Provider.SMTP and not settings.provider_key_token:
        raise ValidationError(
            {
                "provider_key": _(
                    "Give the provider's API key (for Postmark, the server token): "
                    "without it no mail leaves through %(provider)s."
                )
                % {"provider": settings.get_provider_display()}
            },
            code="key",
        )


def _change_key(settings: CadenceSettings, key: str, forget: bool) -> str:
    """Sets or removes the provider's key on the (unsaved) row; returns the trail's word for
    it, '' when it stays as it was (the same key typed again changes nothing). A key goes
    in an HTTP header, so it must be printable ASCII without spaces."""
    if key and not (key.isascii() and key.isprintable() and " " not in key):
        raise ValidationError(
            {"provider_key": _("An API key has only letters, digits and punctuation.")},
            code="key",
        )
    if forget and settings.provider_key_token:
        settings.set_provider_key("")
        return "removed"
    if key and key != settings.provider_key():
        settings.set_provider_key(key)
        return "changed"
    return ""


def _audit(team: Team, action: audit.Action, by: User, changes: list[tuple]) -> None:
    """One audit record on the team per changed field, `changes` as (field, before, after):
    the mail settings' trail and the mailboxes' alike, differing only in `action`."""
    for field, old, new in changes:
        audit.record(audit.Subject.TEAM, team.pk, action, by=by, field=field, before=old, after=new)


@transaction.atomic
def change_mail_settings(
    team: Team,
    *,
    by: User,
    provider_key: str = "",
    forget_provider_key: bool = False,
    **values,
) -> list[str]:
    """Sets the team's cadence mail settings (names from FIELDS) and returns the names that
    changed. The row is made on the first change and locked while it is compared; the whole
    is validated (`check_window`, `check_provider`, the fields' own bounds) and nothing is
    saved on an error. Each changed field gets an audit record on the team with its value
    before and after. An empty `provider_key` keeps the key stored (it is never shown back);
    `forget_provider_key` removes it; the trail says only "changed" or "removed"."""
    unknown = set(values) - set(FIELDS)
    if unknown:
        raise TypeError(f"not a cadence mail setting: {', '.join(sorted(unknown))}")
    CadenceSettings.objects.get_or_create(team=team)
    current = CadenceSettings.objects.select_for_update().get(team=team)
    before = {name: getattr(current, name) for name in values}
    changed = [name for name in FIELDS if name in values and values[name] != before[name]]
    key_word = _change_key(current, provider_key, forget_provider_key)
    if not changed and not key_word:
        return []
    for name in changed:
        setattr(current, name, values[name])
    current.full_clean(exclude=["team"])
    check_window(current)
    check_provider(current)
    current.save(update_fields=changed + (["provider_key_token"] if key_word else []))
    changes = [(name, before[name], values[name]) for name in changed]
    if key_word:
        changes.append(("provider_key_token", "", key_word))
    _audit(team, audit.Action.MAIL_SETTINGS, by, changes)
    return [field for field, _old, _new in changes]


@transaction.atomic
def save_mailbox(
    team: Team,
    sdr: User,
    *,
    address: str,
    username: str,
    password: str = "",
    forget_password: bool = False,
    by: User,
) -> Mailbox:
    """The SDR's mailbox on the team's server, made or changed. An empty `password` keeps
    the one stored (it is never shown back to be typed again); `forget_password` removes it,
    which stops sending and reading. Audited on the team: the address and user name with
    their values, the password only as "changed" or "removed" (`PASSWORD_WORDS`)."""
    mailbox = Mailbox.objects.select_for_update().filter(team=team, sdr=sdr).first() or Mailbox(
        team=team, sdr=sdr
    )
    before = {"address": mailbox.address, "username": mailbox.username}
    mailbox.address, mailbox.username = address, username
    changes = [(name, before[name], getattr(mailbox, name)) for name in before]
    changes = [change for change in changes if change[1] != change[2]]
    if forget_password and mailbox.password_token:
        mailbox.set_password("")
        changes.append(("password", "", "removed"))
    elif password:
        mailbox.set_password(password)
        changes.append(("password", "", "changed"))
    if mailbox.address != before["address"]:
        # Replies are read from the new address's first message on.
        mailbox.last_uid = 0
    mailbox.full_clean(exclude=["team", "sdr"])
    mailbox.save()
    _audit(team, audit.Action.MAILBOX, by, changes)
    return mailbox
