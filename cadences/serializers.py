from django.utils.translation import gettext as _
from rest_framework import serializers

from .models import Cadence, Enrollment, Step, StepRun


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["position", "offset_days", "type", "instruction", "aims_at", "manual"]


class CadenceSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Cadence
        fields = ["id", "team", "name", "status", "version", "steps"]

    def get_steps(self, cadence: Cadence) -> list[dict]:
        steps = [
            s for v in cadence.versions.all() if v.number == cadence.version for s in v.steps.all()
        ]
        return StepSerializer(steps, many=True).data


class EnrollmentSerializer(serializers.ModelSerializer):
    cadence = serializers.IntegerField(source="version.cadence_id", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "lead",
            "cadence",
            "version",
            "sdr",
            "step",
            "steps",
            "next_due",
            "state",
            "finish_reason",
            "starts_on",
            "resume_on",
            "enrolled_at",
            "finished_at",
        ]
        read_only_fields = fields


class StepRunSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="step.position", read_only=True)
    variant = serializers.CharField(source="variant.label", read_only=True, default=None)

    class Meta:
        model = StepRun
        fields = [
            "id",
            "enrollment",
            "position",
            "outcome",
            "reason",
            "variant",
            "message_id",
            "connected",
            "replied_at",
            "at",
        ]
        read_only_fields = fields


class EnrolInputSerializer(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, max_value=2**62)
    cadence = serializers.IntegerField(min_value=1, max_value=2**62)


class PauseInputSerializer(serializers.Serializer):
    until = serializers.DateField(required=False, allow_null=True)

    def validate_until(self, value):
        if value is not None and not 1900 <= value.year <= 2100:
            raise serializers.ValidationError(_("Give a day in the years 1900-2100."))
        return value


class FinishInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(
        choices=[Enrollment.Reason.MANUAL, Enrollment.Reason.DISQUALIFIED]
    )
