"""AE capacity: the normal number of open deals, the segment covered, dated reductions.
Each change and its audit record stand or fall together."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.models import Role, Segment, User

from ..models import Capacity, CapacityReduction


def _check_ae(ae: User) -> None:
    """Capacity is an AE's, whoever calls (who may edit it: handoffs.access.ae_capacity_for)."""
    if ae.role != Role.AE:
        raise PermissionDenied


@transaction.atomic
def set_capacity(ae: User, *, by: User, normal: int, segment: str = "") -> Capacity:
    """The AE's normal capacity (open deals carried at once) and the segment they cover."""
    _check_ae(ae)
    if normal is None or normal < 0:
        raise ValidationError({"normal": _("Capacity is a number of deals, zero or more.")})
    if segment not in ("", *Segment.values):
        raise ValidationError({"segment": _("Pick a segment from the list, or none.")})
    before = Capacity.objects.filter(ae=ae).values_list("normal", "segment").first()
    capacity, _created = Capacity.objects.update_or_create(
        ae=ae, defaults={"normal": normal, "segment": segment}
    )
    if before != (normal, segment):
        audit.record(
            audit.Subject.CAPACITY,
            ae.pk,
            audit.Action.CAPACITY,
            by=by,
            field="normal",
            before=f"{before[0]} {before[1]}".strip() if before else "",
            after=f"{normal} {segment}".strip(),
        )
    return capacity


@transaction.atomic
def add_reduction(
    ae: User, *, by: User, capacity: int, start_date, end_date=None, reason: str
) -> CapacityReduction:
    """A dated stretch of lower capacity: leave, firefighting, ramping up."""
    _check_ae(ae)
    errors = {}
    if capacity is None or capacity < 0:
        errors["capacity"] = _("Capacity is a number of deals, zero or more.")
    if end_date is not None and start_date is not None and end_date < start_date:
        errors["end_date"] = _("The end cannot be before the start.")
    if not reason.strip():
        errors["reason"] = _("Say why (leave, firefighting, ramping up ...).")
    if errors:
        raise ValidationError(errors)
    reduction = CapacityReduction.objects.create(
        ae=ae, capacity=capacity, start_date=start_date, end_date=end_date, reason=reason.strip()
    )
    audit.record(
        audit.Subject.CAPACITY,
        ae.pk,
        audit.Action.REDUCTION_ADDED,
        by=by,
        after=f"{capacity}: {start_date} – {end_date or '…'} ({reduction.reason})",
    )
    return reduction


@transaction.atomic
def remove_reduction(reduction: CapacityReduction, *, by: User) -> None:
    """Ends a stretch of lower capacity early by deleting it; the trail keeps what it was."""
    _check_ae(reduction.ae)
    audit.record(
        audit.Subject.CAPACITY,
        reduction.ae_id,
        audit.Action.REDUCTION_REMOVED,
        by=by,
        before=f"{reduction.capacity}: {reduction.start_date} – {reduction.end_date or '…'}",
    )
    reduction.delete()
