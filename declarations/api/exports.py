"""REST intake and reads of the export documents (CEB303, 403, 505, 603), the summary declarations
(CEB701/792), and cancels (CEB623) and returns (CEB625) of import lists."""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from sharing.api.base import ScopedReadOnlyViewSet
from sharing.choices import AgencyCode
from singlewindow.core.api import error_body
from singlewindow.core.broker import send_named
from singlewindow.core.errors import Conflict, Forbidden, ServiceError

from .. import ceb_written, schemas, selectors, services
from ..choices import DocumentKind, InventoryStatus
from ..filters import (
    ExportInventoryFilterSet,
    ExportOrderFilterSet,
    ExportWaybillFilterSet,
    ReceiptOfPaymentFilterSet,
    SummaryFilterSet,
)
from ..models import (
    ExportInventoryItem,
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryCancel,
    InventoryRefund,
    ReceiptOfPayment,
    SummaryDeclaration,
)
from .serializers import (
    ExportInventorySerializer,
    ExportOrderSerializer,
    ExportWaybillSerializer,
    InspectionOutcomeSerializer,
    InventoryCancelSerializer,
    InventoryRefundSerializer,
    ReceiptOfPaymentSerializer,
    SummaryApplySerializer,
    SummaryDeclarationSerializer,
)
from .views import DocumentViewSet, _intake_schema


@extend_schema(tags=["export"])
class ExportOrderViewSet(DocumentViewSet):
    """CEB303 export orders (E, B2C 9610; B, B2B 9710) and overseas-warehouse bookings (W, 9810): posted
    by the platform (ebp_code) or the exporter itself (ebc_code)."""

    kind = DocumentKind.EXPORT_ORDER
    queryset = ExportOrder.objects.prefetch_related("items")
    serializer_class = ExportOrderSerializer
    filterset_class = ExportOrderFilterSet

    @_intake_schema(schemas.ExportOrderSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def scoped_queryset(self, principal):
        return super().scoped_queryset(principal).prefetch_related("items")


@extend_schema(tags=["export"])
class ReceiptOfPaymentViewSet(DocumentViewSet):
    """CEB403 receipts of payment: posted by the payment enterprise (pay_code) or the exporter (ebc_code)."""

    kind = DocumentKind.RECEIPT_OF_PAYMENT
    queryset = ReceiptOfPayment.objects.all()
    serializer_class = ReceiptOfPaymentSerializer
    filterset_class = ReceiptOfPaymentFilterSet

    @_intake_schema(schemas.ReceiptOfPaymentSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["export"])
class ExportWaybillViewSet(DocumentViewSet):
    """CEB505 export waybills: posted by the logistics enterprise (logistics_code)."""

    kind = DocumentKind.EXPORT_WAYBILL
    queryset = ExportWaybill.objects.all()
    serializer_class = ExportWaybillSerializer
    filterset_class = ExportWaybillFilterSet

    @_intake_schema(schemas.ExportWaybillSchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["export"])
class ExportInventoryViewSet(DocumentViewSet):
    """CEB603 export lists (9610, 9710, 9810): posted by the exporter (ebc_code) or its declaring agent.
    Matched with their order, receipt of payment and waybill, then sent to the four agencies."""

    kind = DocumentKind.EXPORT_INVENTORY
    queryset = ExportInventoryList.objects.all()
    serializer_class = ExportInventorySerializer
    filterset_class = ExportInventoryFilterSet

    @_intake_schema(schemas.ExportInventorySchema)
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def scoped_queryset(self, principal):
        return (
            super()
            .scoped_queryset(principal)
            .select_related("vat_exemption", "forex_settlement")
            .prefetch_related(Prefetch("items", queryset=ExportInventoryItem.objects.order_by("gnum")))
        )

    @extend_schema(request=InspectionOutcomeSerializer, responses={202: None, 409: None})
    @action(detail=True, methods=["post"], url_path="inspection-result")
    def inspection_result(self, request, pk=None):
        """Inspection records the quarantine of an export list: passed -> released; failed -> rejected."""
        if not (
            self.principal.is_agency(AgencyCode.INSPECTION)
            or self.principal.is_agency(AgencyCode.CUSTOMS)
            or self.principal.is_superuser
        ):
            raise Forbidden(_("Only inspection or customs records inspections."), "permission_denied")
        inventory = self.get_object()
        if not selectors.may_record_inspection(self.principal, inventory):
            raise Forbidden(
                _("Only inspection or a customs supervisor records a quarantine."), "permission_denied"
            )
        body = InspectionOutcomeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if inventory.status != InventoryStatus.INSPECTION:
            raise Conflict(_("This list is not waiting for an inspection."))
        send_named(
            "clearance.conclude_export_inspection",
            inventory.pk,
            body.validated_data["passed"],
            body.validated_data["reason"],
            request.user.pk
            if request.user.is_authenticated and not hasattr(request.user, "api_key")
            else None,
            inline_if_down=True,
        )
        return Response({"id": inventory.pk, "recorded": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["export"])
class SummaryDeclarationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """CEB701 summary declarations and their CEB792 results: an exporter's released B-type lists of
    one mode and month, consolidated into one customs declaration. POST applies (idempotent)."""

    queryset = SummaryDeclaration.objects.all()
    serializer_class = SummaryDeclarationSerializer
    filterset_class = SummaryFilterSet
    ordering = ["-year", "-month"]

    def scoped_queryset(self, principal):
        return selectors.summaries_for(principal=principal).prefetch_related("lists")

    @extend_schema(request=SummaryApplySerializer, responses={201: SummaryDeclarationSerializer})
    def create(self, request, *args, **kwargs):
        body = SummaryApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        ebc_code = data.get("ebc_code") or (
            self.principal.enterprise.customs_code if self.principal.enterprise else ""
        )
        # Refusals (SummaryRefused on its field, IntakeForbidden) are answered by the exception handler.
        summary, created = services.summary_apply(
            ebc_code=ebc_code,
            year=data["year"],
            month=data["month"],
            trade_mode=data["trade_mode"],
            decl_agent_code=data["decl_agent_code"],
            decl_agent_name=data["decl_agent_name"],
            by=self.principal,
        )
        summary = self.get_queryset().get(pk=summary.pk)
        return Response(
            SummaryDeclarationSerializer(summary).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def ceb(self, request, pk=None):
        """The summary as CEB XML: ?message=701 (the application) or 792 (customs' result, the default)."""
        summary = self.get_object()
        which = request.query_params.get("message", "792")
        if which not in ("701", "792"):
            raise ServiceError(_("message is 701 or 792."))
        body = (
            ceb_written.build_summary_apply(summary)
            if which == "701"
            else ceb_written.build_summary_result(summary)
        )
        return HttpResponse(body, content_type="application/xml; charset=utf-8")


class AmendmentViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Base of cancels and returns: POST names the list; the answer comes at once."""

    kind: str

    def scoped_queryset(self, principal):
        return selectors.documents_for(self.queryset.model, principal=principal)

    def create(self, request, *args, **kwargs):
        user_id = request.user.pk if getattr(request.user, "_meta", None) is not None else None
        try:
            obj, created = services.amendment_submit(
                kind=self.kind, document=request.data, by=self.principal, user_id=user_id
            )
        except services.AmendmentRejected as exc:
            if exc.code != "refused":
                raise  # the exception handler answers it: code, detail and fields
            # The pipeline's refusal also names the receipt's CEB status, beyond the one error shape.
            body = error_body(exc.code, exc.detail, exc.errors)
            body["return_status"] = exc.return_status
            return Response(body, status=exc.status)
        return Response(
            self.serializer_class(obj, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@extend_schema(tags=["inventories"])
class InventoryCancelViewSet(AmendmentViewSet):
    """CEB623: cancel an import list before release (quota, holds and reserved stock are given back)."""

    queryset = InventoryCancel.objects.all()
    serializer_class = InventoryCancelSerializer
    kind = DocumentKind.CANCEL

    @extend_schema(request=schemas.ListAmendmentSchema, responses={201: InventoryCancelSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


@extend_schema(tags=["inventories"])
class InventoryRefundViewSet(AmendmentViewSet):
    """CEB625: return released goods (apply within 30 days of release; goods back within 45 days)."""

    queryset = InventoryRefund.objects.prefetch_related("lines")
    serializer_class = InventoryRefundSerializer
    kind = DocumentKind.REFUND
    filterset_fields = ["state", "ebc_code", "invt_no"]

    def scoped_queryset(self, principal):
        return selectors.returns_for(principal=principal).prefetch_related("lines").order_by("-id")

    @extend_schema(request=schemas.RefundSchema, responses={201: InventoryRefundSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: InventoryRefundSerializer, 409: None})
    @action(detail=True, methods=["post"], url_path="goods-received")
    def goods_received(self, request, pk=None):
        """The returned goods are back: by the bonded warehouse (1210), the logistics firm (9610) or
        customs. Gives back quota and tax and restocks; past 45 days the return expires (409)."""
        refund = self.get_object()
        if not selectors.confirms_goods(self.principal, refund):
            raise Forbidden(
                _(
                    "The bonded warehouse (1210) or the logistics enterprise (9610) confirms "
                    "the goods are back."
                ),
                "permission_denied",
            )
        key = self.principal.api_key
        refund = services.goods_back(
            refund_id=refund.pk,
            user_id=request.user.pk if getattr(request.user, "_meta", None) is not None else None,
            api_key_prefix=key.prefix if key is not None else None,
        )
        if refund.state == InventoryRefund.State.EXPIRED:
            raise Conflict(
                _("The goods were due back by %(date)s; the return expired.")
                % {"date": f"{refund.goods_due_by:%Y-%m-%d}"},
                "expired",
            )
        return Response(InventoryRefundSerializer(refund, context=self.get_serializer_context()).data)
