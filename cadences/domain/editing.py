"""A manager builds a cadence: its name and status, its steps and their e-mail variants.

Versioning: the steps of a cadence belong to its current version. Saving steps while leads
are enrolled on the current version (active or paused) makes a new version, so those leads
finish on the steps they started; otherwise the current version's steps are replaced.
Concurrency: saving locks the cadence row, so two managers saving at once make two versions
one after the other, never a mixture of their steps.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sdr_ops import audit
from sdr_ops.models import Team, User

from .. import merge
from ..models import Cadence, CadenceVersion, EmailVariant, Enrollment, Step
from .previews import check_previewed

MAX_STEPS = 30


@dataclass
class VariantData:
    subject: str
    body: str
    label: str = "A"
    weight: int = 1


@dataclass
class StepData:
    type: str
    offset_days: int = 0
    instruction: str = ""
    aims_at: list[str] = field(default_factory=list)
    variants: list[VariantData] = field(default_factory=list)
    manual: bool = False


@transaction.atomic
def create_cadence(team: Team, *, name: str, by: User) -> Cadence:
    """A new draft cadence with an empty first version."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the cadence a name.")})
    try:
        with transaction.atomic():
            cadence = Cadence.objects.create(team=team, name=name)
    except IntegrityError as exc:
        raise ValidationError(
            {"name": _("The team already has a cadence with this name.")}
        ) from exc
    CadenceVersion.objects.create(cadence=cadence, number=1)
    audit.record(audit.Subject.CADENCE, cadence.pk, audit.Action.CADENCE_SAVED, by=by, after=name)
    return cadence


def check_steps(team: Team, steps: list[StepData]) -> None:
    """ValidationError unless the steps can run: 1 to 30 of them, e-mail steps with at least
    one variant whose fields are known, items aimed at from the team's checklist."""
    if not steps:
        raise ValidationError(_("A cadence needs at least one step."))
    if len(steps) > MAX_STEPS:
        raise ValidationError(_("A cadence has at most %(n)s steps.") % {"n": MAX_STEPS})
    items = set(team.qualification_items)
    for number, step in enumerate(steps, start=1):
        if step.type not in Step.Type.values:
            raise ValidationError(_("Step %(n)s: unknown type.") % {"n": number})
        if not 0 <= step.offset_days <= 60:
            raise ValidationError(
                _("Step %(n)s: the delay is 0 to 60 working days.") % {"n": number}
            )
        unknown = [item for item in step.aims_at if item not in items]
        if unknown:
            raise ValidationError(
                _("Step %(n)s aims at items not on the team's checklist: %(items)s.")
                % {"n": number, "items": ", ".join(unknown)}
            )
        if step.type == Step.Type.EMAIL:
            if not step.variants:
                raise ValidationError(
                    _("Step %(n)s: an e-mail step needs a subject and a text.") % {"n": number}
                )
            labels = [variant.label for variant in step.variants]
            if len(set(labels)) != len(labels):
                raise ValidationError(
                    _("Step %(n)s: each variant needs a label of its own.") % {"n": number}
                )
            for variant in step.variants:
                if not 1 <= variant.weight <= 100:
                    raise ValidationError(
                        _("Step %(n)s: a variant's weight is 1 to 100.") % {"n": number}
                    )
                if not variant.subject.strip() or not variant.body.strip():
                    raise ValidationError(
                        _("Step %(n)s: an e-mail step needs a subject and a text.") % {"n": number}
                    )
                merge.check(variant.subject)
                merge.check(variant.body)


@transaction.atomic
def save_steps(cadence: Cadence, steps: list[StepData], *, by: User) -> CadenceVersion:
    """Replaces the cadence's steps, as a new version when leads are enrolled on the current
    one (see the module's docstring). Returns the version now current."""
    check_steps(cadence.team, steps)
    cadence = Cadence.objects.select_for_update().get(pk=cadence.pk)
    if cadence.status == Cadence.Status.ACTIVE:
        check_previewed(
            cadence,
            [
                (number, variant.label or "A", variant.subject, variant.body)
                for number, step in enumerate(steps, start=1)
                if step.type == Step.Type.EMAIL
                for variant in step.variants
            ],
        )
    version = cadence.versions.get(number=cadence.version)
    in_use = Enrollment.objects.filter(version=version, state__in=Enrollment.OPEN).exists()
    if in_use:
        cadence.version += 1
        cadence.save(update_fields=["version"])
        version = CadenceVersion.objects.create(cadence=cadence, number=cadence.version)
        action = audit.Action.CADENCE_VERSIONED
    else:
        version.steps.all().delete()
        action = audit.Action.CADENCE_SAVED
    made = Step.objects.bulk_create(
        Step(
            version=version,
            position=number,
            offset_days=step.offset_days,
            type=step.type,
            instruction=step.instruction.strip(),
            aims_at=list(step.aims_at),
            manual=step.manual and step.type == Step.Type.EMAIL,
        )
        for number, step in enumerate(steps, start=1)
    )
    EmailVariant.objects.bulk_create(
        EmailVariant(
            step=made_step,
            label=variant.label or "A",
            subject=variant.subject.strip(),
            body=variant.body,
            weight=variant.weight,
        )
        for made_step, step in zip(made, steps, strict=True)
        if step.type == Step.Type.EMAIL
        for variant in step.variants
    )
    audit.record(
        audit.Subject.CADENCE,
        cadence.pk,
        action,
        by=by,
        field="version",
        after=version.number,
    )
    return version


@transaction.atomic
def set_status(cadence: Cadence, status: str, *, by: User) -> Cadence:
    """Activates, archives or returns a cadence to draft; only a cadence with steps, whose
    e-mail was previewed (previews.py), runs."""
    if status not in Cadence.Status.values:
        raise ValidationError(_("Unknown status."))
    cadence = Cadence.objects.select_for_update().get(pk=cadence.pk)
    if status == Cadence.Status.ACTIVE and not cadence.current().steps.exists():
        raise ValidationError(_("Add a step before activating the cadence."))
    if status == Cadence.Status.ACTIVE:
        check_previewed(cadence)
    before, cadence.status = cadence.status, status
    cadence.save(update_fields=["status"])
    audit.record(
        audit.Subject.CADENCE,
        cadence.pk,
        audit.Action.CADENCE_SAVED,
        by=by,
        field="status",
        before=before,
        after=status,
    )
    return cadence
