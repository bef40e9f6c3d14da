"""The e-mail step sent by hand: the SDR opens a compose form prefilled from the step's
template (the variant picked by weight, rendered for the lead), edits it and sends it.

It leaves like automatic mail: through the team's connection (its SMTP server or its hosted
provider), from the SDR's mailbox, threaded on the enrollment's earlier messages, with the
one-click unsubscribe headers and footer, "(광고)" and the quiet hours when the team's mail
is advertising; a suppressed address is never written to. The text the SDR sends is sent as
written (no merge field is read in it). The step run records it as sent, with the variant
and the Message-ID.

Concurrency: sending locks the enrollment's row for the one SMTP conversation or API call,
so two clicks send one message; the second finds the step already run (NotOpen, a 409).
"""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sdr_ops.models import User

from .. import mailing, merge
from ..models import CadenceSettings, Enrollment, Mailbox, Step, StepRun, Suppression
from ..scheduling import QUIET_END, QUIET_START, lead_zone
from .enrolment import NotOpen, run_step

log = logging.getLogger(__name__)


def manual_step(enrollment: Enrollment) -> Step:
    """The enrollment's current step when it is an e-mail sent by hand; NotOpen otherwise."""
    if enrollment.state != Enrollment.State.ACTIVE:
        raise NotOpen(_("Only an active enrollment runs its steps."))
    step = (
        Step.objects.filter(version_id=enrollment.version_id, position=enrollment.step)
        .prefetch_related("variants")
        .first()
    )
    if step is None or step.type != Step.Type.EMAIL or not step.manual:
        raise NotOpen(_("The current step is not an e-mail sent by hand."))
    if StepRun.objects.filter(enrollment=enrollment, step=step).exists():
        raise NotOpen(_("This step was done already."))
    return step


def draft(enrollment: Enrollment) -> tuple[Step, str, str]:
    """The step and the form's prefill: the variant's subject and text for the lead."""
    step = manual_step(enrollment)
    variant = mailing.pick_variant(list(step.variants.all()), enrollment.pk)
    values = merge.values_for(enrollment.lead, enrollment.sdr)
    subject, text, _html = mailing.merged(variant.subject, variant.body, values)
    return step, subject, text


@transaction.atomic
def send_manual(
    enrollment: Enrollment,
    *,
    subject: str,
    text: str,
    by: User,
    now: datetime.datetime | None = None,
) -> StepRun:
    """Sends what the SDR composed and records the step as sent (see the module's docstring).
    ValidationError says why it cannot leave; NotOpen when the step is no longer due."""
    now = now or timezone.now()
    enrollment = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("lead__account", "sdr", "team")
        .get(pk=enrollment.pk)
    )
    step = manual_step(enrollment)
    subject, text = subject.strip(), text.strip()
    if not subject or not text:
        raise ValidationError(_("An e-mail needs a subject and a text."))
    lead = enrollment.lead
    if not lead.email:
        raise ValidationError(_("The lead has no e-mail address."))
    if Suppression.objects.filter(address=lead.email.lower()).exists():
        raise ValidationError(_("This address asked for no more e-mail (or bounced)."))
    settings = CadenceSettings.of(enrollment.team)
    mailbox = Mailbox.objects.filter(team=enrollment.team, sdr=enrollment.sdr).first()
    if mailbox is None or not settings.can_send():
        raise ValidationError(_("Connect your mailbox and the team's mail server first."))
    local = now.astimezone(lead_zone(lead.time_zone, enrollment.team.zone)).time()
    if settings.advertising and not QUIET_END <= local < QUIET_START:
        raise ValidationError(
            _("Advertising mail is not sent between 21:00 and 08:00 in the lead's time zone.")
        )
    references = list(
        StepRun.objects.filter(enrollment=enrollment)
        .exclude(message_id="")
        .order_by("at", "pk")
        .values_list("message_id", flat=True)
    )
    variant = mailing.pick_variant(list(step.variants.all()), enrollment.pk)
    message, message_id = mailing.build_manual_message(
        enrollment, subject, text, mailbox, settings, references=references
    )
    backend = mailing.connection(settings, mailbox)
    try:
        backend.send_messages([message])
    except mailing.SEND_ERRORS as exc:
        log.warning("manual cadence mail to enrollment %s failed: %s", enrollment.pk, exc)
        raise ValidationError(_("The mail server did not take the message; try again.")) from exc
    run = run_step(
        enrollment,
        outcome=StepRun.Outcome.SENT,
        by=by,
        variant=variant,
        message_id=message_id,
        now=now,
    )
    if not enrollment.thread_id:
        Enrollment.objects.filter(pk=enrollment.pk).update(thread_id=message_id)
    return run
