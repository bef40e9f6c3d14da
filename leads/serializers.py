from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sdr_ops import apifields, limits
from sdr_ops.converters import MAX_ID

from .models import (
    Account,
    Activity,
    CallList,
    CallListEntry,
    DisqualifyReason,
    Insight,
    Lead,
    QualificationStatus,
    Task,
)


class AccountSerializer(apifields.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "segment", "size", "industry"]
        read_only_fields = fields


class LeadSerializer(apifields.ModelSerializer):
    account = AccountSerializer(read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True)
    last_touch = apifields.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "external_id",
            "first_name",
            "last_name",
            "title",
            "email",
            "phone",
            "source",
            "stage",
            "do_not_call",
            "owner",
            "account",
            "created_at",
            "last_touch",
        ]
        read_only_fields = fields


class ActivitySerializer(apifields.ModelSerializer):
    sdr = serializers.EmailField(source="sdr.email", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "lead", "sdr", "type", "outcome", "started_at", "duration_seconds", "notes"]
        read_only_fields = fields


class LeadFilterSerializer(serializers.Serializer):
    """The query parameters of the lead list, as on the page."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stage = apifields.EnumParameter(choices=Lead._meta.get_field("stage").choices, required=False)
    segment = apifields.EnumParameter(
        choices=Account._meta.get_field("segment").choices, required=False
    )
    source = apifields.EnumParameter(choices=Lead._meta.get_field("source").choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    last_touch = apifields.EnumParameter(
        choices=["never", "today", "7d", "quiet7", "quiet30"], required=False
    )


class ActivityInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=Activity.Type.choices)
    outcome = serializers.ChoiceField(choices=Activity.Outcome.choices)
    started_at = apifields.DateTimeField(required=False)
    duration_seconds = serializers.IntegerField(min_value=0, max_value=24 * 3600, default=0)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE
    )
    callback_at = apifields.DateTimeField(required=False, allow_null=True, default=None)
    # What the outcome does to the lead (leads.domain.log_activity): not interested goes to
    # nurture until `retry_on` or is disqualified for `disqualify_reason`; a wrong number
    # takes `new_phone`.
    next_step = serializers.ChoiceField(
        choices=["nurture", "disqualify"], required=False, allow_blank=True, default=""
    )
    retry_on = apifields.DateField(required=False, allow_null=True, default=None)
    disqualify_reason = serializers.ChoiceField(
        choices=DisqualifyReason.choices, required=False, allow_blank=True, default=""
    )
    new_phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)


class QualificationSerializer(serializers.Serializer):
    item = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=QualificationStatus.choices)
    answer = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE
    )
    questions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.NOTE
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )
    updated_by = serializers.EmailField(
        source="updated_by.email", read_only=True, allow_null=True, default=None
    )
    updated_at = apifields.DateTimeField(read_only=True, allow_null=True)


class CallListEntrySerializer(apifields.ModelSerializer):
    lead = LeadSerializer(read_only=True)

    class Meta:
        model = CallListEntry
        fields = [
            "id",
            "position",
            "reason",
            "added_by_hand",
            "status",
            "skip_reason",
            "done_at",
            "lead",
        ]
        read_only_fields = fields


class CallListSerializer(apifields.ModelSerializer):
    entries = CallListEntrySerializer(many=True, read_only=True)

    class Meta:
        model = CallList
        fields = ["id", "day", "built_at", "reviewed_at", "entries"]
        read_only_fields = fields


class SkipInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=limits.SHORT)


class InsightSerializer(apifields.ModelSerializer):
    sdr = serializers.EmailField(source="sdr.email", read_only=True)
    company = serializers.CharField(source="lead.account.name", read_only=True)
    segment = serializers.CharField(source="lead.account.segment", read_only=True)

    class Meta:
        model = Insight
        fields = ["id", "lead", "topic", "quote", "sdr", "company", "segment", "created_at"]
        read_only_fields = ["id", "sdr", "company", "segment", "created_at"]
        extra_kwargs = {"lead": {"queryset": Lead.objects.all()}}


class InsightInputSerializer(apifields.ModelSerializer):
    """A new insight: the lead by id, found through the access helper, so that a missing lead
    and another team's answer alike (404)."""

    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    class Meta:
        model = Insight
        fields = ["lead", "topic", "quote"]


def _sane_due(value):
    if not (1900 <= value.year <= 2100):
        raise serializers.ValidationError(_("Pick a date between 1900 and 2100."))
    return value


class TaskSerializer(apifields.ModelSerializer):
    class Meta:
        model = Task
        fields = ["id", "lead", "sdr", "kind", "due_at", "note", "created_at", "done_at"]
        read_only_fields = fields


class TaskInputSerializer(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=Task.Kind.choices)
    due_at = serializers.DateTimeField(validators=[_sane_due])
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class TaskMoveSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(validators=[_sane_due])
