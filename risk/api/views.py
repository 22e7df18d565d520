"""REST of risk control: alerts and their decisions, and the rules (change, preview, versions)."""

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # answers 404 for a malformed id too
from rest_framework.response import Response

from sharing.choices import AgencyCode
from singlewindow.core.api import official_of

from .. import selectors, services
from ..filters import AlertFilterSet
from ..models import Alert, RiskRule
from ..rules import REGISTRY
from .serializers import (
    AlertDecisionSerializer,
    AlertSerializer,
    RiskRuleChangeSerializer,
    RiskRuleSerializer,
    RulePreviewSerializer,
)


class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    """Held declarations waiting for customs, with every rule hit and its evidence."""

    queryset = Alert.objects.none()
    serializer_class = AlertSerializer
    permission_classes = [permissions.IsAuthenticated, official_of(AgencyCode.CUSTOMS)]
    filterset_class = AlertFilterSet
    ordering_fields = ["score", "created_at"]
    ordering = ["-score", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.alert_queue(status=None)

    def _decide(self, request, pk, outcome):
        alert = get_object_or_404(self.get_queryset(), pk=pk)
        decision = AlertDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        alert = services.alert_decide(
            alert=alert, outcome=outcome, reason=decision.validated_data["reason"], by=request.principal
        )
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=AlertDecisionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._decide(request, pk, Alert.Outcome.RELEASE)

    @extend_schema(request=AlertDecisionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def inspect(self, request, pk=None):
        return self._decide(request, pk, Alert.Outcome.INSPECT)

    @extend_schema(request=AlertDecisionSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, Alert.Outcome.REJECT)


class RiskRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The rules in force (current versions); customs administrators change them: each change is a version."""

    queryset = RiskRule.objects.none()
    serializer_class = RiskRuleSerializer
    permission_classes = [permissions.IsAuthenticated, official_of(AgencyCode.CUSTOMS)]
    lookup_field = "code"
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return RiskRule.objects.filter(current=True, code__in=list(REGISTRY)).order_by("code")

    @extend_schema(request=RiskRuleChangeSerializer, responses=RiskRuleSerializer)
    @action(detail=True, methods=["post"])
    def change(self, request, code=None):
        get_object_or_404(self.get_queryset(), code=code)
        change = RiskRuleChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        rule = services.rule_change(code=code, by=request.principal, **change.validated_data)
        return Response(RiskRuleSerializer(rule).data)

    @extend_schema(request=RulePreviewSerializer, responses={200: dict})
    @action(detail=True, methods=["post"])
    def preview(self, request, code=None):
        get_object_or_404(self.get_queryset(), code=code)
        body = RulePreviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(services.rule_preview(code=code, **body.validated_data))

    @extend_schema(responses=RiskRuleSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, code=None):
        return Response(
            RiskRuleSerializer(RiskRule.objects.filter(code=code).order_by("-version"), many=True).data
        )
