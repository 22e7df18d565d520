"""/api/v1/stats/: the dashboards' figures, with the same filters and the same scope (an enterprise
gets its own lists' figures; officials the zone's)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import PrincipalMixin
from singlewindow.core.api import error_body

from .. import selectors

FILTERS = [
    OpenApiParameter("date_from", str, description="YYYY-MM-DD (default: 29 days before date_to)"),
    OpenApiParameter("date_to", str, description="YYYY-MM-DD, inclusive (default: today)"),
    OpenApiParameter("direction", str, enum=["I", "E"], description="I import, E export (default both)"),
    OpenApiParameter("trade_mode", str, enum=["9610", "1210", "9710", "9810"]),
    OpenApiParameter("zone", int, description="zone id"),
    OpenApiParameter("park", int, description="park id (0: enterprises in no park)"),
]


class OverviewSerializer(serializers.Serializer):
    lists = serializers.IntegerField()
    released = serializers.IntegerField()
    rejected = serializers.IntegerField()
    inspection = serializers.IntegerField()
    mismatch = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    release_rate = serializers.FloatField(allow_null=True)
    value_cny = serializers.DecimalField(max_digits=18, decimal_places=2)
    tax = serializers.DecimalField(max_digits=18, decimal_places=2)
    clearance_p50_s = serializers.IntegerField(allow_null=True, help_text="upper bound of the p50 bucket")
    clearance_p95_s = serializers.IntegerField(allow_null=True, help_text="upper bound of the p95 bucket")
    clearance_mean_s = serializers.FloatField(allow_null=True)
    histogram = serializers.DictField(child=serializers.IntegerField(), help_text="releases per bucket (s)")


class OutcomeCountsSerializer(serializers.Serializer):
    released = serializers.IntegerField()
    rejected = serializers.IntegerField()
    inspection = serializers.IntegerField()
    mismatch = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    value_cny = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="of the releases")
    tax = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="of the releases")


class TrendDaySerializer(OutcomeCountsSerializer):
    day = serializers.DateField()


class BreakdownRowSerializer(OutcomeCountsSerializer):
    key = serializers.CharField()
    label = serializers.CharField()
    lists = serializers.IntegerField()


class RejectionSerializer(serializers.Serializer):
    reason = serializers.CharField()
    lists = serializers.IntegerField()


class StatsView(PrincipalMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def stats_filter(self, request):
        try:
            return selectors.filter_from(request.query_params, principal=self.principal), None
        except selectors.FilterError as exc:
            first = next(iter(exc.errors.items()))
            return None, Response(error_body("invalid", f"{first[0]}: {first[1][0]}", exc.errors), status=400)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=OverviewSerializer)
class OverviewView(StatsView):
    """Lists per outcome, release rate, value and tax of releases, clearance time p50/p95."""

    def get(self, request):
        f, error = self.stats_filter(request)
        return error or Response(OverviewSerializer(selectors.overview(f)).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=TrendDaySerializer(many=True))
class TrendView(StatsView):
    """One entry per day of the range."""

    def get(self, request):
        f, error = self.stats_filter(request)
        return error or Response(TrendDaySerializer(selectors.trend(f), many=True).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=BreakdownRowSerializer(many=True))
class BreakdownView(StatsView):
    """Figures grouped by one dimension: flow (bonded import / direct-mail import / export), trade_mode,
    zone, park, country, hs_chapter, enterprise or outcome; largest first."""

    def get(self, request, by: str):
        f, error = self.stats_filter(request)
        if error:
            return error
        if by not in selectors.BREAKDOWNS:
            return Response(
                error_body("not_found", f"by: one of {', '.join(selectors.BREAKDOWNS)}"), status=404
            )
        return Response(BreakdownRowSerializer(selectors.breakdown(f, by), many=True).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=RejectionSerializer(many=True))
class RejectionsView(StatsView):
    """The most frequent rejection reasons of the range (at most 10)."""

    def get(self, request):
        f, error = self.stats_filter(request)
        return error or Response(RejectionSerializer(selectors.top_rejections(f), many=True).data)
