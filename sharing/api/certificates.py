"""The signing certificates API: an enterprise registers the certificates (or public keys) it signs its
CEB messages with, lists them and retires them. Its administrators and its partner keys may."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import certificates
from ..models import EnterpriseCertificate
from ..principal import Principal
from .base import ScopedReadOnlyViewSet


class CertificateSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(
        source="pem",
        max_length=20000,
        help_text=_(
            "PEM: an X.509 certificate (RSA or SM2) or a PUBLIC KEY (RSA or SM2); or the base64 of a DER "
            "certificate, as ds:X509Certificate carries it."
        ),
    )
    key_name = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=_("ds:KeyName of the signatures; defaults to a certificate's serial (upper-case hex)."),
    )
    dxp_id = serializers.CharField(max_length=16, required=False, allow_blank=True)

    class Meta:
        model = EnterpriseCertificate
        fields = [
            "id",
            "algorithm",
            "key_name",
            "dxp_id",
            "certificate",
            "fingerprint",
            "not_before",
            "not_after",
            "status",
            "created_at",
            "retired_at",
        ]
        read_only_fields = ["algorithm", "fingerprint", "status", "created_at", "retired_at"]
        extra_kwargs = {"not_before": {"required": False}, "not_after": {"required": False}}


class ManagesCertificates(permissions.BasePermission):
    message = _("Only the enterprise's administrators and its partner keys manage its certificates.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return certificates.may_manage(request.principal)  # type: ignore[attr-defined]


class CertificateViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The enterprise's signing certificates. `POST` registers one (a bad certificate answers 400 naming
    `certificate`); `POST {id}/retire/` retires it: messages signed with it are refused from then on.
    Rotate by registering the new certificate before retiring the old. Another enterprise's
    certificate answers 404."""

    queryset = EnterpriseCertificate.objects.none()
    serializer_class = CertificateSerializer
    permission_classes = [permissions.IsAuthenticated, ManagesCertificates]
    filterset_fields = ["status", "algorithm"]
    ordering_fields = ["id", "created_at"]

    def scoped_queryset(self, principal: Principal):
        return certificates.certificate_list(principal=principal)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            certificate = certificates.certificate_register(
                enterprise=self.principal.enterprise,
                pem=data["pem"],
                key_name=data.get("key_name", ""),
                dxp_id=data.get("dxp_id", ""),
                not_before=data.get("not_before"),
                not_after=data.get("not_after"),
                by=self.principal,
            )
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CertificateSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Retire the certificate (idempotent)."""
        certificate = certificates.certificate_retire(certificate=self.get_object(), by=self.principal)
        return Response(CertificateSerializer(certificate).data)
