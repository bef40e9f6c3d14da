from rest_framework import serializers

from .models import Certainty, Handoff, Opportunity, RejectionReason


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
        ]
        read_only_fields = fields


class HandoffSerializer(serializers.ModelSerializer):
    sdr = serializers.EmailField(source="sdr.email", read_only=True)
    ae = serializers.EmailField(source="ae.email", read_only=True)
    company = serializers.CharField(source="lead.account.name", read_only=True)
    opportunity = OpportunitySerializer(read_only=True, allow_null=True, default=None)

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
    lead = serializers.IntegerField()
    ae = serializers.IntegerField(help_text="The AE's user id.")
    certainty = serializers.ChoiceField(choices=Certainty.choices)
    comment = serializers.CharField()
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")


class AcceptInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=1)


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RejectionReason.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


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
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=1)


class OpportunityCloseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("won", "won"), ("lost", "lost")])
    amount_at_close = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=1, required=False
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReductionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    capacity = serializers.IntegerField(min_value=0, max_value=500)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=200)


class CapacitySerializer(serializers.Serializer):
    ae = serializers.EmailField(read_only=True)
    normal = serializers.IntegerField(min_value=0, max_value=500)
    segment = serializers.CharField(required=False, allow_blank=True, default="")
    reductions = ReductionSerializer(many=True, read_only=True)
