"""Handing a lead off with its evidence, the AE's decision and the opportunity that follows.

A handoff is decided once. The decision locks the handoff's row (SELECT ... FOR UPDATE), so
two AEs or two tabs deciding at the same moment are serialised: the first wins, the second
finds it decided and gets AlreadyDecided.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from leads import domain as lead_domain
from leads import queries as lead_queries
from leads.models import CallListEntry, Lead, QualificationStatus, Stage
from sdr_ops import audit, calendar
from sdr_ops.access import manages
from sdr_ops.models import Role, StaffingRecord, Team, User
from sdr_ops.notify import label, notify

from .. import hooks, valve
from ..models import HANDOFF_FROM, Handoff, Opportunity, RejectionReason

# Rejection reasons that need a comment to be understood.
COMMENT_REQUIRED = {RejectionReason.OTHER, RejectionReason.INSUFFICIENT_QUALIFICATION}


class AlreadyDecided(Exception):
    """The handoff was accepted or rejected before this decision arrived."""

    def __init__(self, handoff: Handoff):
        super().__init__(f"handoff {handoff.pk} is already {handoff.status}")
        self.handoff = handoff


def snapshot(lead: Lead) -> list[dict]:
    """The lead's checklist (its owner's team's items) as it stands, frozen into plain data
    for the handoff."""
    return [
        {
            "item": a.item,
            "label": a.label,
            "labels": a.labels,
            "status": a.status,
            "answer": a.answer,
            "questions": a.questions,
            "reason": a.reason,
        }
        for a in lead_queries.checklist(lead)
    ]


@transaction.atomic
def hand_off(
    lead: Lead,
    *,
    by: User,
    to_ae: User,
    certainty: str,
    comment: str,
    override_reason: str = "",
    certainty_reason: str = "",
) -> Handoff:
    """Hands the lead to an AE with the comment, the certainty and a snapshot of the checklist.

    The certainty the valve applies is the lower of the SDR's pick (`certainty`, kept on the
    handoff) and the one computed from the evidence (hooks.assess, recorded beside it); a pick
    above the computed one needs a written `certainty_reason`, and it does not open the valve.

    Only the lead's owner or a manager hands a lead off, whoever calls (PermissionDenied);
    the views reach the lead through handoffs.access.lead_to_hand_off. Refused
    (ValidationError, saying what to fix) when the lead is not in a stage that can be handed
    off, already waits for a decision, has a checklist item still unknown, or when the AE
    does not take this certainty now (full, or A only ...). A manager may override the
    valve with a reason, which is recorded. Side effects: the lead moves to `handed_off` and
    so leaves every call list until the AE decides.
    """
    lead = Lead.objects.select_for_update().select_related("account").get(pk=lead.pk)
    manager_override = bool(override_reason.strip()) and by.has_role(Role.MANAGER)
    if lead.owner_id != by.pk and not by.has_role(Role.MANAGER):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if lead.stage not in HANDOFF_FROM:
        errors.setdefault("lead", []).append(
            _("A lead in stage %(stage)s cannot be handed off.")
            % {"stage": lead.get_stage_display()}
        )
    if Handoff.objects.filter(lead=lead, status=Handoff.Status.PENDING).exists():
        errors.setdefault("lead", []).append(_("This lead already waits for an AE's decision."))
    if not comment.strip():
        errors.setdefault("comment", []).append(
            _("Tell the AE the customer's real problem and what to know before the first visit.")
        )
    frozen = snapshot(lead)
    unknown = [row["label"] for row in frozen if row["status"] == QualificationStatus.UNKNOWN]
    if unknown:
        errors.setdefault("checklist", []).append(
            _(
                "Still unknown: %(items)s. Record for each whether it was confirmed, asked but "
                "not disclosed (with the questions used) or not asked (with why)."
            )
            % {"items": ", ".join(unknown)}
        )
    is_ae = to_ae.role == Role.AE and to_ae.is_active
    computed = hooks.assess(lead, ae=to_ae if is_ae else None)
    effective = certainty
    if computed is not None:
        # A is the highest: the lower of two certainties is the later letter.
        effective = max(certainty, computed.certainty)
        if certainty < computed.certainty and not certainty_reason.strip():
            errors.setdefault("certainty_reason", []).append(
                _(
                    "The evidence says %(computed)s. Say why you declare %(declared)s, or "
                    "declare %(computed)s."
                )
                % {"computed": computed.certainty, "declared": certainty}
            )
    if not is_ae:
        errors.setdefault("to_ae", []).append(str(NOT_AN_AE))
    else:
        team = lead.owner.current_team
        state = valve.ae_states(timezone.localdate(), team, User.objects.filter(pk=to_ae.pk))[0]
        if not state.takes(effective, lead.account.segment) and not manager_override:
            if state.calendar_full:
                message = _("%(ae)s's week is full of first meetings. Choose an AE with room.")
            elif state.full:
                message = _("%(ae)s is full (%(load)s of %(capacity)s). Choose an AE with room.")
            elif state.segment and state.segment != lead.account.segment:
                message = _("%(ae)s covers another segment.")
            else:
                message = _("%(ae)s takes only certainty %(allowed)s now.")
            errors.setdefault("to_ae", []).append(
                message
                % {
                    "ae": to_ae,
                    "load": state.load,
                    "capacity": state.capacity,
                    "allowed": " / ".join(state.allowed),
                }
            )
    if errors:
        raise ValidationError(errors)
    handoff = Handoff.objects.create(
        lead=lead,
        sdr=lead.owner,
        ae=to_ae,
        certainty=certainty,
        comment=comment.strip(),
        checklist=frozen,
        created_at=timezone.now(),
        overridden_by=by if manager_override else None,
        override_reason=override_reason.strip() if manager_override else "",
        computed_certainty=computed.certainty if computed else "",
        computed_score=computed.score if computed else None,
        computed_by=computed.label if computed else "",
        certainty_reason=(
            certainty_reason.strip() if computed and certainty < computed.certainty else ""
        ),
    )
    audit.record(
        audit.Subject.HANDOFF,
        handoff.pk,
        audit.Action.HANDED_OFF,
        by=by,
        lead_id=lead.pk,
        field="certainty",
        after=f"{certainty} → {to_ae.email}",
    )
    lead_domain.change_stage(lead, to=Stage.HANDED_OFF, by=by, at=handoff.created_at)
    _leave_call_lists(lead, to_ae)
    for callback in hooks.on_handed_off:
        callback(handoff, by=by)
    notify(
        [to_ae],
        gettext_noop("New handoff from %(sdr)s: %(company)s, certainty %(certainty)s."),
        {"sdr": lead.owner, "company": lead.account.name, "certainty": certainty},
        reverse("ae-inbox"),
    )
    return handoff


def _leave_call_lists(lead: Lead, ae: User) -> None:
    """A handed-off lead leaves every call list until the AE decides: lists of days to come
    drop it, today's list shows it skipped as handed off."""
    today = lead.owner.local_today()
    planned = CallListEntry.objects.filter(lead=lead, status=CallListEntry.Status.PLANNED)
    planned.filter(call_list__day__gt=today).delete()
    planned.filter(call_list__day=today).update(
        status=CallListEntry.Status.SKIPPED,
        done_at=timezone.now(),
        skip_reason=_("Handed off to %(ae)s") % {"ae": ae},
    )


def _lock_pending(handoff_id: int, by: User) -> Handoff:
    handoff = Handoff.objects.select_for_update().select_related("lead").get(pk=handoff_id)
    if handoff.ae_id != by.pk:
        raise PermissionDenied
    if handoff.status != Handoff.Status.PENDING:
        raise AlreadyDecided(handoff)
    return handoff


# The refusal of an addressee who is not an active AE (or nobody): the API says the same.
NOT_AN_AE = gettext_lazy("Choose a sales rep (AE).")

# The amount columns hold 14 digits, two after the point.
MIN_AMOUNT, MAX_AMOUNT = Decimal("0.01"), Decimal("999999999999.99")


def _is_amount(value) -> bool:
    """A finite amount of a cent or more that the amount columns hold (not NaN nor Infinity)."""
    return isinstance(value, Decimal) and value.is_finite() and MIN_AMOUNT <= value <= MAX_AMOUNT


@transaction.atomic
def accept(handoff_id: int, *, by: User, amount: Decimal) -> Opportunity:
    """The AE accepts: an opportunity is created with its amount at creation (required; only
    `correct_amount` changes it later, for a figure typed wrongly), and the lead becomes
    `opportunity`."""
    if not _is_amount(amount):
        raise ValidationError({"amount": _("Give the amount the opportunity is created with.")})
    handoff = _lock_pending(handoff_id, by)
    now = timezone.now()
    handoff.status, handoff.decided_at = Handoff.Status.ACCEPTED, now
    handoff.save(update_fields=["status", "decided_at"])
    opportunity = Opportunity.objects.create(
        handoff=handoff, amount_at_creation=amount, created_at=now
    )
    audit.record(
        audit.Subject.HANDOFF,
        handoff.pk,
        audit.Action.ACCEPTED,
        by=by,
        lead_id=handoff.lead_id,
        after=amount,
    )
    audit.record(
        audit.Subject.OPPORTUNITY,
        opportunity.pk,
        audit.Action.CREATED,
        by=by,
        lead_id=handoff.lead_id,
        field="amount_at_creation",
        after=amount,
    )
    lead_domain.change_stage(handoff.lead, to=Stage.OPPORTUNITY, by=by, at=now)
    notify(
        [handoff.sdr],
        gettext_noop("%(ae)s accepted your handoff of %(lead)s."),
        {"ae": by, "lead": handoff.lead},
        reverse("lead-brief", args=[handoff.lead_id]),
    )
    return opportunity


@transaction.atomic
def reject(handoff_id: int, *, by: User, reason: str, comment: str = "") -> Handoff:
    """The AE rejects with a reason (and a comment for `other` and
    `insufficient_qualification`); the lead goes back to its SDR, to `nurture` for bad
    timing, else to `working`, with the reason on its brief."""
    errors = {}
    if reason not in RejectionReason.values:
        errors["reason"] = _("Choose the reason for the rejection.")
    elif reason in COMMENT_REQUIRED and not comment.strip():
        errors["comment"] = _("Say what was missing, so the SDR can learn from it.")
    if errors:
        raise ValidationError(errors)
    handoff = _lock_pending(handoff_id, by)
    now = timezone.now()
    handoff.status, handoff.decided_at = Handoff.Status.REJECTED, now
    handoff.rejection_reason, handoff.rejection_comment = reason, comment.strip()
    handoff.save(update_fields=["status", "decided_at", "rejection_reason", "rejection_comment"])
    audit.record(
        audit.Subject.HANDOFF,
        handoff.pk,
        audit.Action.REJECTED,
        by=by,
        lead_id=handoff.lead_id,
        after=reason,
    )
    back_to = Stage.NURTURE if reason == RejectionReason.BAD_TIMING else Stage.WORKING
    lead_domain.change_stage(handoff.lead, to=back_to, by=by, at=now)
    for callback in hooks.on_rejected:
        callback(handoff)
    notify(
        [handoff.sdr],
        gettext_noop("%(ae)s rejected your handoff of %(lead)s: %(reason)s."),
        {"ae": by, "lead": handoff.lead, "reason": label(handoff.get_rejection_reason_display())},
        reverse("lead-brief", args=[handoff.lead_id]),
    )
    return handoff


def _lock_open(opportunity_id: int, by: User) -> Opportunity:
    opportunity = (
        Opportunity.objects.select_for_update()
        .select_related("handoff__lead")
        .get(pk=opportunity_id)
    )
    if opportunity.handoff.ae_id != by.pk:
        raise PermissionDenied
    if opportunity.status != Opportunity.Status.OPEN:
        raise ValidationError(_("This opportunity is closed already."))
    return opportunity


@transaction.atomic
def update_amount(opportunity_id: int, *, by: User, amount: Decimal) -> Opportunity:
    """The AE revises the amount of an open deal; the amount at creation stays as it was."""
    if not _is_amount(amount):
        raise ValidationError({"amount": _("The amount must be above zero.")})
    opportunity = _lock_open(opportunity_id, by)
    audit.record(
        audit.Subject.OPPORTUNITY,
        opportunity.pk,
        audit.Action.AMOUNT,
        by=by,
        lead_id=opportunity.handoff.lead_id,
        field="amount",
        before=opportunity.current_amount,
        after=amount,
    )
    opportunity.amount = amount
    opportunity.save(update_fields=["amount"])
    return opportunity


# How long the AE who accepted may correct the amount typed at acceptance.
CORRECTION_WINDOW = datetime.timedelta(hours=24)


def may_correct(opportunity: Opportunity, user: User, now: datetime.datetime) -> bool:
    """Whether the AE may still correct the amount at creation themselves."""
    return opportunity.handoff.ae_id == user.pk and now - opportunity.created_at <= (
        CORRECTION_WINDOW
    )


@transaction.atomic
def correct_amount(
    opportunity_id: int, *, by: User, amount: Decimal, reason: str = ""
) -> Opportunity:
    """Corrects the amount at creation, a figure typed wrongly at acceptance: the AE who
    accepted, within 24 hours of accepting; after that a manager of the SDR's team (or an
    admin), with a reason. Recorded with the figure before and after (and the reason). The
    amount drift KPI reads the amount at creation, so it counts the corrected figure; a
    revised current amount is left as it is. The row is locked, so a correction and a
    revision at once are applied one after the other. PermissionDenied for anyone else."""
    if not _is_amount(amount):
        raise ValidationError({"amount": _("Give the amount the opportunity was created with.")})
    opportunity = (
        Opportunity.objects.select_for_update()
        .select_related("handoff__lead")
        .get(pk=opportunity_id)
    )
    now = timezone.now()
    reason = reason.strip()
    as_manager = by.is_admin or (
        by.role == Role.MANAGER and manages(by, opportunity.handoff.sdr_id)
    )
    if as_manager and not may_correct(opportunity, by, now):
        if not reason:
            raise ValidationError({"reason": _("Say why the amount at creation is corrected.")})
    elif opportunity.handoff.ae_id == by.pk:
        if not may_correct(opportunity, by, now):
            raise ValidationError(
                _(
                    "The 24 hours to correct the amount have passed: a manager of the SDR's "
                    "team can correct it, with a reason."
                )
            )
    else:
        raise PermissionDenied
    if amount == opportunity.amount_at_creation:
        return opportunity
    after = f"{amount.normalize():f}" + (f" ({reason})" if reason else "")
    audit.record(
        audit.Subject.OPPORTUNITY,
        opportunity.pk,
        audit.Action.AMOUNT_CORRECTED,
        by=by,
        lead_id=opportunity.handoff.lead_id,
        field="amount_at_creation",
        before=opportunity.amount_at_creation,
        after=after,
    )
    opportunity.amount_at_creation = amount
    opportunity.save(update_fields=["amount_at_creation"])
    return opportunity


PLAN_FIELDS = ("stage", "expected_close", "next_step")


@transaction.atomic
def plan_opportunity(
    opportunity_id: int,
    *,
    by: User,
    stage: str,
    expected_close: datetime.date | None,
    next_step: str,
) -> list[str]:
    """The AE's plan for an open deal: its stage, the expected close date and the next step,
    each change recorded. Returns the names of the fields that changed."""
    if stage not in Opportunity.Stage.values:
        raise ValidationError({"stage": _("Choose the stage of the deal.")})
    opportunity = _lock_open(opportunity_id, by)
    values = {"stage": stage, "expected_close": expected_close, "next_step": next_step.strip()}
    changed = [name for name in PLAN_FIELDS if getattr(opportunity, name) != values[name]]
    for name in changed:
        audit.record(
            audit.Subject.OPPORTUNITY,
            opportunity.pk,
            audit.Action.EDITED,
            by=by,
            lead_id=opportunity.handoff.lead_id,
            field=name,
            before=getattr(opportunity, name) or "",
            after=values[name] or "",
        )
        setattr(opportunity, name, values[name])
    if changed:
        opportunity.save(update_fields=changed)
    return changed


@transaction.atomic
def close_won(opportunity_id: int, *, by: User, amount_at_close: Decimal) -> Opportunity:
    """The deal is won at this amount; the lead becomes `won`."""
    if not _is_amount(amount_at_close):
        raise ValidationError({"amount_at_close": _("Give the amount the deal was won at.")})
    opportunity = _lock_open(opportunity_id, by)
    now = timezone.now()
    opportunity.status, opportunity.closed_at = Opportunity.Status.WON, now
    opportunity.amount_at_close = opportunity.amount = amount_at_close
    opportunity.save(update_fields=["status", "closed_at", "amount_at_close", "amount"])
    audit.record(
        audit.Subject.OPPORTUNITY,
        opportunity.pk,
        audit.Action.WON,
        by=by,
        lead_id=opportunity.handoff.lead_id,
        field="amount_at_close",
        after=amount_at_close,
    )
    lead_domain.change_stage(opportunity.handoff.lead, to=Stage.WON, by=by, at=now)
    return opportunity


@transaction.atomic
def close_lost(opportunity_id: int, *, by: User, reason: str) -> Opportunity:
    """The deal is lost, for a reason; the lead goes to `nurture` for a later chance."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the deal was lost.")})
    opportunity = _lock_open(opportunity_id, by)
    now = timezone.now()
    opportunity.status, opportunity.closed_at = Opportunity.Status.LOST, now
    opportunity.amount_at_close = opportunity.current_amount
    opportunity.loss_reason = reason.strip()
    opportunity.save(update_fields=["status", "closed_at", "amount_at_close", "loss_reason"])
    audit.record(
        audit.Subject.OPPORTUNITY,
        opportunity.pk,
        audit.Action.LOST,
        by=by,
        lead_id=opportunity.handoff.lead_id,
        after=opportunity.loss_reason,
    )
    lead_domain.change_stage(opportunity.handoff.lead, to=Stage.NURTURE, by=by, at=now)
    return opportunity


@transaction.atomic
def flag_overdue(now: datetime.datetime) -> int:
    """Flags every pending handoff older than its SDR team's response time, once, and tells
    the AE and the team's manager. Returns how many were flagged; safe to run again."""
    flagged = 0
    for team in Team.objects.filter(kind=Team.Kind.SDR):
        cutoff = calendar.subtract_working_days(
            now.astimezone(team.zone), team.handoff_response_days, team.work_calendar()
        )
        today = now.astimezone(team.zone).date()
        staff = StaffingRecord.objects.active_on(today).filter(team=team)
        due = list(
            Handoff.objects.filter(
                status=Handoff.Status.PENDING,
                overdue_flagged_at__isnull=True,
                created_at__lt=cutoff,
                sdr__in=staff.filter(role=Role.SDR).values("person_id"),
            ).select_related("lead__account", "ae")
        )
        if not due:
            continue
        managers = list(
            User.objects.filter(pk__in=staff.filter(role=Role.MANAGER).values("person_id"))
        )
        Handoff.objects.filter(pk__in=[h.pk for h in due]).update(overdue_flagged_at=now)
        for handoff in due:
            notify(
                [handoff.ae, *managers],
                gettext_noop(
                    "Waiting for a decision since %(when)s: %(company)s, handed to %(ae)s."
                ),
                {
                    "when": handoff.created_at.astimezone(team.zone).strftime("%Y-%m-%d %H:%M"),
                    "company": handoff.lead.account.name,
                    "ae": handoff.ae,
                },
                reverse("lead-brief", args=[handoff.lead_id]),
            )
        flagged += len(due)
    return flagged
