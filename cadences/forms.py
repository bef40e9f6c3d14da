from django import forms
from django.utils.translation import gettext_lazy as _

from sdr_ops.models import qualification_label

from .domain import StepData, VariantData
from .domain.previews import digest
from .models import Step


class NewCadenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


VARIANT_SLOTS = (("", "A"), ("_b", "B"), ("_c", "C"), ("_d", "D"))


class StepForm(forms.Form):
    """One step; an e-mail step has up to four variants (A to D) sent by weight."""

    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("(no step)")), *Step.Type.choices],
        required=False,
    )
    offset_days = forms.IntegerField(
        label=_("Working days after the previous step"), min_value=0, max_value=60, initial=0
    )
    manual = forms.BooleanField(
        label=_("Sent by hand: the SDR reviews the e-mail and sends it"), required=False
    )
    instruction = forms.CharField(
        label=_("Script or instruction"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    aims_at = forms.MultipleChoiceField(
        label=_("Checklist items it aims at"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aims_at"].choices = [(i, qualification_label(i)) for i in items]
        for suffix, label in VARIANT_SLOTS:
            self.fields["subject" + suffix] = forms.CharField(
                label=_("Subject of variant %(label)s") % {"label": label},
                max_length=200,
                required=False,
            )
            self.fields["body" + suffix] = forms.CharField(
                label=_("Text of variant %(label)s") % {"label": label},
                max_length=10000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields["weight" + suffix] = forms.IntegerField(
                label=_("Weight of variant %(label)s") % {"label": label},
                min_value=1,
                max_value=100,
                required=False,
                initial=1,
            )
            self.fields["remove" + suffix] = forms.BooleanField(
                label=_("Remove variant %(label)s") % {"label": label}, required=False
            )
        self.previews: dict[str, object] = {}
        self.previewed: frozenset[str] = frozenset()  # digests of the wordings previewed

    def raw_variant(self, suffix: str) -> tuple[str, str]:
        """The subject and text as typed (for a preview of an unsaved edit)."""
        return (
            str(self.data.get(self.add_prefix("subject" + suffix), ""))[:200],
            str(self.data.get(self.add_prefix("body" + suffix), ""))[:10000],
        )

    def slots(self) -> list[dict]:
        """The variant slots for the page: label, fields, whether it holds a variant, and
        its preview when one was asked for."""
        rows = []
        for suffix, label in VARIANT_SLOTS:
            subject, body = (
                self.raw_variant(suffix)
                if self.is_bound
                else (
                    self.initial.get("subject" + suffix, ""),
                    self.initial.get("body" + suffix, ""),
                )
            )
            rows.append(
                {
                    "suffix": suffix or "_a",
                    "label": label,
                    "subject": self["subject" + suffix],
                    "body": self["body" + suffix],
                    "weight": self["weight" + suffix],
                    "remove": self["remove" + suffix],
                    "used": bool(subject.strip() or body.strip()) or not suffix,
                    "preview": self.previews.get(suffix),
                    "previewed": bool(subject.strip() or body.strip())
                    and digest(subject, body) in self.previewed,
                }
            )
        return rows

    def clean(self):
        data = super().clean()
        if data.get("manual") and data.get("type") in (Step.Type.CALL, Step.Type.TASK):
            self.add_error(
                "manual", _("Only an e-mail step is sent by hand: untick it for a call or a task.")
            )
        if data.get("type") != Step.Type.EMAIL:
            return data
        present = 0
        for suffix, _label in VARIANT_SLOTS:
            subject = (data.get("subject" + suffix) or "").strip()
            body = (data.get("body" + suffix) or "").strip()
            if data.get("remove" + suffix) or not (subject or body):
                continue
            present += 1
            if not subject:
                self.add_error("subject" + suffix, _("A variant needs a subject."))
            if not body:
                self.add_error("body" + suffix, _("A variant needs a text."))
        if not present:
            raise forms.ValidationError(_("An e-mail step needs at least one variant."))
        return data

    def step(self) -> StepData | None:
        data = self.cleaned_data
        if not data.get("type"):
            return None
        variants = []
        if data["type"] == Step.Type.EMAIL:
            variants = [
                VariantData(
                    subject=data.get("subject" + suffix) or "",
                    body=data.get("body" + suffix) or "",
                    label=label,
                    weight=data.get("weight" + suffix) or 1,
                )
                for suffix, label in VARIANT_SLOTS
                if not data.get("remove" + suffix)
                and (
                    (data.get("subject" + suffix) or "").strip()
                    or (data.get("body" + suffix) or "").strip()
                )
            ]
        return StepData(
            type=data["type"],
            offset_days=data.get("offset_days") or 0,
            instruction=data.get("instruction", ""),
            aims_at=list(data.get("aims_at") or []),
            variants=variants,
            manual=bool(data.get("manual")) and data["type"] == Step.Type.EMAIL,
        )


class PreviewLeadForm(forms.Form):
    preview_lead = forms.CharField(
        label=_("Preview with the lead"),
        max_length=100,
        required=False,
        help_text=_("A name, company or address; empty: the team's first lead."),
    )


class BaseStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, items=(), **kwargs):
        self.items = items
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"items": self.items}

    def steps(self) -> list[StepData]:
        return [step for form in self.forms if (step := form.step())]


StepFormSet = forms.formset_factory(
    StepForm, formset=BaseStepFormSet, extra=3, max_num=30, absolute_max=30
)


def initial_steps(version) -> list[dict]:
    rows = []
    for step in version.steps.prefetch_related("variants").order_by("position"):
        row = {
            "type": step.type,
            "offset_days": step.offset_days,
            "manual": step.manual,
            "instruction": step.instruction,
            "aims_at": step.aims_at,
        }
        for (suffix, _label), variant in zip(VARIANT_SLOTS, step.variants.all(), strict=False):
            row["subject" + suffix] = variant.subject
            row["body" + suffix] = variant.body
            row["weight" + suffix] = variant.weight
        rows.append(row)
    return rows
