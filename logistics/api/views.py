"""REST of intelligent logistics: tracking events in and the public timeline out, warehouses and their
registration, bonded stock and its ledger, and CEB711 warehouse entries."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import ScopedReadOnlyViewSet
from sharing.choices import AgencyCode
from singlewindow.core.api import error_body, official_of
from singlewindow.core.errors import ServiceError

from .. import selectors, services
from ..models import StockItem, StockMovement, Warehouse, WarehouseEntry
from ..schemas import WarehouseEntrySchema, WarehouseSchema
from .serializers import (
    StockItemSerializer,
    StockMovementSerializer,
    WarehouseDecisionSerializer,
    WarehouseEntrySerializer,
    WarehouseSerializer,
)

CustomsOfficial = official_of(AgencyCode.CUSTOMS)


class TrackingStepSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(source="get_code_display")
    place = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    source = serializers.CharField()


class TrackingEventInSerializer(serializers.Serializer):
    logistics_no = serializers.CharField(max_length=60)
    code = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=100, required=False)
    note = serializers.CharField(max_length=200, required=False)


class TrackingEventsView(APIView):
    """POST one event or a list of up to 1,000: a logistics firm reports steps of its own parcels."""

    @extend_schema(request=TrackingEventInSerializer, responses={201: dict, 400: dict, 403: dict})
    def post(self, request):
        data = request.data
        events = [data] if isinstance(data, dict) else data
        if not isinstance(events, list) or not events:
            raise ServiceError(_("Send one event or a list of events."))
        if len(events) > services.MAX_BATCH:
            raise ServiceError(_("At most 1000 events at once."), code="too_many", status=413)
        # A PermissionError answers 403 through the one exception handler.
        results = services.tracking_events_post(events=events, by=request.principal)
        rejected = [r for r in results if r["outcome"] == "rejected"]
        body = {"results": results, "accepted": len(results) - len(rejected), "rejected": len(rejected)}
        if rejected:
            # Built here: the body carries every event's outcome beside the error, which no raised
            # error has.
            first = next(iter(rejected[0]["errors"].items()))
            return Response(
                {**error_body("invalid", f"{first[0]}: {first[1][0]}", rejected[0]["errors"]), **body},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(body, status=status.HTTP_201_CREATED)


class PublicTrackingView(APIView):
    """A parcel's timeline by its waybill number, for the consumer: no personal data."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=TrackingStepSerializer(many=True))
    def get(self, request, logistics_no: str):
        steps = list(selectors.public_timeline(logistics_no=logistics_no[:60]))
        if not steps:
            raise exceptions.NotFound(_("No parcel with this number has been tracked."))
        return Response(
            {
                "logistics_no": logistics_no,
                "carrier": steps[0].waybill.logistics_name,
                "steps": TrackingStepSerializer(steps, many=True).data,
            }
        )


@extend_schema(tags=["warehouses"])
class WarehouseViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Registered warehouses: bonded (1210 stock under an account book), overseas (9810), ordinary.
    POST registers one (pending until customs approves)."""

    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_fields = ["kind", "status", "code", "ems_no"]

    def scoped_queryset(self, principal):
        return selectors.warehouses_for(principal=principal)

    @extend_schema(request=WarehouseSchema, responses={201: WarehouseSerializer})
    def create(self, request, *args, **kwargs):
        # Invalid input, a PermissionError and a StockRefused answer through the one exception handler.
        data = WarehouseSchema().run_validation(request.data)
        warehouse = services.warehouse_register(data=data, by=self.principal)
        return Response(WarehouseSerializer(warehouse).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseDecisionSerializer, responses={200: WarehouseSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, CustomsOfficial])
    def decide(self, request, pk=None):
        warehouse = self.get_object()
        body = WarehouseDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        warehouse = services.warehouse_decide(
            warehouse=warehouse,
            approve=body.validated_data["approve"],
            reason=body.validated_data["reason"],
            by=self.principal,
        )
        return Response(WarehouseSerializer(warehouse).data)


@extend_schema(tags=["warehouses"])
class StockItemViewSet(ScopedReadOnlyViewSet):
    """Bonded stock per SKU (account-book item): on hand, reserved by lists being cleared, available."""

    queryset = StockItem.objects.all()
    serializer_class = StockItemSerializer
    filterset_fields = ["item_record_no", "owner_code", "warehouse__code"]

    def scoped_queryset(self, principal):
        return selectors.stock_for(principal=principal).order_by("warehouse__code", "item_record_no")


@extend_schema(tags=["warehouses"])
class StockMovementViewSet(ScopedReadOnlyViewSet):
    """The stock ledger: entries (CEB711), released lists, returns (CEB625)."""

    queryset = StockMovement.objects.all()
    serializer_class = StockMovementSerializer
    filterset_fields = ["kind", "stock_item__item_record_no", "stock_item__warehouse__code", "inventory"]

    def scoped_queryset(self, principal):
        return selectors.movements_for(principal=principal).order_by("-id")


@extend_schema(tags=["warehouses"])
class WarehouseEntryViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """CEB711 warehouse entries: goods into a warehouse's stock, filed by its operator. Idempotent on
    operator_code + cop_no; an entry never changes."""

    queryset = WarehouseEntry.objects.all()
    serializer_class = WarehouseEntrySerializer
    filterset_fields = ["cop_no", "operator_code", "rkd_no"]

    def scoped_queryset(self, principal):
        return selectors.entries_for(principal=principal).order_by("-id")

    @extend_schema(request=WarehouseEntrySchema, responses={201: WarehouseEntrySerializer})
    def create(self, request, *args, **kwargs):
        data = WarehouseEntrySchema().run_validation(request.data)
        entry, created = services.warehouse_entry_submit(data=data, by=self.principal)
        entry = selectors.entries_for(principal=self.principal).get(pk=entry.pk)
        return Response(
            WarehouseEntrySerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
