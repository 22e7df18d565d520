"""Serializers of sharing's API: enterprises and their review, agencies, the code tables."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from parks.models import Park

from ..choices import EnterpriseRole
from ..models import Agency, CodeTableEntry, Enterprise
from ..services import EnterpriseData


class EnterpriseSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=EnterpriseRole.choices), allow_empty=False
    )
    park = serializers.SlugRelatedField(
        slug_field="slug", queryset=Park.objects.all(), required=False, allow_null=True
    )
    zone = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id",
            "uscc",
            "customs_code",
            "name_zh",
            "name_en",
            "roles",
            "park",
            "zone",
            "status",
            "status_reason",
            "contact_name",
            "contact_phone",
            "contact_email",
            "address",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "status_reason", "approved_at", "created_at", "updated_at"]
        # Uniqueness and identifier rules live in the service, which names the field in its error.
        extra_kwargs = {"uscc": {"validators": []}, "customs_code": {"validators": []}}

    def get_zone(self, obj: Enterprise) -> str | None:
        return obj.park.zone.slug if obj.park_id else None

    def to_enterprise_data(self) -> EnterpriseData:
        data = self.validated_data
        park = data.get("park")
        return EnterpriseData(
            uscc=data["uscc"].strip().upper(),
            customs_code=data["customs_code"].strip().upper(),
            name_zh=data["name_zh"],
            name_en=data.get("name_en", ""),
            roles=tuple(data["roles"]),
            park_id=park.pk if park else None,
            contact_name=data.get("contact_name", ""),
            contact_phone=data.get("contact_phone", ""),
            contact_email=data.get("contact_email", ""),
            address=data.get("address", ""),
        )


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", help_text=_("Shown to the enterprise.")
    )


class AgencySerializer(serializers.ModelSerializer):
    class Meta:
        model = Agency
        fields = ["id", "code", "name_zh", "name_en"]


class CodeTableSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("The table's name in /api/v1/code-tables/{name}/."))
    title = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField(), help_text=_("Other names of the table."))
    count = serializers.IntegerField(help_text=_("Codes valid today."))
    rows = serializers.IntegerField(help_text=_("Rows, with the codes no longer or not yet valid."))
    version = serializers.DateTimeField(
        allow_null=True, help_text=_("When the table last changed: a client's cache of it is stale after.")
    )


class CodeTableEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = CodeTableEntry
        fields = ["code", "name_zh", "name_en", "valid_from", "valid_until"]
