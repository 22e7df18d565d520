"""Serializers of parks' API: zones, parks and their services, applications and their decisions."""

from rest_framework import serializers

from ..models import Park, ParkApplication, ParkService, Zone


class ZoneSerializer(serializers.ModelSerializer):
    park_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Zone
        fields = ["id", "slug", "name_zh", "name_en", "city", "batch", "approval_date", "park_count"]


class ParkServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ParkService
        fields = ["code", "name_zh", "name_en", "description"]


class ParkSerializer(serializers.ModelSerializer):
    zone = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    services = ParkServiceSerializer(many=True, read_only=True)
    enterprise_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Park
        fields = [
            "id",
            "slug",
            "zone",
            "name_zh",
            "name_en",
            "district",
            "kind",
            "area_km2",
            "services",
            "enterprise_count",
        ]


class ParkApplicationSerializer(serializers.ModelSerializer):
    park = serializers.SlugRelatedField(slug_field="slug", queryset=Park.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(read_only=True)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    class Meta:
        model = ParkApplication
        fields = ["id", "enterprise", "park", "message", "status", "reason", "decided_at", "created_at"]
        read_only_fields = ["status", "reason", "decided_at", "created_at"]
        validators = []


class ParkDecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
