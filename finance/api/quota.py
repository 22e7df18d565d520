"""The public quota lookup API: POST /api/v1/quota/lookup/ (no key, no session; rate-limited)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from singlewindow.core.clientip import client_ip

from .. import quota_lookup


class QuotaLookupSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, help_text=_("The buyer's name, as on the orders."))
    id_number = serializers.RegexField(
        r"^[0-9]{17}[0-9Xx]$",
        help_text=_("The buyer's 18-character resident ID number."),
        error_messages={"invalid": _("An 18-character resident ID number.")},
    )
    code = serializers.RegexField(
        r"^[0-9]{6}$",
        required=False,
        help_text=_("The 6-digit code sent by text message (step 2); leave out to ask for one (step 1)."),
        error_messages={"invalid": _("The 6-digit code from the text message.")},
    )


class QuotaListSerializer(serializers.Serializer):
    invt_no = serializers.CharField()
    order_no = serializers.CharField()
    ebp_name = serializers.CharField()
    ebc_name = serializers.CharField()
    buyer_name = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    declared_at = serializers.CharField()


class QuotaStatementSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    buyer_name = serializers.CharField()
    buyer_id_number = serializers.CharField()
    annual_limit = serializers.DecimalField(max_digits=14, decimal_places=2)
    used = serializers.DecimalField(max_digits=14, decimal_places=2)
    reserved = serializers.DecimalField(max_digits=14, decimal_places=2)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2)
    lists = QuotaListSerializer(many=True)


class QuotaLookupView(APIView):
    """The buyer's annual quota (跨境电商个人额度查询). Step 1, {name, id_number}: always answers 202
    "if these match, a code was sent to the phone on the orders". Step 2, {name, id_number, code}: the
    year's used and remaining quota and the lists that used it, masked; any mistake answers the same 400
    on `code`. Both steps are limited per ID number and per client address (429)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list = []  # limited per ID and per address by the service

    @extend_schema(
        tags=["public"],
        request=QuotaLookupSerializer,
        responses={
            200: QuotaStatementSerializer,
            202: OpenApiResponse(description="step 1: the one answer, matched or not"),
            400: OpenApiResponse(
                description="a field is malformed, or (step 2) the code is wrong or expired"
            ),
            429: OpenApiResponse(description="too many lookups for this ID number or from this address"),
        },
        examples=[
            OpenApiExample(
                "Step 1: ask for a code", value={"name": "张三", "id_number": "110101199003071234"}
            ),
            OpenApiExample(
                "Step 2: read the quota",
                value={"name": "张三", "id_number": "110101199003071234", "code": "123456"},
            ),
        ],
    )
    def post(self, request):
        body = QuotaLookupSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        client = client_ip(request)
        if "code" not in data:
            message = quota_lookup.code_request(name=data["name"], id_number=data["id_number"], client=client)
            return Response({"detail": message}, status=202)
        found = quota_lookup.statement(
            name=data["name"], id_number=data["id_number"], code=data["code"], client=client
        )
        return Response(QuotaStatementSerializer(found).data)
