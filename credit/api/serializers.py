"""Serializers of credit's API: profiles, adjustments, level decisions, negative-list entries."""

from rest_framework import serializers

from sharing.models import Enterprise

from ..models import CreditEvent, NegativeListEntry


class CreditProfileSerializer(serializers.Serializer):
    """An enterprise's credit: the level in force and, for officials and the enterprise itself, its score."""

    enterprise = serializers.IntegerField(source="enterprise.pk")
    customs_code = serializers.CharField(source="enterprise.customs_code")
    name = serializers.CharField(source="enterprise.name_zh")
    score = serializers.DecimalField(max_digits=7, decimal_places=2)
    level = serializers.CharField(source="level.code")
    level_name = serializers.CharField(source="level.name")
    inspection_rate = serializers.DecimalField(source="level.inspection_rate", max_digits=5, decimal_places=4)
    decided_level = serializers.CharField()
    on_negative_list = serializers.BooleanField()


class CreditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditEvent
        fields = ["id", "kind", "points", "reason", "source_kind", "source_id", "official", "created_at"]


class CreditAdjustSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[CreditEvent.Kind.PENALTY, CreditEvent.Kind.COMMENDATION])
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    reason = serializers.CharField(max_length=500)


class LevelDecisionSerializer(serializers.Serializer):
    level = serializers.CharField(max_length=30, allow_blank=True)
    reason = serializers.CharField(max_length=500)


class NegativeListEntrySerializer(serializers.ModelSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    enterprise_name = serializers.CharField(source="enterprise.name_zh", read_only=True)
    customs_code = serializers.CharField(source="enterprise.customs_code", read_only=True)

    class Meta:
        model = NegativeListEntry
        fields = [
            "id",
            "enterprise",
            "enterprise_name",
            "customs_code",
            "reason",
            "starts_on",
            "ends_on",
            "lifted_at",
        ]
        read_only_fields = ["starts_on", "lifted_at"]
