"""/api/v1/stats/: the dashboards' figures, with the same filters and the same scope (an enterprise
gets its own lists' figures; officials the zone's)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from sharing.api.base import PrincipalMixin

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
    code = serializers.CharField(help_text="The receipt's business code (-621018), or 100.")
    reason = serializers.CharField(help_text="The newest list's whole reason, in English.")
    lists = serializers.IntegerField()


class StatsView(PrincipalMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    def stats_filter(self, request) -> selectors.StatsFilter:
        # A FilterError (a ServiceError) answers 400 through the one exception handler.
        return selectors.filter_from(request.query_params, principal=self.principal)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=OverviewSerializer)
class OverviewView(StatsView):
    """Lists per outcome, release rate, value and tax of releases, clearance time p50/p95."""

    def get(self, request):
        return Response(OverviewSerializer(selectors.overview(self.stats_filter(request))).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=TrendDaySerializer(many=True))
class TrendView(StatsView):
    """One entry per day of the range."""

    def get(self, request):
        return Response(TrendDaySerializer(selectors.trend(self.stats_filter(request)), many=True).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=BreakdownRowSerializer(many=True))
class BreakdownView(StatsView):
    """Figures grouped by one dimension: flow (bonded import / direct-mail import / export), trade_mode,
    zone, park, country, hs_chapter, enterprise or outcome; largest first."""

    def get(self, request, by: str):
        f = self.stats_filter(request)
        if by not in selectors.BREAKDOWNS:
            raise exceptions.NotFound(f"by: one of {', '.join(selectors.BREAKDOWNS)}")
        return Response(BreakdownRowSerializer(selectors.breakdown(f, by), many=True).data)


@extend_schema(tags=["stats"], parameters=FILTERS, responses=RejectionSerializer(many=True))
class RejectionsView(StatsView):
    """The most frequent rejection reasons of the range by reason code (at most 10 groups)."""

    def get(self, request):
        f = self.stats_filter(request)
        return Response(RejectionSerializer(selectors.top_rejections(f), many=True).data)
