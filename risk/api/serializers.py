"""Serializers of risk's API: assessments, alerts and their decisions, rules, rule changes and previews."""

from rest_framework import serializers

from ..models import Alert, RiskAssessment, RiskRule


class RiskAssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskAssessment
        fields = [
            "score",
            "threshold",
            "hits",
            "decision",
            "reason_code",
            "credit_level",
            "draw_seed",
            "draw_rate",
            "draw_value",
            "selected_for_inspection",
            "inspector",
            "inspector_conflicts",
            "created_at",
        ]


class AlertSerializer(serializers.ModelSerializer):
    assessment = RiskAssessmentSerializer(read_only=True)
    inventory_cop_no = serializers.CharField(source="inventory.cop_no", read_only=True)
    inventory_status = serializers.CharField(source="inventory.status", read_only=True)
    ebc_code = serializers.CharField(source="inventory.ebc_code", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "inventory",
            "inventory_cop_no",
            "inventory_status",
            "ebc_code",
            "score",
            "rules",
            "status",
            "outcome",
            "reason",
            "decided_by",
            "decided_at",
            "created_at",
            "assessment",
        ]


class AlertDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RiskRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskRule
        fields = ["code", "version", "name", "description", "weight", "parameters", "enabled", "created_at"]


class RiskRuleChangeSerializer(serializers.Serializer):
    weight = serializers.IntegerField(min_value=0, max_value=1000, required=False)
    enabled = serializers.BooleanField(required=False)
    parameters = serializers.DictField(required=False)


class RulePreviewSerializer(serializers.Serializer):
    parameters = serializers.DictField(required=False, default=dict)
    days = serializers.IntegerField(min_value=1, max_value=31, required=False, default=7)
