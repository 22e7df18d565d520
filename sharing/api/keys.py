"""The API-keys API: an enterprise's administrators (browser session) list their keys and issue one,
live or sandbox, as on the API-keys page. The plain key is in the creation answer only. A partner key
cannot issue keys: a leaked key must not be able to mint more."""

from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..choices import ApiKeyKind
from ..models import EnterpriseAPIKey
from .base import PrincipalMixin


class EnterpriseAdmin(permissions.BasePermission):
    message = _("Only an administrator of the enterprise, signed in, manages its API keys.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return view.principal.is_enterprise_admin  # type: ignore[attr-defined]


class ApiKeySerializer(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseAPIKey
        fields = ["prefix", "name", "kind", "created", "last_used_at", "revoked"]


class ApiKeyIssueSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    kind = serializers.ChoiceField(choices=ApiKeyKind.choices, default=ApiKeyKind.LIVE)


class ApiKeyIssuedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text=_("The key itself: shown in this answer only."))

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]


@extend_schema(tags=["api-keys"])
class ApiKeyListView(PrincipalMixin, APIView):
    """GET: the enterprise's keys. POST {"name", "kind": "live" | "sandbox"}: issue one (201, with `key`)."""

    permission_classes = [permissions.IsAuthenticated, EnterpriseAdmin]

    @extend_schema(responses=ApiKeySerializer(many=True))
    def get(self, request: Request) -> Response:
        keys = selectors.api_key_list(enterprise=self.principal.enterprise)
        return Response(ApiKeySerializer(keys, many=True).data)

    @extend_schema(request=ApiKeyIssueSerializer, responses={201: ApiKeyIssuedSerializer})
    def post(self, request: Request) -> Response:
        body = ApiKeyIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        key, plain = services.api_key_issue(
            enterprise=self.principal.enterprise,
            name=body.validated_data["name"],
            kind=body.validated_data["kind"],
            by=self.principal,
        )
        data = ApiKeySerializer(key).data
        response = Response({**data, "key": plain}, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response
