"""REST intake and reads of the four documents, the CEB XML endpoint, and the receipts pull queue."""

from django.core.exceptions import RequestDataTooBig
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import PrincipalMixin, ScopedReadOnlyViewSet
from sharing.choices import AgencyCode
from singlewindow.core.api import error_body
from singlewindow.core.broker import send_named
from singlewindow.core.errors import Conflict, Forbidden, ServiceError
from singlewindow.core.texts import CEB_LANGUAGE

from .. import ceb, privacy, schemas, selectors, services
from ..choices import DocumentKind, InventoryStatus, ReturnStatus
from ..filters import InventoryFilterSet, OrderFilterSet, PaymentFilterSet, WaybillFilterSet
from ..models import InventoryItem, InventoryList, Order, OrderItem, Payment, Waybill
from .serializers import (
    BatchAnswerSerializer,
    BuyerSearchSerializer,
    InspectionResultSerializer,
    IntakeErrorSerializer,
    IntakeReceiptSerializer,
    InventoryDetailSerializer,
    InventorySerializer,
    OrderSerializer,
    PayerSearchSerializer,
    PaymentSerializer,
    ReceiptQueueSerializer,
    ReceiptSerializer,
    WaybillSerializer,
)


def _receipt_body(result: services.IntakeResult) -> dict:
    """What IntakeReceiptSerializer (the documented shape) gives, without a serializer per document:
    a batch answers up to 1,000 of them."""
    return {
        "index": result.index,
        "outcome": result.outcome,
        "id": result.id,
        "natural_key": {name: str(value) for name, value in result.natural_key.items()},
        "return_status": str(result.return_status),
        "return_info": str(result.return_info),
        "receipt_id": result.receipt.id if result.receipt is not None else None,
        "errors": {name: [str(message) for message in messages] for name, messages in result.errors.items()},
    }


def intake_response(results: list[services.IntakeResult], *, single: bool) -> Response:
    """One document: its receipt (201 stored, 200 already stored, 400 rejected). A batch: every
    receipt in order, 201 when all were stored or known, 400 when any was rejected (the others stay)."""
    receipts = [_receipt_body(r) for r in results]
    rejected = sum(1 for r in results if not r.ok)
    if single:
        result, body = results[0], dict(receipts[0])
        if not result.ok:
            first = next(iter(result.errors.items()), ("", [""]))
            return Response(
                {**error_body("invalid", f"{first[0]}: {first[1][0]}", result.errors), "receipt": body},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            body, status=status.HTTP_200_OK if result.outcome == "duplicate" else status.HTTP_201_CREATED
        )
    answer = {
        "count": len(results),
        "accepted": sum(1 for r in results if r.outcome == "accepted"),
        "duplicates": sum(1 for r in results if r.outcome == "duplicate"),
        "changed": sum(1 for r in results if r.outcome == "changed"),
        "rejected": rejected,
        "receipts": receipts,
    }
    if rejected:
        detail = _("%(n)d of %(total)d documents were rejected; the others were stored.") % {
            "n": rejected,
            "total": len(results),
        }
        return Response({**error_body("invalid", detail), **answer}, status=status.HTTP_400_BAD_REQUEST)
    return Response(answer, status=status.HTTP_201_CREATED)


class DocumentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Base of the four document endpoints: POST one document or a list of up to 1,000."""

    kind: str
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def scoped_queryset(self, principal):
        return selectors.documents_for(self.queryset.model, principal=principal)

    def create(self, request, *args, **kwargs):
        data = request.data
        single = isinstance(data, dict)
        documents = [data] if single else data
        if not isinstance(documents, list):
            raise ServiceError(_("Send one document (an object) or a list of documents."))
        if not documents:
            raise ServiceError(_("The list of documents is empty."))
        if len(documents) > services.MAX_BATCH:
            raise ServiceError(
                _("A batch has at most %(n)d documents; this one has %(m)d.")
                % {"n": services.MAX_BATCH, "m": len(documents)},
                "too_many",
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        # A caller who may not submit at all (IntakeForbidden) is answered 403 by the exception handler.
        if single and services.is_deferred(self.kind) and not hasattr(data, "getlist"):
            # Checked now, stored by the intake processor: 202 with returnStatus 2 (INTAKE_DEFERRED).
            result = services.receive(kind=self.kind, document=data, by=self.principal)
            if result.ok:
                return Response(_receipt_body(result), status=status.HTTP_202_ACCEPTED)
            return intake_response([result], single=True)
        results = services.submit(kind=self.kind, documents=documents, by=self.principal)
        return intake_response(results, single=single)

    def buyer_search(self, request, body_class) -> Response:
        """The caller's documents of one buyer, the ID number read from the body (never the URL), paged
        and filtered like the list. Only those who read buyers in full may search by ID."""
        if not privacy.sees_buyers_in_full(self.principal):
            raise Forbidden(
                _("Only customs and inspection officials and the parties to a document search by buyer ID."),
                "permission_denied",
            )
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        (id_number,) = body.validated_data.values()
        queryset = selectors.of_buyer(self.filter_queryset(self.get_queryset()), id_number)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


SEARCH = (
    "The caller's documents of one buyer, newest first and paged like the list (its filters apply). "
    "The ID number goes in the body: a query string naming one is refused (400)."
)


def _intake_schema(schema):
    return extend_schema(
        request=schema,
        responses={
            200: IntakeReceiptSerializer,
            202: OpenApiResponse(
                IntakeReceiptSerializer,
                description="one document received (INTAKE_DEFERRED): outcome `received`, return_status 2; "
                "its receipts follow in the receipts queue",
            ),
            201: OpenApiResponse(
                PolymorphicProxySerializer(
                    "IntakeAnswer",
                    [IntakeReceiptSerializer, BatchAnswerSerializer],
                    resource_type_field_name=None,
                ),
                description="stored: one receipt, or for a batch every receipt in order",
            ),
            400: OpenApiResponse(IntakeErrorSerializer, description="rejected; a batch lists every receipt"),
            413: OpenApiResponse(description="more than 1,000 documents"),
        },
        description="Send one document (an object) or a batch (a list of up to 1,000). Idempotent on the "
        "natural key: the same content again answers 200 with the first receipt.\n\n" + REFUSALS,
    )


# What intake refuses and with which returnStatus (DOMAIN 4.3); the README's "Declare once" says more.
REFUSALS = """\
`app_status` 1 (saved only) is stored and answered 1, and takes no part in a match until sent with 2.
Party codes may be the customs code or the USCC (stored as the customs code); resident IDs are
upper-cased. Refused, with the code as `return_status`:

- 100: a field error (the errors name each field: lengths, code tables, IDs, arithmetic);
- -301010 / -401007 / -504012 / -621009: `app_type` 1 with other content under a stored number;
- -301012 / -401012 / -504013 / -621012: `app_type` 2 of a document never filed;
- -301011 / -401011 / -504011 / -621011: a change after the list was sent to the agencies;
- -621003 / -621004 (exports -603003 / -603004): a second live list for an order or a waybill;
- later, in the list's receipts: -621019 documents disagree, -621020 payments of several firms and
  no `pay_code` on the order, -621005 / -621018 limits, -621010 unknown commodity code, -621021
  guarantee short.
"""


@extend_schema(tags=["orders"])
class OrderViewSet(DocumentViewSet):
    """CEB311 orders: posted by the e-commerce platform in its own name (ebp_code)."""

    kind = DocumentKind.ORDER
    queryset = Order.objects.prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("gnum")))
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet

    @_intake_schema(schemas.OrderSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=BuyerSearchSerializer, responses=OrderSerializer(many=True), description=SEARCH)
    @action(detail=False, methods=["post"])
    def search(self, request):
        return self.buyer_search(request, BuyerSearchSerializer)

    def scoped_queryset(self, principal):
        return super().scoped_queryset(principal).prefetch_related("items")


@extend_schema(tags=["payments"])
class PaymentViewSet(DocumentViewSet):
    """CEB411 payments: posted by the payment enterprise in its own name (pay_code)."""

    kind = DocumentKind.PAYMENT
    queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilterSet

    @_intake_schema(schemas.PaymentSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=PayerSearchSerializer, responses=PaymentSerializer(many=True), description=SEARCH)
    @action(detail=False, methods=["post"])
    def search(self, request):
        return self.buyer_search(request, PayerSearchSerializer)


@extend_schema(tags=["waybills"])
class WaybillViewSet(DocumentViewSet):
    """CEB511 waybills: posted by the logistics enterprise in its own name (logistics_code)."""

    kind = DocumentKind.WAYBILL
    queryset = Waybill.objects.all()
    serializer_class = WaybillSerializer
    filterset_class = WaybillFilterSet

    @_intake_schema(schemas.WaybillSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["inventories"])
class InventoryViewSet(DocumentViewSet):
    """CEB621 inventory lists: posted by the e-commerce enterprise (ebc_code) or its declaring agent
    (agent_code). The detail has the timeline of receipts from each agency."""

    kind = DocumentKind.INVENTORY
    queryset = InventoryList.objects.all()
    serializer_class = InventorySerializer
    filterset_class = InventoryFilterSet

    def get_serializer_class(self):
        return InventoryDetailSerializer if self.action == "retrieve" else InventorySerializer

    def scoped_queryset(self, principal):
        return (
            super()
            .scoped_queryset(principal)
            .prefetch_related(Prefetch("items", queryset=InventoryItem.objects.order_by("gnum")))
        )

    def retrieve(self, request, *args, **kwargs):
        inventory = self.get_object()
        serializer = InventoryDetailSerializer(
            inventory, context={"waiting_for": selectors.waiting_for(inventory), "request": request}
        )
        return Response(serializer.data)

    @_intake_schema(schemas.InventorySchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(
        request=BuyerSearchSerializer, responses=InventorySerializer(many=True), description=SEARCH
    )
    @action(detail=False, methods=["post"])
    def search(self, request):
        return self.buyer_search(request, BuyerSearchSerializer)

    @extend_schema(request=InspectionResultSerializer, responses={202: None, 409: None})
    @action(detail=True, methods=["post"], url_path="inspection-result")
    def inspection_result(self, request, pk=None):
        """The drawn inspector, or a customs supervisor, records a physical inspection: passed ->
        released; failed -> rejected. Anyone else is refused (403) and nothing changes."""
        if not (self.principal.is_agency(AgencyCode.CUSTOMS) or self.principal.is_superuser):
            raise Forbidden(_("Only customs records inspections."), "permission_denied")
        inventory = self.get_object()
        if not selectors.may_record_inspection(self.principal, inventory):
            raise Forbidden(
                _("Only the drawn inspector or a customs supervisor records this list's inspection."),
                "permission_denied",
            )
        body = InspectionResultSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if inventory.status != InventoryStatus.INSPECTION:
            raise Conflict(_("This list is not waiting for an inspection."))
        send_named(
            "clearance.conclude_inspection",
            inventory.pk,
            body.validated_data["passed"],
            body.validated_data["reason"],
            request.user.pk if request.user.is_authenticated else None,
            inline_if_down=True,
        )
        return Response({"id": inventory.pk, "recorded": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["receipts"],
    parameters=[
        OpenApiParameter("since", int, description="cursor: the id of the last receipt you have; 0 for all"),
        OpenApiParameter("limit", int, description="at most 1,000 (default 500)"),
    ],
)
class ReceiptQueueView(PrincipalMixin, APIView):
    """The pull queue of your receipts, oldest first: call again with `since` = `next_cursor`."""

    @extend_schema(responses=ReceiptQueueSerializer)
    def get(self, request):
        try:
            since = int(request.query_params.get("since", 0))
            limit = min(max(int(request.query_params.get("limit", 500)), 1), 1000)
        except ValueError:
            raise ServiceError(
                {"since": [_("A whole number.")]}, detail=_("since and limit are whole numbers.")
            ) from None
        rows = list(
            selectors.receipts_for(principal=self.principal).filter(id__gt=since).order_by("id")[:limit]
        )
        return Response(
            {
                "results": ReceiptSerializer(rows, many=True).data,
                "next_cursor": rows[-1].id if rows else since,
                "more": len(rows) == limit,
            }
        )


class XmlParser(BaseParser):
    """Documents the XML body for the OpenAPI schema; the view reads the raw bytes itself."""

    media_type = "application/xml"

    def parse(self, stream, media_type=None, parser_context=None):
        # Through Django's `body`, which keeps the bytes for the view and holds the size limit: a
        # session's CSRF check parses the body before the view, and reading the stream here left the
        # view's `request.body` a RawPostDataException (a 500 for every XML message sent with a session).
        request = (parser_context or {}).get("request")
        return request.body if request is not None else stream.read()


CEB_KINDS = {
    "CEB311": DocumentKind.ORDER,
    "CEB411": DocumentKind.PAYMENT,
    "CEB511": DocumentKind.WAYBILL,
    "CEB621": DocumentKind.INVENTORY,
    "CEB303": DocumentKind.EXPORT_ORDER,
    "CEB403": DocumentKind.RECEIPT_OF_PAYMENT,
    "CEB505": DocumentKind.EXPORT_WAYBILL,
    "CEB603": DocumentKind.EXPORT_INVENTORY,
}


AMENDMENTS = {"CEB623": DocumentKind.CANCEL, "CEB625": DocumentKind.REFUND}
TAKEN = {*CEB_KINDS, *AMENDMENTS, "CEB513"}  # the messages this endpoint takes


class CebMessageView(PrincipalMixin, APIView):
    """POST a CEB311, 411, 511, 513, 621, 623 (cancel) or 625 (return) message, or an export CEB303,
    403, 505 or 603 message (application/xml); the answer is the matching receipt message (CEB312, 412,
    512, 514, 622, 624, 626; CEB304, 404, 506, 604) with returnStatus and returnInfo per document.
    A message the official XSD refuses is answered 400 with a CEB900 format receipt (error 0002)."""

    parser_classes = [XmlParser]

    @extend_schema(
        request={"application/xml": {"type": "string"}},
        responses={
            (200, "application/xml"): {"type": "string"},
            # a message the XSD refuses: a CEB900 format receipt; anything else unreadable: {code, detail}
            (400, "application/xml"): {"type": "string"},
            (400, "application/json"): {"type": "object"},
            413: None,
        },
    )
    def post(self, request):
        # A CEB receipt is Chinese whoever reads it (DOMAIN 2.7): field errors and reasons alike.
        with translation.override(CEB_LANGUAGE):
            return self._answer(request)

    def _answer(self, request):
        try:
            body = request.body
        except RequestDataTooBig:
            raise ServiceError(
                _("The message is too large."), "too_large", status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
            ) from None
        # Any other CebError is answered 400 (413 for a body too large) by the exception handler.
        try:
            message = ceb.parse_message(body)
        except ceb.CebSchemaError as error:
            # As the e-port: a message its XSD refuses is answered with a CEB900, the whole message refused.
            return HttpResponse(
                ceb.build_format_receipt(error, body),
                status=status.HTTP_400_BAD_REQUEST,
                content_type="application/xml; charset=utf-8",
            )
        if message.message_type not in TAKEN:
            # CEB711 lines name waybills, not goods and quantities: entries go to /api/v1/warehouse-entries/.
            raise ServiceError(
                _(
                    "%(type)s is not taken at this endpoint; warehouse entries are posted as JSON to "
                    "/api/v1/warehouse-entries/."
                )
                % {"type": message.message_type},
                "0999",
            )
        if message.message_type == "CEB513":
            results = services.waybill_sign_for(documents=message.documents, by=self.principal)
        elif message.message_type in AMENDMENTS:
            results = services.amendments_submit(
                kind=AMENDMENTS[message.message_type], documents=message.documents, by=self.principal
            )
        else:
            results = services.submit(
                kind=CEB_KINDS[message.message_type], documents=message.documents, by=self.principal
            )
        receipt_type = ceb.receipt_type_for(message.message_type)
        note = ceb.schema_note(message.schema_problems)  # only in lenient mode: what the XSD refused
        xml = ceb.build_receipt_message(
            receipt_type,
            [
                _receipt_fields(message.message_type, document, result, note)
                for document, result in zip(message.documents, results, strict=True)
            ],
        )
        return HttpResponse(xml, content_type="application/xml; charset=utf-8")


def _receipt_fields(message_type: str, document: dict, result: services.IntakeResult, note: str = "") -> dict:
    from django.utils import timezone

    info = result.return_info or services.errors_text(result.errors) or "OK"
    default_status = ReturnStatus.ACCEPTED if result.ok else ReturnStatus.REJECTED
    fields = {
        "return_status": result.return_status or default_status,
        "return_info": f"{info[: 999 - len(note)]} {note}".strip() if note else info[:1000],
        "return_time": ceb.return_time(timezone.now()),
    }
    if result.receipt is not None:
        fields["guid"] = result.receipt.guid
    pick = {
        k: (document.get(k) or "")[:n]
        for k, n in (
            ("ebp_code", 18),
            ("ebc_code", 18),
            ("order_no", 60),
            ("pay_code", 18),
            ("pay_transaction_id", 60),
            ("logistics_code", 18),
            ("logistics_no", 60),
            ("cop_no", 20),
            ("agent_code", 18),
        )
    }
    if message_type in ("CEB303", "CEB403", "CEB505", "CEB603"):
        return _export_receipt_fields(message_type, document, result, fields)
    if message_type in AMENDMENTS:
        row = (
            InventoryList.objects.filter(pk=result.id).values("cop_no", "pre_no", "invt_no").first()
            if result.id
            else None
        ) or {}
        return {
            **fields,
            "cop_no": (row.get("cop_no") or document.get("cop_no") or "-")[:20],
            "pre_no": row.get("pre_no") or ("B" + "0" * 17),
            "invt_no": row.get("invt_no") if len(row.get("invt_no") or "") == 18 else None,
            "ebp_code": (document.get("ebp_code") or "")[:18] or None,
            "ebc_code": (document.get("ebc_code") or "")[:18] or None,
            "agent_code": (document.get("agent_code") or "")[:18] or None,
        }
    if message_type == "CEB311":
        return {
            **fields,
            "ebp_code": pick["ebp_code"] or "-",
            "ebc_code": pick["ebc_code"] or "-",
            "order_no": pick["order_no"] or "-",
        }
    if message_type == "CEB411":
        return {
            **fields,
            "pay_code": pick["pay_code"] or "-",
            "pay_transaction_id": pick["pay_transaction_id"] or "-",
        }
    if message_type in ("CEB511", "CEB513"):
        extra = {"logistics_status": "S"} if message_type == "CEB513" else {}
        return {
            **fields,
            **extra,
            "logistics_code": pick["logistics_code"] or "-",
            "logistics_no": pick["logistics_no"] or "-",
        }
    pre_no = ""
    if result.id:
        pre_no = InventoryList.objects.filter(pk=result.id).values_list("pre_no", flat=True).first() or ""
    return {
        **fields,
        "cop_no": pick["cop_no"] or "-",
        "pre_no": pre_no or ("B" + "0" * 17),
        "ebp_code": pick["ebp_code"] or None,
        "ebc_code": pick["ebc_code"] or None,
        "agent_code": pick["agent_code"] or None,
    }


def _export_receipt_fields(message_type: str, document: dict, result, fields: dict) -> dict:
    def value(name: str, limit: int) -> str:
        return (document.get(name) or "")[:limit] or "-"

    if message_type == "CEB303":
        return {
            **fields,
            "ebp_code": value("ebp_code", 18),
            "ebc_code": value("ebc_code", 18),
            "order_no": value("order_no", 60),
        }
    if message_type == "CEB403":
        return {
            **fields,
            "ebc_code": value("ebc_code", 18),
            "order_no": value("order_no", 60),
            "pay_no": (document.get("pay_no") or "")[:60] or None,
        }
    if message_type == "CEB505":
        return {
            **fields,
            "logistics_code": value("logistics_code", 18),
            "logistics_no": value("logistics_no", 32),
        }
    from ..models import ExportInventoryList

    row = (
        ExportInventoryList.objects.filter(pk=result.id).values("pre_no", "invt_no").first()
        if result.id
        else None
    )
    return {
        **fields,
        "agent_code": value("agent_code", 18),
        "cop_no": value("cop_no", 30),
        "pre_no": (row or {}).get("pre_no") or ("B" + "0" * 17),
        "invt_no": (row or {}).get("invt_no") or "",
        "ebc_code": value("ebc_code", 18),
        "ebp_code": value("ebp_code", 18),
        "order_no": value("order_no", 60),
        # A flag the document got wrong is answered as B (summary), the XSD needing one of the two.
        "statistics_flag": document.get("statistics_flag") if document.get("statistics_flag") == "A" else "B",
    }
