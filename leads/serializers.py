from rest_framework import serializers

from .models import Account, Activity, Lead


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "segment", "size", "industry"]
        read_only_fields = fields


class LeadSerializer(serializers.ModelSerializer):
    account = AccountSerializer(read_only=True)
    owner = serializers.EmailField(source="owner.email", read_only=True)
    last_touch = serializers.DateTimeField(read_only=True, allow_null=True)

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


class ActivitySerializer(serializers.ModelSerializer):
    sdr = serializers.EmailField(source="sdr.email", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "lead", "sdr", "type", "outcome", "started_at", "duration_seconds", "notes"]
        read_only_fields = fields


class LeadFilterSerializer(serializers.Serializer):
    """The query parameters of the lead list, as on the page."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    stage = serializers.ChoiceField(choices=Lead._meta.get_field("stage").choices, required=False)
    segment = serializers.ChoiceField(
        choices=Account._meta.get_field("segment").choices, required=False
    )
    source = serializers.ChoiceField(choices=Lead._meta.get_field("source").choices, required=False)
    owner = serializers.IntegerField(required=False, min_value=1)
    last_touch = serializers.ChoiceField(
        choices=["never", "today", "7d", "quiet7", "quiet30"], required=False
    )
