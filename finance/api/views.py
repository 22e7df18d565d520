"""REST of financial services: the monthly tax summary (JSON and CSV) and its consolidation (CEB818),
tax guarantees and top-ups, forex settlement statements of exports, and financing requests."""

from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from declarations import ceb_written
from declarations.selectors import own_codes
from sharing.api.base import PrincipalMixin, ScopedReadOnlyViewSet
from sharing.choices import AgencyCode
from sharing.identifiers import PARTY_CODE_PATTERN
from singlewindow.core.api import official_of
from singlewindow.core.csv import csv_response
from singlewindow.core.errors import ServiceError

from .. import selectors, services
from ..models import FinancingRequest, TaxConsolidation, TaxGuarantee
from .serializers import (
    FinancingDecisionSerializer,
    FinancingRequestSerializer,
    ForexSettlementSerializer,
    ForexStatementQuerySerializer,
    TaxConsolidationSerializer,
    TaxGuaranteeSerializer,
    TaxSummaryQuerySerializer,
    TaxSummarySerializer,
    TopUpSerializer,
)

TaxOfficial = official_of(AgencyCode.TAX)
FinanceOfficial = official_of(AgencyCode.FINANCE)
PERIOD = [
    OpenApiParameter("year", int, required=True),
    OpenApiParameter("month", int, required=True),
]
ASSURE_CODE = OpenApiParameter("assure_code", str, pattern=PARTY_CODE_PATTERN)
EBC_CODE = OpenApiParameter("ebc_code", str, pattern=PARTY_CODE_PATTERN)


def _name_it(field: str, detail: str) -> ServiceError:
    """A required parameter left out: its one-line detail says what to name, its field "Required."."""
    return ServiceError({field: [_("Required.")]}, detail=detail)


class TaxSummaryMixin(PrincipalMixin):
    def summary(self, request):
        query = TaxSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        principal = self.principal
        if not selectors.reads_tax_summaries(principal):
            raise exceptions.PermissionDenied(_("Sign in."))
        code = selectors.tax_summary_guarantor(principal, data.get("assure_code") or "")
        if code is None:
            raise exceptions.NotFound(_("No such guarantor of yours."))
        if not code:
            raise _name_it("assure_code", _("assure_code: name the guarantor."))
        return selectors.tax_summary(assure_code=code, year=data["year"], month=data["month"])


@extend_schema(tags=["finance"], parameters=[*PERIOD, ASSURE_CODE])
class TaxSummaryView(TaxSummaryMixin, APIView):
    """A guarantor's month of centralized taxation: the lists released (their tax bills), returns'
    credits, and what is due; the guarantor sees its own, tax and customs officials any."""

    @extend_schema(responses=TaxSummarySerializer)
    def get(self, request):
        return Response(TaxSummarySerializer(self.summary(request)).data)


@extend_schema(tags=["finance"], parameters=[*PERIOD, ASSURE_CODE])
class TaxSummaryCsvView(TaxSummaryMixin, APIView):
    """The same month as CSV (one row per tax bill and per credit, then the totals)."""

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request):
        summary = self.summary(request)
        header = [
            "kind",
            "tax_no",
            "invt_no",
            "ebc_code",
            "customs_tax",
            "value_added_tax",
            "consumption_tax",
            "total",
            "status",
            "time",
        ]
        rows = selectors.tax_summary_rows(summary)
        # assure_code passed TaxSummaryQuerySerializer (letters and digits) before it names the file.
        name = f"tax-summary-{summary.assure_code}-{summary.year}-{summary.month:02d}.csv"
        return csv_response(name, header, rows)


@extend_schema(tags=["finance"])
class TaxConsolidationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """Consolidated months (payment forms). POST {assure_code, year, month}: a tax official consolidates
    a finished month; its bills move to status 2 (CEB818). Idempotent."""

    queryset = TaxConsolidation.objects.all()
    serializer_class = TaxConsolidationSerializer
    filterset_fields = ["assure_code", "year", "month"]

    def scoped_queryset(self, principal):
        if principal.sees_everything:
            return TaxConsolidation.objects.all()
        return TaxConsolidation.objects.filter(assure_code__in=own_codes(principal.enterprise))

    def get_permissions(self):
        if self.action == "create":
            return [permissions.IsAuthenticated(), TaxOfficial()]
        return super().get_permissions()

    @extend_schema(request=TaxSummaryQuerySerializer, responses={201: TaxConsolidationSerializer})
    def create(self, request, *args, **kwargs):
        body = TaxSummaryQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not data.get("assure_code"):
            raise _name_it("assure_code", _("assure_code: name the guarantor."))
        consolidation, created = services.tax_consolidate(
            assure_code=data["assure_code"], year=data["year"], month=data["month"], by=self.principal
        )
        return Response(
            TaxConsolidationSerializer(consolidation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(responses={(200, "application/xml"): bytes})
    @action(detail=True, methods=["get"])
    def ceb818(self, request, pk=None):
        """The consolidated bills' statuses as a CEB818 message (first 100 bills)."""
        consolidation = self.get_object()
        bills = list(consolidation.bills.order_by("id")[:100])
        if not bills:
            raise exceptions.NotFound(_("No bills in this consolidation."))
        return HttpResponse(
            ceb_written.build_tax_status(bills), content_type="application/xml; charset=utf-8"
        )


@extend_schema(tags=["finance"])
class TaxGuaranteeViewSet(ScopedReadOnlyViewSet):
    """Tax guarantees: amount, drawn by released lists, reserved by lists being cleared, what is left,
    and `is_low` under 20%. A tax official tops one up."""

    queryset = TaxGuarantee.objects.all()
    serializer_class = TaxGuaranteeSerializer
    filterset_fields = ["assure_code"]

    def scoped_queryset(self, principal):
        return selectors.guarantees_for(principal=principal)

    @extend_schema(request=TopUpSerializer, responses={201: TaxGuaranteeSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="top-ups",
        permission_classes=[permissions.IsAuthenticated, TaxOfficial],
    )
    def top_ups(self, request, pk=None):
        guarantee = self.get_object()
        body = TopUpSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.guarantee_top_up(
            guarantee=guarantee,
            amount=Decimal(body.validated_data["amount"]),
            reference=body.validated_data["reference"],
            by=self.principal,
        )
        guarantee.refresh_from_db()
        return Response(TaxGuaranteeSerializer(guarantee).data, status=status.HTTP_201_CREATED)


class ForexStatementMixin(PrincipalMixin):
    def statement(self, request):
        query = ForexStatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        principal = self.principal
        if not selectors.reads_forex_statements(principal):
            raise exceptions.PermissionDenied(_("Sign in."))
        codes = selectors.forex_statement_codes(principal, query.validated_data.get("ebc_code") or "")
        if not codes:
            raise _name_it("ebc_code", _("ebc_code: name the exporter."))
        year, month = query.validated_data["year"], query.validated_data["month"]
        return year, month, selectors.forex_statement(ebc_codes=codes, year=year, month=month)


@extend_schema(tags=["finance"], parameters=[*PERIOD, EBC_CODE])
class ForexStatementView(ForexStatementMixin, APIView):
    """An exporter's forex settlement statement for a month: proceeds settled per export list and the
    totals per currency."""

    @extend_schema(responses=ForexSettlementSerializer(many=True))
    def get(self, request):
        year, month, statement = self.statement(request)
        return Response(
            {
                "year": year,
                "month": month,
                "settlements": ForexSettlementSerializer(statement["settlements"], many=True).data,
                "by_currency": [
                    {**t, "amount": str(t["amount"]), "amount_cny": str(t["amount_cny"])}
                    for t in statement["by_currency"]
                ],
            }
        )


@extend_schema(tags=["finance"], parameters=[*PERIOD, EBC_CODE])
class ForexStatementCsvView(ForexStatementMixin, APIView):
    """The same statement as CSV: one row per settlement, then one total per currency."""

    @extend_schema(responses={(200, "text/csv"): bytes})
    def get(self, request):
        year, month, statement = self.statement(request)
        header = ["invt_no", "order_no", "currency", "amount", "cny_per_unit", "amount_cny", "settled_at"]
        rows: list[list] = [
            [
                row.export_list.invt_no,
                row.export_list.order_no,
                row.currency,
                row.amount,
                row.cny_per_unit,
                row.amount_cny,
                row.settled_at,
            ]
            for row in statement["settlements"]
        ]
        rows += [
            ["total", "", total["currency"], total["amount"], "", total["amount_cny"], ""]
            for total in statement["by_currency"]
        ]
        return csv_response(f"forex-statement-{year}-{month:02d}.csv", header, rows)


@extend_schema(tags=["finance"])
class FinancingRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet, PrincipalMixin):
    """Micro-loan and credit-insurance requests: an enterprise applies for itself and sees its own; a
    financial services officer sees all and decides. No bank is called."""

    queryset = FinancingRequest.objects.none()
    serializer_class = FinancingRequestSerializer
    filterset_fields = ["status", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.financing_requests_for(principal=self.principal)

    def create(self, request, *args, **kwargs):
        body = FinancingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if self.principal.enterprise is None:
            raise exceptions.PermissionDenied(_("An enterprise applies for itself."))
        financing = services.financing_apply(
            enterprise=self.principal.enterprise,
            by=self.principal,
            **{k: body.validated_data[k] for k in ("kind", "amount", "term_months", "purpose")},
        )
        return Response(FinancingRequestSerializer(financing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=FinancingDecisionSerializer, responses={200: FinancingRequestSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated, FinanceOfficial])
    def decide(self, request, pk=None):
        financing = self.get_object()
        body = FinancingDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        financing = services.financing_decide(
            request=financing,
            approve=body.validated_data["approve"],
            note=body.validated_data["note"],
            by=self.principal,
        )
        return Response(FinancingRequestSerializer(financing).data)
