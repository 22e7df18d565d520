"""The dry run's endpoint: `POST /api/v1/check/` answers what the window would, and stores nothing."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from declarations import ceb
from declarations.api.views import XmlParser
from sharing.api.base import PrincipalMixin
from singlewindow.core.errors import ServiceError
from singlewindow.core.parsers import BoundedJSONParser

from .. import checks

XML_KINDS = {"CEB311": "order", "CEB411": "payment", "CEB511": "waybill", "CEB621": "inventory"}


class CheckResultSerializer(serializers.Serializer):  # type: ignore[type-arg]
    index = serializers.IntegerField()
    natural_key = serializers.DictField(child=serializers.CharField())
    outcome = serializers.CharField(
        help_text="what filing it would do: accepted, duplicate, changed or rejected"
    )
    return_status = serializers.CharField(help_text="the returnStatus intake would answer (100 or a code)")
    return_info = serializers.CharField()
    # (a declared field, not the Serializer's `errors` property: DRF's metaclass takes it off the class)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]
    match = serializers.DictField(
        allow_null=True,
        help_text="present: which of order, payment, waybill and inventory are filed (the checked one "
        "counting); complete; matches (null until all four are there); failures: rule and field, with "
        "the message for the list's filer",
    )
    tax = serializers.DictField(allow_null=True, help_text="inventory lists: the tax as assessed today")
    quota = serializers.DictField(allow_null=True, help_text="inventory lists: the buyer's annual quota left")
    risk = serializers.DictField(
        allow_null=True, help_text="inventory lists: would_hold, and the reason code an enterprise sees"
    )


class CheckAnswerSerializer(serializers.Serializer):  # type: ignore[type-arg]
    kind = serializers.CharField()
    stored = serializers.BooleanField(help_text="always false: a check stores nothing")
    results = CheckResultSerializer(many=True)


EXAMPLE_ORDER = {
    "guid": "4CF5E2F4-7F0B-4D9E-9F0A-0123456789AB",
    "app_type": "1",
    "app_time": "20260601120000",
    "app_status": "2",
    "order_type": "I",
    "order_no": "SW000000000001",
    "ebp_code": "3301960001",
    "...": "the other fields of POST /api/v1/orders/",
}


@extend_schema(
    tags=["check"],
    parameters=[
        OpenApiParameter(
            "kind",
            str,
            enum=list(checks.CHECKED_KINDS),
            description="the document in a JSON body (order, payment, waybill, inventory); CEB XML says it",
        )
    ],
    request={
        "application/json": {"type": "object", "description": "one document, or a list of up to 100"},
        "application/xml": {"type": "string", "description": "a CEB311, 411, 511 or 621 message"},
    },
    responses={
        200: CheckAnswerSerializer,
        # a message the XSD refuses: a CEB900 format receipt; anything else unreadable: {code, detail}
        (400, "application/xml"): {"type": "string"},
        (400, "application/json"): {"type": "object"},
        403: OpenApiResponse(description="the caller may not file this kind of document"),
    },
    examples=[OpenApiExample("An order", value=EXAMPLE_ORDER, request_only=True)],
)
class CheckView(PrincipalMixin, APIView):
    """Dry run: what the window would answer about one order, payment, waybill or inventory list (or
    a batch of up to 100, or the documents of a CEB XML message): field errors, the document under
    the same number (new, the same, a change, or refused with its code), the match against the
    documents already filed, and for a list the tax, the buyer's quota left and whether the risk
    step would hold it (with the reason code the enterprise would see). Nothing is stored, no receipt
    is written and nothing is sent to the agencies. The same keys and roles as filing apply."""

    parser_classes = [BoundedJSONParser, XmlParser]

    def post(self, request: Request) -> HttpResponse | Response:
        try:
            body = request.data
        except RequestDataTooBig:
            raise ServiceError(
                _("The message is too large."), "too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            ) from None
        if isinstance(body, bytes):
            try:
                message = ceb.parse_message(body)
            except ceb.CebSchemaError as error:
                return HttpResponse(
                    ceb.build_format_receipt(error, body),
                    status=status.HTTP_400_BAD_REQUEST,
                    content_type="application/xml; charset=utf-8",
                )
            kind = XML_KINDS.get(message.message_type)
            if kind is None:
                raise ServiceError({"kind": [_("A check takes CEB311, 411, 511 or 621 messages.")]}, "0999")
            documents = message.documents
        else:
            kind = request.query_params.get("kind", "")
            if kind not in checks.CHECKED_KINDS:
                raise ServiceError({"kind": [_("One of order, payment, waybill, inventory.")]})
            documents = [body] if isinstance(body, dict) else body
            if not isinstance(documents, list) or not documents:
                raise ServiceError(_("Send one document (an object) or a list of documents."))
        if len(documents) > checks.MAX_CHECKED:
            raise ServiceError(
                _("A check has at most %(n)d documents.") % {"n": checks.MAX_CHECKED},
                "too_many",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        for document in documents:
            if isinstance(document, dict):
                document.pop("base_subscribe", None)  # a subscription changes nothing of the answer
        results = checks.documents_check(kind=kind, documents=documents, by=self.principal)
        return Response(
            {
                "kind": kind,
                "stored": False,
                "results": CheckResultSerializer([r.__dict__ for r in results], many=True).data,
            }
        )
