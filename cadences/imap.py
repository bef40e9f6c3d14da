"""Polling a mailbox over IMAP (imap-tools): the messages that came in since the last poll,
handed to `domain.replies.read_messages`, then the mailbox's place (the last UID) saved."""

import datetime

from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.query import UidRange

from .domain import replies
from .models import CadenceSettings, Mailbox


def _client(team_settings: CadenceSettings):
    security = team_settings.imap_security
    host, port = team_settings.imap_host, team_settings.imap_port
    if security == CadenceSettings.Security.SSL:
        return MailBox(host, port, timeout=30)
    if security == CadenceSettings.Security.STARTTLS:
        return MailBoxStartTls(host, port, timeout=30)
    return MailBoxUnencrypted(host, port, timeout=30)


def poll(mailbox: Mailbox, *, now: datetime.datetime | None = None) -> dict[str, int]:
    """Reads the mailbox's new messages and acts on them; returns the counts."""
    team_settings = CadenceSettings.of(mailbox.team)
    if not team_settings.imap_host:
        return {}
    messages = []
    with _client(team_settings).login(
        mailbox.username or mailbox.address, mailbox.password(), initial_folder="INBOX"
    ) as client:
        criteria = AND(uid=UidRange(mailbox.last_uid + 1, "*"))
        for message in client.fetch(criteria, mark_seen=False, bulk=500):
            uid = int(message.uid)
            if uid > mailbox.last_uid:
                messages.append(replies.parse(uid, message.obj.as_bytes()))
    counts = replies.read_messages(mailbox, messages, now=now)
    last = max((m.uid for m in messages), default=mailbox.last_uid)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=last, polled_at=now or timezone.now())
    mailbox.last_uid = last
    return counts
