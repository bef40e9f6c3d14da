from rest_framework import serializers

from . import apifields
from .models import Team, User


class TeamSerializer(apifields.ModelSerializer):
    class Meta:
        model = Team
        fields = [
            "slug",
            "name",
            "kind",
            "time_zone",
            "ramp_factors",
            "ratio_band_low",
            "ratio_band_high",
            "max_talk_minutes",
            "currency",
        ]
        read_only_fields = fields


class MeSerializer(apifields.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)
    team = TeamSerializer(source="current_team", read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "first_name", "last_name", "role", "team"]
        read_only_fields = fields
