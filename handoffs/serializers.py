from rest_framework import serializers

from sdr_ops import apifields, limits
from sdr_ops.converters import MAX_ID

from .models import (
    Certainty,
    Handoff,
    Opportunity,
    PraisePost,
    PraiseReaction,
    RejectionReason,
    Review,
)


class OpportunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Opportunity
        fields = [
            "id",
            "handoff",
            "amount_at_creation",
            "amount",
            "created_at",
            "status",
            "amount_at_close",
            "closed_at",
            "loss_reason",
            "stage",
            "expected_close",
            "next_step",
        ]
        read_only_fields = fields


class HandoffSerializer(serializers.ModelSerializer):
    sdr = serializers.EmailField(source="sdr.email", read_only=True)
    ae = serializers.EmailField(source="ae.email", read_only=True)
    company = serializers.CharField(source="lead.account.name", read_only=True)
    opportunity = OpportunitySerializer(read_only=True, allow_null=True, default=None)
    rejection_reason = serializers.ChoiceField(
        choices=RejectionReason.choices, allow_blank=True, read_only=True
    )
    computed_certainty = serializers.CharField(
        read_only=True, help_text="A, B or C from the evidence; empty when none was computed."
    )

    class Meta:
        model = Handoff
        fields = [
            "id",
            "lead",
            "company",
            "sdr",
            "ae",
            "created_at",
            "certainty",
            "computed_certainty",
            "computed_score",
            "certainty_reason",
            "comment",
            "checklist",
            "status",
            "decided_at",
            "rejection_reason",
            "rejection_comment",
            "opportunity",
        ]
        read_only_fields = fields


class HandoffInputSerializer(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    ae = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The AE's user id.")
    certainty = serializers.ChoiceField(choices=Certainty.choices)
    comment = serializers.CharField(max_length=limits.NOTE)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )
    certainty_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=limits.REASON,
        help_text="Why the declared certainty is above the one computed from the evidence.",
    )


class AcceptInputSerializer(serializers.Serializer):
    amount = apifields.AmountField()


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class AeStateSerializer(serializers.Serializer):
    ae = serializers.EmailField(source="ae.email")
    name = serializers.CharField(source="ae.__str__")
    normal_capacity = serializers.IntegerField(source="normal")
    capacity = serializers.IntegerField()
    open_opportunities = serializers.IntegerField()
    pending_handoffs = serializers.IntegerField(source="pending")
    load = serializers.IntegerField()
    room = serializers.IntegerField()
    utilisation = serializers.FloatField(allow_null=True)
    segment = serializers.CharField()
    takes = serializers.ListField(child=serializers.CharField(), source="allowed")


class ValveSerializer(serializers.Serializer):
    team_takes = serializers.ListField(child=serializers.CharField())
    aes = AeStateSerializer(many=True)


class OpportunityUpdateSerializer(serializers.Serializer):
    amount = apifields.AmountField()


class OpportunityCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("won", "won"), ("lost", "lost")])
    amount_at_close = apifields.AmountField(required=False)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=limits.REASON
    )


class ReductionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    capacity = serializers.IntegerField(min_value=0, max_value=500)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=limits.SHORT)


class CapacitySerializer(serializers.Serializer):
    ae = serializers.EmailField(read_only=True)
    normal = serializers.IntegerField(min_value=0, max_value=500)
    segment = serializers.CharField(required=False, allow_blank=True, default="")
    reductions = ReductionSerializer(many=True, read_only=True)


class ReviewSerializer(serializers.ModelSerializer):
    manager = serializers.EmailField(source="manager.email", read_only=True)
    sdr = serializers.EmailField(source="handoff.sdr.email", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "handoff",
            "manager",
            "sdr",
            "rating",
            "feedback",
            "item_notes",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class PraiseSerializer(serializers.ModelSerializer):
    sdr = serializers.CharField(source="sdr.__str__", read_only=True)
    reactions = serializers.SerializerMethodField()

    class Meta:
        model = PraisePost
        fields = ["id", "sdr", "company", "excerpt", "note", "created_at", "reactions"]
        read_only_fields = fields

    def get_reactions(self, post) -> dict[str, int]:
        return {kind: getattr(post, f"n_{kind}", 0) for kind in PraiseReaction.Kind.values}
