"""Sharing's API: the enterprise registry (registration, review) and the agencies."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # answers 404 for a malformed id too
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from singlewindow.core.api import official_of

from .. import selectors, services
from ..choices import AgencyCode
from ..filters import EnterpriseFilterSet
from ..models import Agency, Enterprise
from ..principal import Principal
from .base import ScopedReadOnlyViewSet
from .serializers import AgencySerializer, DecisionSerializer, EnterpriseSerializer


class EnterpriseViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """The registry of parties. An enterprise sees itself; officials see all.

    `POST` files a new enterprise for review: a signed-in person without an organisation becomes its
    administrator. Commerce officials approve, reject (with a reason) and suspend.
    """

    queryset = Enterprise.objects.none()
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["customs_code", "created_at", "name_zh"]

    def scoped_queryset(self, principal: Principal):
        return selectors.enterprise_list(principal=principal)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enterprise = services.enterprise_register(data=serializer.to_enterprise_data(), by=self.principal)
        return Response(self.get_serializer(enterprise).data, status=status.HTTP_201_CREATED)

    def _decide(self, service, request, pk):
        enterprise = get_object_or_404(self.get_queryset(), pk=pk)
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        enterprise = service(
            enterprise=enterprise, by=self.principal, reason=decision.validated_data["reason"]
        )
        return Response(self.get_serializer(enterprise).data)

    @extend_schema(request=DecisionSerializer, responses=EnterpriseSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, official_of(AgencyCode.COMMERCE)]
    )
    def approve(self, request, pk=None):
        return self._decide(services.enterprise_approve, request, pk)

    @extend_schema(request=DecisionSerializer, responses=EnterpriseSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, official_of(AgencyCode.COMMERCE)]
    )
    def reject(self, request, pk=None):
        return self._decide(services.enterprise_reject, request, pk)

    @extend_schema(request=DecisionSerializer, responses=EnterpriseSerializer)
    @action(
        detail=True, methods=["post"], permission_classes=[IsAuthenticated, official_of(AgencyCode.COMMERCE)]
    )
    def suspend(self, request, pk=None):
        return self._decide(services.enterprise_suspend, request, pk)


class AgencyViewSet(ScopedReadOnlyViewSet):
    """The authorities the window exchanges with."""

    queryset = Agency.objects.none()
    serializer_class = AgencySerializer
    filterset_fields = ["code"]

    def scoped_queryset(self, principal: Principal):
        return selectors.agency_list()
