import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sdr_ops import limits
from sdr_ops.forms import add_errors
from sdr_ops.models import Team

from .domain.qualification import check_answer
from .models import (
    Activity,
    CallListRule,
    Insight,
    QualificationStatus,
    Segment,
    Source,
    Stage,
)

ANY = [("", _("Any"))]


class LeadFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, company, e-mail, phone"),
            }
        ),
    )
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=ANY + Stage.choices)
    segment = forms.ChoiceField(label=_("Segment"), required=False, choices=ANY + Segment.choices)
    source = forms.ChoiceField(label=_("Source"), required=False, choices=ANY + Source.choices)
    owner = forms.TypedChoiceField(
        label=_("Owner"), required=False, coerce=int, empty_value=None, choices=ANY
    )
    last_touch = forms.ChoiceField(
        label=_("Last touch"),
        required=False,
        choices=ANY
        + [
            ("never", _("Never touched")),
            ("today", _("Touched today")),
            ("7d", _("Touched in the last 7 days")),
            ("quiet7", _("Quiet for 7+ days")),
            ("quiet30", _("Quiet for 30+ days")),
        ],
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = ANY + [(u.pk, str(u)) for u in owners]

    def filters(self) -> dict:
        """The valid filters as keyword arguments for queries.filter_leads."""
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class QualificationItemForm(forms.Form):
    """One checklist item as the SDR fills it in during or after a call."""

    status = forms.ChoiceField(
        label=_("Status"), choices=QualificationStatus.choices, widget=forms.RadioSelect
    )
    answer = forms.CharField(
        label=_("Answer"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    questions = forms.CharField(
        label=_("Exact questions used"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("Why not asked"), required=False, max_length=limits.REASON)

    def __init__(self, *args, item: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def clean(self):
        data = super().clean()
        if "status" in data:
            try:
                check_answer(
                    data["status"],
                    data.get("answer", ""),
                    data.get("questions", ""),
                    data.get("reason", ""),
                )
            except ValidationError as exc:
                add_errors(self, exc)
        return data


# A call page open longer than this measures no call.
MAX_CALL = datetime.timedelta(hours=24)

CALL_OUTCOMES = [
    (value, label)
    for value, label in Activity.Outcome.choices
    if value not in (Activity.Outcome.SENT, Activity.Outcome.REPLIED)
]


class LogCallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=CALL_OUTCOMES)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    callback_at = forms.DateTimeField(
        label=_("Callback agreed for"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The next nightly list puts the lead first on that day."),
    )
    insight_topic = forms.ChoiceField(
        label=_("What the market said: topic"),
        required=False,
        choices=[("", "—"), *Insight.Topic.choices],
    )
    insight_quote = forms.CharField(
        label=_("Quote"),
        required=False,
        max_length=limits.REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "How the product is perceived, a competitor, a feature or content asked "
            "for, pricing: in the prospect's words."
        ),
    )
    started_at = forms.DateTimeField(widget=forms.HiddenInput, required=False)
    duration_seconds = forms.IntegerField(
        widget=forms.HiddenInput, min_value=0, max_value=24 * 3600, required=False
    )

    timer_restarted = False

    def started(self) -> datetime.datetime:
        """When this call began as the form carries it: the server's time when call mode
        opened, kept across re-renders; now again after a refusal of the start itself."""
        if self.is_bound and not self.timer_restarted:
            return self.cleaned_data.get("started_at") or timezone.now()
        return self.initial.get("started_at") or timezone.now()

    def restart_timer(self) -> None:
        """After a refusal of the start itself, the form shows a new start: now."""
        now = timezone.now()
        self.initial["started_at"] = now
        self.data = self.data.copy()
        self.data["started_at"] = now.isoformat()
        self.data.pop("duration_seconds", None)

    def clean(self):
        data = super().clean()
        # The start is the server's, set when call mode opened and kept in the form across
        # re-renders; its errors are hidden fields' errors, so they are said at the top.
        started = data.get("started_at")
        now = timezone.now()
        self.timer_restarted = True
        # The hidden fields' own errors ("Enter a valid date/time.") would say nothing to the
        # SDR: the sentences below say what happened.
        self.errors.pop("started_at", None)
        too_long = self.errors.pop("duration_seconds", None) is not None
        if started is None or started > now:
            self.add_error(None, _("The call's start time was lost. The timer starts again now."))
        elif (
            too_long
            or now - started > MAX_CALL
            or (data.get("duration_seconds") or 0) >= MAX_CALL.total_seconds()
        ):
            self.add_error(
                None,
                _(
                    "This call page was opened more than 24 hours ago (%(when)s), so its timer "
                    "measures no call. The timer starts again now: log the call once more."
                )
                % {"when": date_format(timezone.localtime(started), "SHORT_DATETIME_FORMAT")},
            )
        else:
            self.timer_restarted = False
        if data.get("outcome") == Activity.Outcome.CALLBACK and not data.get("callback_at"):
            self.add_error("callback_at", _("Say when the callback was agreed for."))
        if bool(data.get("insight_topic")) != bool((data.get("insight_quote") or "").strip()):
            self.add_error(
                "insight_quote", _("An insight needs both a topic and the prospect's words.")
            )
        return data


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("Why skip?"), max_length=limits.SHORT)


class CallListRuleForm(forms.ModelForm):
    stages = forms.MultipleChoiceField(
        label=_("Stage in"),
        required=False,
        choices=Stage.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    segments = forms.MultipleChoiceField(
        label=_("Segment in"),
        required=False,
        choices=Segment.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    sources = forms.MultipleChoiceField(
        label=_("Source in"),
        required=False,
        choices=Source.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CallListRule
        fields = [
            "position",
            "name",
            "callback_due",
            "never_touched",
            "stages",
            "segments",
            "sources",
            "min_days_since_touch",
            "max_attempts",
            "order",
            "cap",
        ]
        widgets = {"position": forms.NumberInput(attrs={"min": 1, "class": "narrow"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = _("Order in which the rules take leads.")
        self.fields["cap"].help_text = _("At most this many leads per SDR from this rule.")


class TeamCallListForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["call_list_size", "call_list_build_time"]
        widgets = {"call_list_build_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


MAX_RULES = 30

CallListRuleFormSet = forms.inlineformset_factory(
    Team,
    CallListRule,
    form=CallListRuleForm,
    extra=1,
    can_delete=True,
    # A posted form count is believed up to here only: a forged TOTAL_FORMS of 10**22 would
    # otherwise build, check and render Django's 2,000 forms.
    max_num=MAX_RULES,
    absolute_max=MAX_RULES,
    validate_max=True,
)


class LogTouchForm(forms.Form):
    """An e-mail, message or meeting logged from the lead brief (calls go through call mode)."""

    type = forms.ChoiceField(
        label=_("Type"),
        choices=[(v, label) for v, label in Activity.Type.choices if v != Activity.Type.CALL],
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Activity.Outcome.choices, initial=Activity.Outcome.SENT
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
