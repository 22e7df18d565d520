"""REST intake and reads of the four documents, the CEB XML endpoint, and the receipts pull queue."""

from functools import partial

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import PrincipalMixin, ScopedReadOnlyViewSet
from sharing.choices import AgencyCode
from singlewindow.core import sandbox
from singlewindow.core.api import error_body
from singlewindow.core.broker import send_named
from singlewindow.core.errors import Conflict, Forbidden, ServiceError
from singlewindow.core.texts import CEB_LANGUAGE

from .. import ceb, dxp, privacy, scenarios, schemas, selectors, services, wire
from ..choices import DocumentKind, InventoryStatus, ReturnStatus
from ..filters import InventoryFilterSet, OrderFilterSet, PaymentFilterSet, WaybillFilterSet
from ..models import InventoryItem, InventoryList, Order, OrderItem, Payment, Waybill
from ..services import exchange, subscriptions
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
    WaybillSerializer,
)


def subscribed_intake(submit, *, documents, by, shared=None) -> list[services.IntakeResult]:
    """Intake with the documents' BaseSubscribe recorded; a subscription the window cannot honour
    refuses the request (400 naming `base_subscribe`) before anything is stored."""
    try:
        return subscriptions.intake_with_subscriptions(submit, documents=documents, by=by, shared=shared)
    except subscriptions.SubscriptionRefused as exc:
        raise ServiceError(exc.errors, detail=f"{subscriptions.FIELD}: {exc}") from None


def receipt_body(result: services.IntakeResult) -> dict:
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
    receipts = [receipt_body(r) for r in results]
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
        wanted = scenarios.requested(request.META, documents)
        deferrable = (
            single
            and wanted is None
            and not sandbox.active()  # the processor runs outside the tenant's sandbox
            and not hasattr(data, "getlist")
            and "base_subscribe" not in data
        )
        if deferrable and services.is_deferred(self.kind):
            # Checked now, stored by the intake processor: 202 with returnStatus 2 (INTAKE_DEFERRED).
            result = services.receive(kind=self.kind, document=data, by=self.principal)
            if result.ok:
                return Response(receipt_body(result), status=status.HTTP_202_ACCEPTED)
            return intake_response([result], single=True)

        def intake() -> list:
            # A caller who may not submit at all (IntakeForbidden) is answered 403 by the exception handler.
            return subscribed_intake(
                lambda docs: services.submit(kind=self.kind, documents=docs, by=self.principal),
                documents=documents,
                by=self.principal,
            )

        if wanted is None:
            results = intake()
        else:
            # A sandbox scenario is stored with its document before the commit sends the list on.
            with transaction.atomic():
                results = intake()
                scenarios.apply(self.kind, results, wanted)
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
        parameters=scenarios.openapi_parameters(),
        examples=scenarios.openapi_examples(),
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
    """POST a CEB311, 411, 511, 513, 621, 623 (cancel) or 625 (return) message, an export CEB303, 403,
    505 or 603 message, or one of the exchange around the lists: CEB605 (export cancel), 507 (arrival),
    509 (departure), 607 (master/sub bill), 213/215 (export return and its tally), 701 (summary
    application), 711 (arrival of direct-mail waybills) (application/xml); the answer is the matching
    receipt message (CEB312, 412, 512, 514, 622, 624, 626; CEB304, 404, 506, 604; CEB606, 508, 510, 608,
    214, 216, 702, 712) with returnStatus and returnInfo per document.
    A message the official XSD refuses is answered 400 with a CEB900 format receipt (error 0002).

    The message may come bare or Base64 in a DxpMsg envelope, and is answered in kind: an enveloped
    one in a DxpMsg from the customs DXP id, signed by the portal (a bare receipt's signature is the
    X-Ceb-Signature header; the certificate is at /api/v1/ceb/certificate/). With signatures required,
    ds:Signature is checked against the sending enterprise's registered certificates (see
    declarations.wire); a bad envelope is a CEB900 (0001, 0002, 1001, 1002, 1004, 2002)."""

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
        # Any other CebError is answered 400 (413 for a body too large) by the exception handler; a
        # DxpMsg envelope is unwrapped, and everything refused in it is answered by a CEB900 in a DxpMsg.
        try:
            inbound = dxp.receive(body)
        except dxp.EnvelopeError as error:
            return _wire_response(
                dxp.format_receipt(
                    error.code,
                    error.reason,
                    cop_msg_id=error.cop_msg_id,
                    message_type=error.message_type,
                    original=body,
                ),
                "CEB900",
                error.sender_id,
                status.HTTP_400_BAD_REQUEST,
            )
        envelope = inbound.envelope
        reply_to = envelope.sender_id if envelope is not None else None
        try:
            message = ceb.parse_message(inbound.payload)
        except ceb.CebSchemaError as error:
            # As the e-port: a message its XSD refuses is answered with a CEB900, the whole message refused.
            if envelope is not None:
                error = ceb.CebSchemaError(
                    error.problems, message_type=error.message_type, cop_msg_id=envelope.cop_msg_id
                )
            return _wire_response(
                ceb.build_format_receipt(error, inbound.payload),
                "CEB900",
                reply_to,
                status.HTTP_400_BAD_REQUEST,
            )
        except ceb.CebError as error:
            if envelope is None or isinstance(error, ceb.CebBodyTooLarge):
                raise
            return _wire_response(
                dxp.format_receipt(
                    error.code,
                    error.message,
                    cop_msg_id=envelope.cop_msg_id,
                    message_type=envelope.msg_type,
                    original=body,
                ),
                "CEB900",
                reply_to,
                status.HTTP_400_BAD_REQUEST,
            )
        if message.message_type not in TAKEN and message.message_type not in exchange.TAKEN:
            # Bonded warehouse entries name goods and quantities, which CEB711 has not: they are posted as
            # JSON to /api/v1/warehouse-entries/ (CEB711 here is the arrival of direct-mail waybills).
            raise ServiceError(
                _(
                    "%(type)s is not taken at this endpoint; warehouse entries are posted as JSON to "
                    "/api/v1/warehouse-entries/."
                )
                % {"type": message.message_type},
                "0999",
            )
        verdict = wire.check_sender(
            principal=self.principal, message=message, payload=inbound.payload, envelope=envelope
        )
        if verdict.envelope_code:
            return _wire_response(
                dxp.format_receipt(
                    verdict.envelope_code,
                    verdict.envelope_reason,
                    cop_msg_id=inbound.cop_msg_id,
                    message_type=f"{message.message_type}Message",
                    original=body,
                ),
                "CEB900",
                reply_to,
                status.HTTP_400_BAD_REQUEST,
            )
        if message.message_type in exchange.TAKEN:
            # The exchange around the lists (arrival, departure, bills, cancels and returns of exports,
            # the summary application, the arrival of direct-mail waybills): answered by their receipts.
            if verdict.business_status:
                # Their receipts carry no per-document signature code: the whole message is refused.
                return _wire_response(
                    dxp.format_receipt(
                        {"-621028": "1004", "-10102": "2002"}.get(verdict.business_status, "1001"),
                        verdict.business_reason,
                        cop_msg_id=inbound.cop_msg_id,
                        message_type=f"{message.message_type}Message",
                        original=body,
                    ),
                    "CEB900",
                    reply_to,
                    status.HTTP_400_BAD_REQUEST,
                )
            receipts = services.exchange_submit(
                message_type=message.message_type, documents=message.documents, by=self.principal
            )
            receipt_type = ceb.receipt_type_for(message.message_type)
            return _wire_response(ceb.build_receipt_message(receipt_type, receipts), receipt_type, reply_to)
        if verdict.business_status:
            # Refused as a whole, nothing stored: each document answered with the signature's code.
            results = [
                services.IntakeResult(
                    index=index,
                    outcome="rejected",
                    natural_key={},
                    return_status=verdict.business_status,
                    return_info=verdict.business_reason,
                )
                for index in range(len(message.documents))
            ]
        else:
            if message.message_type == "CEB513":
                submit = partial(services.waybill_sign_for, by=self.principal)
            elif message.message_type in AMENDMENTS:
                submit = partial(
                    services.amendments_submit, kind=AMENDMENTS[message.message_type], by=self.principal
                )
            else:
                submit = partial(services.submit, kind=CEB_KINDS[message.message_type], by=self.principal)
            results = subscribed_intake(
                lambda docs: submit(documents=docs),
                documents=message.documents,
                by=self.principal,
                shared=message.base_subscribe,
            )
        receipt_type = ceb.receipt_type_for(message.message_type)
        # only in lenient mode: what the XSD refused; and whether the signature was checked
        note = " ".join(filter(None, [ceb.schema_note(message.schema_problems), verdict.note]))
        xml = ceb.build_receipt_message(
            receipt_type,
            [
                _receipt_fields(message.message_type, document, result, note)
                for document, result in zip(message.documents, results, strict=True)
            ],
        )
        return _wire_response(xml, receipt_type, reply_to)


def _wire_response(xml: bytes, message_type: str, reply_to: str | None, code: int = 200) -> HttpResponse:
    """A receipt as the message was sent: bare, or in a DxpMsg to `reply_to` (the sender's SenderId);
    signed by the portal either way (see wire.answer)."""
    body, headers = wire.answer(xml, message_type=message_type, reply_to=reply_to)
    response = HttpResponse(body, status=code, content_type="application/xml; charset=utf-8")
    for name, value in headers.items():
        response[name] = value
    return response


class CebCertificateView(APIView):
    """The portal's certificate and public key, which verify the signatures of its receipts."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: {"type": "object"}})
    def get(self, request):
        return Response(wire.portal_certificate())


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
