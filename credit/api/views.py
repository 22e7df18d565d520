"""Credit's API: enterprises' credit profiles (score, level, inspection rate) and the negative list."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # answers 404 for a malformed id too
from rest_framework.response import Response

from sharing.choices import AgencyCode, EnterpriseStatus
from sharing.models import Enterprise
from singlewindow.core.api import official_of

from .. import selectors, services
from ..models import CreditLevel, NegativeListEntry
from .serializers import (
    CreditAdjustSerializer,
    CreditEventSerializer,
    CreditProfileSerializer,
    LevelDecisionSerializer,
    NegativeListEntrySerializer,
)

# Credit decisions are customs' (the enterprise credit system) and commerce's (the registry).
# The same officials as services.may_decide_credit, with core's message.
CreditOfficial = official_of(AgencyCode.CUSTOMS, AgencyCode.COMMERCE)


@dataclass
class Row:
    enterprise: Enterprise
    score: Decimal
    level: CreditLevel
    decided_level: str
    on_negative_list: bool


class CreditProfileViewSet(viewsets.GenericViewSet):
    """Credit of enterprises: an enterprise sees its own; officials see all and decide."""

    queryset = Enterprise.objects.none()
    serializer_class = CreditProfileSerializer
    lookup_url_kwarg = "pk"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        principal = self.request.principal
        qs = Enterprise.objects.filter(status=EnterpriseStatus.APPROVED).order_by("customs_code")
        if principal.sees_everything:
            return qs
        if principal.enterprise is not None:
            return qs.filter(pk=principal.enterprise.pk)
        return qs.none()

    def _rows(self, enterprises) -> list[Row]:
        standings = selectors.standings_for([e.pk for e in enterprises], on=timezone.localdate())
        return [
            Row(
                e,
                standings[e.pk].score,
                standings[e.pk].level,
                standings[e.pk].decided_level,
                standings[e.pk].on_negative_list,
            )
            for e in enterprises
        ]

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CreditProfileSerializer(self._rows(page), many=True).data)

    def retrieve(self, request, pk=None):
        enterprise = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(CreditProfileSerializer(self._rows([enterprise])[0]).data)

    @extend_schema(responses=CreditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        enterprise = get_object_or_404(self.get_queryset(), pk=pk)
        page = self.paginate_queryset(selectors.credit_history(enterprise.pk))
        return self.get_paginated_response(CreditEventSerializer(page, many=True).data)

    @extend_schema(request=CreditAdjustSerializer, responses=CreditEventSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, CreditOfficial])
    def adjust(self, request, pk=None):
        enterprise = get_object_or_404(self.get_queryset(), pk=pk)
        body = CreditAdjustSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        event = services.credit_adjust(enterprise=enterprise, by=request.principal, **body.validated_data)
        return Response(CreditEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=LevelDecisionSerializer, responses=CreditProfileSerializer)
    @action(
        detail=True,
        methods=["post"],
        url_path="decide-level",
        permission_classes=[permissions.IsAuthenticated, CreditOfficial],
    )
    def decide_level(self, request, pk=None):
        enterprise = get_object_or_404(self.get_queryset(), pk=pk)
        body = LevelDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.credit_level_decide(
            enterprise=enterprise,
            level_code=body.validated_data["level"],
            reason=body.validated_data["reason"],
            by=request.principal,
        )
        return Response(CreditProfileSerializer(self._rows([enterprise])[0]).data)


class NegativeListViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The negative list: public to read (names and reasons only); officials add and lift entries."""

    queryset = NegativeListEntry.objects.none()
    serializer_class = NegativeListEntrySerializer

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated(), CreditOfficial()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        today = timezone.localdate()
        return NegativeListEntry.objects.select_related("enterprise").filter(
            starts_on__lte=today, ends_on__gte=today, lifted_at__isnull=True
        )

    def create(self, request, *args, **kwargs):
        body = NegativeListEntrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.negative_list_add(
            enterprise=body.validated_data["enterprise"],
            reason=body.validated_data["reason"],
            ends_on=body.validated_data["ends_on"],
            by=request.principal,
        )
        return Response(NegativeListEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=NegativeListEntrySerializer)
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        entry = get_object_or_404(self.get_queryset(), pk=pk)
        entry = services.negative_list_lift(entry=entry, by=request.principal)
        return Response(NegativeListEntrySerializer(entry).data)
