"""The audit rows of the team's cadence mail settings and of an SDR's mailbox: one helper
(`mail_settings._audit`) writes both, one row per changed field on the team, differing only
in their action."""

import datetime

from cadences.domain import mail_settings
from sdr_ops import audit
from sdr_ops.models import AuditEvent

SHAPE = ("subject", "subject_id", "lead_id", "actor_id", "via", "field", "before", "after")


def _rows(action):
    events = AuditEvent.objects.filter(action=action).order_by("pk")
    return [tuple(getattr(e, name) for name in SHAPE) for e in events]


def test_one_helper_writes_a_row_per_change_on_the_team(org):
    mail_settings._audit(
        org.desk,
        audit.Action.MAILBOX,
        org.mia,
        [("address", "", "a@desk.example"), ("smtp_port", 587, 465)],
    )
    assert _rows(audit.Action.MAILBOX) == [
        (audit.Subject.TEAM, org.desk.pk, None, org.mia.pk, "app", "address", "", "a@desk.example"),
        (audit.Subject.TEAM, org.desk.pk, None, org.mia.pk, "app", "smtp_port", "587", "465"),
    ]
    mail_settings._audit(org.desk, audit.Action.MAIL_SETTINGS, org.mia, [])
    assert not AuditEvent.objects.filter(action=audit.Action.MAIL_SETTINGS).exists()


def test_the_settings_and_the_mailbox_write_the_same_shape_of_rows(org):
    mail_settings.change_mail_settings(
        org.desk, by=org.mia, window_start=datetime.time(10), smtp_host="smtp.desk.example"
    )
    mail_settings.save_mailbox(
        org.desk, org.alice, address="alice@desk.example", username="al", password="pw", by=org.mia
    )
    settings_rows = _rows(audit.Action.MAIL_SETTINGS)
    mailbox_rows = _rows(audit.Action.MAILBOX)
    # Both on the team, by the one who saved, with no lead, from the app.
    assert {row[:5] for row in settings_rows} == {
        (audit.Subject.TEAM, org.desk.pk, None, org.mia.pk, "app")
    }
    assert {row[:5] for row in mailbox_rows} == {row[:5] for row in settings_rows}
    assert [row[5:] for row in settings_rows] == [
        ("window_start", "09:00:00", "10:00:00"),
        ("smtp_host", "", "smtp.desk.example"),
    ]
    assert [row[5:] for row in mailbox_rows] == [
        ("address", "", "alice@desk.example"),
        ("username", "", "al"),
        ("password", "", "changed"),
    ]
