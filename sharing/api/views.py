"""Sharing's API: the enterprise registry (registration, review), the agencies, and the code tables."""

from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # answers 404 for a malformed id too
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from singlewindow.core.api import official_of

from .. import code_tables, selectors, services
from ..choices import AgencyCode
from ..filters import CodeTableEntryFilterSet, EnterpriseFilterSet
from ..models import Agency, CodeTableEntry, Enterprise
from ..principal import Principal
from .base import ScopedReadOnlyViewSet
from .serializers import (
    AgencySerializer,
    CodeTableEntrySerializer,
    CodeTableSerializer,
    DecisionSerializer,
    EnterpriseSerializer,
)


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


@extend_schema_view(get=extend_schema(operation_id="code_tables_list"))
class CodeTableListView(generics.ListAPIView):
    """The code tables of DOMAIN 8 that the documents' codes are checked against at intake: currency,
    country, unit, transport_mode, wrap_type, customs_district, port, supervision_mode and
    administrative_division. Reference data, the same for every caller.

    `version` changes whenever an official edits a table: a client may cache a table until then.
    """

    serializer_class = CodeTableSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.code_table_summaries()


@extend_schema_view(get=extend_schema(operation_id="code_table_entries_list"))
@extend_schema(
    parameters=[
        OpenApiParameter(
            "table",
            str,
            OpenApiParameter.PATH,
            description="A table's name (see /api/v1/code-tables/) or an alias: transport, traf_mode, "
            "packing, packaging, customs, trade_mode, district, division.",
        )
    ],
)
class CodeTableEntryListView(generics.ListAPIView):
    """The codes of one table, in code order, each with the dates it is valid (`valid_until` is the
    last day; empty while in force). Intake accepts a code valid on the day of the submission.

    `?q=` finds codes beginning with it or names containing it; `?on=YYYY-MM-DD` keeps the codes valid
    that day. An unknown table answers 404.
    """

    serializer_class = CodeTableEntrySerializer
    filterset_class = CodeTableEntryFilterSet
    filter_backends = [DjangoFilterBackend]  # no ordering parameter: the codes come in code order

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no table
            return CodeTableEntry.objects.none()
        table = code_tables.table_named(self.kwargs["table"])
        if table is None:
            raise exceptions.NotFound(
                _("There is no code table %(name)s; the tables are %(tables)s.")
                % {"name": self.kwargs["table"][:50], "tables": ", ".join(code_tables.CodeTable.values)}
            )
        return selectors.code_table_entries(table=table)
