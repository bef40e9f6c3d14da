import datetime

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from sdr_ops import calendar, limits
from sdr_ops.forms import add_errors
from sdr_ops.models import Team

from .domain import stages
from .domain.activities import DISQUALIFY, NURTURE
from .domain.calllists import EXCLUDED_STAGES
from .domain.leads import check_phone
from .domain.qualification import check_answer
from .models import (
    OUTCOMES_BY_TYPE,
    Activity,
    CallListRule,
    DisqualifyReason,
    Insight,
    Lead,
    QualificationStatus,
    Segment,
    Source,
    Stage,
    Task,
    outcome_choices,
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


NONE = [("", "—")]
# A call page open longer than this measures no call.
MAX_CALL = datetime.timedelta(hours=24)


class SignedMomentField(forms.Field):
    """A moment the server chose (when call mode opened), carried by the page as a signed
    value: the browser keeps it across re-renders but cannot move it, so the call's start is
    the server's record. A value that is not the server's own reads as lost (None)."""

    widget = forms.HiddenInput
    salt = "leads.call-start"

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime):
            return signing.dumps(value.isoformat(), salt=self.salt, compress=True)
        return value

    def to_python(self, value):
        if isinstance(value, datetime.datetime) or not value:
            return value or None
        try:
            return datetime.datetime.fromisoformat(signing.loads(value, salt=self.salt))
        except (signing.BadSignature, TypeError, ValueError):
            return None


class OutcomeFollowUp(forms.Form):
    """What an outcome does to the lead, asked beside it: a lead not interested is nurtured
    until a date or disqualified for a reason; a wrong number is corrected on the spot."""

    next_step = forms.ChoiceField(
        label=_("Not interested: what now?"),
        required=False,
        choices=[
            (NURTURE, _("Nurture: try again on a later date")),
            (DISQUALIFY, _("Disqualify")),
        ],
        widget=forms.RadioSelect,
    )
    retry_on = forms.DateField(
        label=_("Try again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    disqualify_reason = forms.ChoiceField(
        label=_("Why disqualify"), required=False, choices=NONE + DisqualifyReason.choices
    )
    new_phone = forms.CharField(
        label=_("The right number"),
        required=False,
        max_length=40,
        help_text=_("Wrong number: type the right one if you have it; the change is recorded."),
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_new_phone(self):
        try:
            return check_phone(self.cleaned_data["new_phone"], field="new_phone")
        except ValidationError as error:
            raise ValidationError(error.message_dict["new_phone"]) from error

    def check_follow_up(self, data: dict) -> None:
        """The follow-up fields the outcome needs (call from clean())."""
        if data.get("outcome") != Activity.Outcome.NOT_INTERESTED:
            data["next_step"] = ""
            return
        step = data.get("next_step")
        if not step:
            self.add_error(
                "next_step",
                _("Not interested: nurture with a date to try again, or disqualify with a reason."),
            )
        elif step == NURTURE:
            try:
                stages.check_retry_on(data.get("retry_on"), today=self.today)
            except ValidationError as error:
                add_errors(self, error)
        elif step == DISQUALIFY:
            try:
                stages.check_disqualify_reason(data.get("disqualify_reason", ""))
            except ValidationError as error:
                add_errors(self, error)


class LogCallForm(OutcomeFollowUp):
    # Nothing preselected: the SDR says what happened, the form never guesses "connected".
    outcome = forms.ChoiceField(label=_("Outcome"), choices=NONE + outcome_choices("call"))
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
    started_at = SignedMomentField()
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
        self.data["started_at"] = self.fields["started_at"].prepare_value(now)
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
        self.check_follow_up(data)
        return data

    field_order = ["outcome", "next_step", "retry_on", "disqualify_reason", "new_phone"]


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("Why skip?"), max_length=limits.SHORT)


def _due_field(label) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _check_due(due):
    """A due time within a sane range (the calendar's years): never an overflow later."""
    if due is not None and not (calendar.FIRST_YEAR <= due.year <= calendar.LAST_YEAR):
        raise forms.ValidationError(_("Pick a date between 1900 and 2100."))
    return due


class TaskForm(forms.Form):
    """A follow-up the SDR sets on a lead: what, and when it is due."""

    kind = forms.ChoiceField(label=_("Task"), choices=Task.Kind.choices)
    due_at = _due_field(_("Due"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def clean_due_at(self):
        return _check_due(self.cleaned_data.get("due_at"))


class MoveTaskForm(forms.Form):
    due_at = _due_field(_("Move to"))

    def clean_due_at(self):
        return _check_due(self.cleaned_data.get("due_at"))


class CallListRuleForm(forms.ModelForm):
    # Stages whose leads are never on a list (with the AE, or closed) are not offered.
    stages = forms.MultipleChoiceField(
        label=_("Stage in"),
        required=False,
        choices=[(v, label) for v, label in Stage.choices if v not in EXCLUDED_STAGES],
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


TOUCH_TYPES = [(v, label) for v, label in Activity.Type.choices if v != Activity.Type.CALL]


class LogTouchForm(OutcomeFollowUp):
    """An e-mail, message or meeting logged from the lead brief (calls go through call mode).
    The outcomes are grouped by channel, and the server takes only the channel's own."""

    type = forms.ChoiceField(label=_("Type"), choices=TOUCH_TYPES)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(label, outcome_choices(value)) for value, label in TOUCH_TYPES],
        initial=Activity.Outcome.SENT,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=limits.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = ["type", "outcome", "notes", "next_step", "retry_on", "disqualify_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["new_phone"]  # a wrong number is a call's outcome

    def clean(self):
        data = super().clean()
        if data.get("type") and data.get("outcome") not in OUTCOMES_BY_TYPE[data["type"]]:
            self.add_error("outcome", _("Choose an outcome this kind of touch can have."))
        self.check_follow_up(data)
        return data


ACCOUNT_NEW = "new"


class LeadForm(forms.Form):
    """A lead made or edited by hand: the company picked by name (a new name makes a new
    company, with its segment), the contact, the source and, for a manager, the owner."""

    company = forms.CharField(
        label=_("Company"),
        max_length=200,
        widget=forms.TextInput(attrs={"list": "companies", "autocomplete": "off"}),
        help_text=_("Pick a company from the list or type a new one."),
    )
    segment = forms.ChoiceField(
        label=_("Segment (new company)"), required=False, choices=NONE + Segment.choices
    )
    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    title = forms.CharField(label=_("Title"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    owner = forms.ModelChoiceField(label=_("Owner SDR"), queryset=None, empty_label=None)

    def __init__(self, *args, owners=None, lead: Lead | None = None, **kwargs):
        # Unbound (a GET: the view passes `request.POST or None`), the form shows the lead.
        bound = bool(args and args[0] is not None) or kwargs.get("data") is not None
        if lead is not None and not bound:
            kwargs["initial"] = {
                "company": lead.account.name,
                **{name: getattr(lead, name) for name in ("first_name", "last_name", "title")},
                **{name: getattr(lead, name) for name in ("email", "phone", "source")},
                "owner": lead.owner_id,
            }
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = owners

    def clean_phone(self):
        try:
            return check_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["phone"]) from error

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone") and "email" not in self.errors:
            self.add_error("email", _("An e-mail or a phone number is needed."))
        return data


BULK_ACTIONS = [
    ("list", _("Add to tomorrow's call list")),
    ("nurture", _("Nurture until a date")),
    ("disqualify", _("Disqualify")),
    ("reassign", _("Give to another SDR")),
]
# The most leads one bulk action takes at once (a page holds 50; "select all" more).
BULK_MAX = 1000


class IdListField(forms.Field):
    """Ids of rows ticked in a list (checkboxes of one name), each a positive id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        try:
            ids = sorted({int(v) for v in values})
        except (TypeError, ValueError) as error:
            raise ValidationError(_("Tick the leads in the list.")) from error
        if any(not 0 < pk < 10**18 for pk in ids):
            raise ValidationError(_("Tick the leads in the list."))
        return ids


class BulkForm(forms.Form):
    """A bulk action on the leads ticked in the list; reassigning is a manager's only."""

    leads = IdListField(
        label=_("Leads"), error_messages={"required": _("Tick the leads to act on first.")}
    )
    action = forms.ChoiceField(label=_("With the selected leads"), choices=BULK_ACTIONS)
    retry_on = forms.DateField(
        label=_("Try again on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    disqualify_reason = forms.ChoiceField(
        label=_("Why disqualify"), required=False, choices=NONE + DisqualifyReason.choices
    )
    owner = forms.TypedChoiceField(
        label=_("New owner"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args, owners=None, **kwargs):
        """`owners`: the SDRs a manager may give leads to, read once (the list page offers
        the same people in its filter); None for an SDR, who reassigns nothing. Its ids are
        its own, apart from the filter form's on the same page."""
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        if owners is None:
            del self.fields["owner"]
            self.fields["action"].choices = BULK_ACTIONS[:3]
        else:
            self.owners = {u.pk: u for u in owners}
            self.fields["owner"].choices = NONE + [(pk, str(u)) for pk, u in self.owners.items()]

    def clean_owner(self):
        pk = self.cleaned_data.get("owner")
        return self.owners.get(pk) if pk is not None else None

    def clean_leads(self):
        ids = self.cleaned_data["leads"]
        if len(ids) > BULK_MAX:
            raise ValidationError(_("At most %(n)s leads at once.") % {"n": BULK_MAX})
        return ids

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "reassign" and not data.get("owner"):
            self.add_error("owner", _("Choose the SDR who gets the leads."))
        if action == "disqualify" and not data.get("disqualify_reason"):
            self.add_error("disqualify_reason", _("Choose why the lead is disqualified."))
        if action == "nurture" and not data.get("retry_on"):
            self.add_error("retry_on", _("Say when to try this lead again."))
        return data
