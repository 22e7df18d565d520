"""Parks' API: the zone and park directory (public) and enterprises' applications to settle in a park."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404  # answers 404 for a malformed id too
from rest_framework.response import Response

from singlewindow.core.api import official_of

from .. import selectors, services
from ..filters import ParkApplicationFilterSet, ParkFilterSet, ZoneFilterSet
from ..models import ParkApplication
from .serializers import ParkApplicationSerializer, ParkDecisionSerializer, ParkSerializer, ZoneSerializer


class ZoneViewSet(viewsets.ReadOnlyModelViewSet):
    """The directory of pilot zones (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ZoneSerializer
    filterset_class = ZoneFilterSet
    lookup_field = "slug"
    ordering_fields = ["batch", "slug", "approval_date"]

    def get_queryset(self):
        return selectors.zone_directory()


class ParkViewSet(viewsets.ReadOnlyModelViewSet):
    """Parks of the zones, with their services (public)."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ParkSerializer
    filterset_class = ParkFilterSet
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.park_list()


class ParkApplicationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Applications to settle in a park: an enterprise applies, a commerce official decides."""

    queryset = ParkApplication.objects.none()
    serializer_class = ParkApplicationSerializer
    filterset_class = ParkApplicationFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.park_application_list(principal=self.request.principal)

    def create(self, request, *args, **kwargs):
        principal = request.principal
        if principal.enterprise is None:
            raise PermissionDenied(_("Only an enterprise may apply to settle in a park."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        application = services.park_application_submit(
            enterprise=principal.enterprise,
            park=serializer.validated_data["park"],
            message=serializer.validated_data["message"],
            by=principal,
        )
        return Response(self.get_serializer(application).data, status=status.HTTP_201_CREATED)

    def _decide(self, service, request, pk):
        application = get_object_or_404(self.get_queryset(), pk=pk)
        decision = ParkDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        application = service(
            application=application, by=request.principal, reason=decision.validated_data["reason"]
        )
        return Response(self.get_serializer(application).data)

    @extend_schema(request=ParkDecisionSerializer, responses=ParkApplicationSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated, official_of("commerce")],
    )
    def approve(self, request, pk=None):
        return self._decide(services.park_application_approve, request, pk)

    @extend_schema(request=ParkDecisionSerializer, responses=ParkApplicationSerializer)
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[permissions.IsAuthenticated, official_of("commerce")],
    )
    def decline(self, request, pk=None):
        return self._decide(services.park_application_decline, request, pk)
