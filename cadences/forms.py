from django import forms
from django.utils.translation import gettext_lazy as _

from sdr_ops.models import qualification_label

from .domain import StepData, VariantData
from .models import Step


class NewCadenceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)


class StepForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("(no step)")), *Step.Type.choices],
        required=False,
    )
    offset_days = forms.IntegerField(
        label=_("Working days after the previous step"), min_value=0, max_value=60, initial=0
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
    subject = forms.CharField(label=_("E-mail subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("E-mail text"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aims_at"].choices = [(i, qualification_label(i)) for i in items]

    def step(self) -> StepData | None:
        data = self.cleaned_data
        if not data.get("type"):
            return None
        variants = []
        if data["type"] == Step.Type.EMAIL:
            variants = [VariantData(subject=data.get("subject", ""), body=data.get("body", ""))]
        return StepData(
            type=data["type"],
            offset_days=data.get("offset_days") or 0,
            instruction=data.get("instruction", ""),
            aims_at=list(data.get("aims_at") or []),
            variants=variants,
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
        variant = next(iter(step.variants.all()), None)
        rows.append(
            {
                "type": step.type,
                "offset_days": step.offset_days,
                "instruction": step.instruction,
                "aims_at": step.aims_at,
                "subject": variant.subject if variant else "",
                "body": variant.body if variant else "",
            }
        )
    return rows
