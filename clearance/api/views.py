"""The sandbox's API: its clock, its reset and its tax office. Sandbox keys only (403 otherwise)."""

import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime, parse_duration
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from declarations import ceb_written
from sharing.api.base import PrincipalMixin
from sharing.models import Enterprise
from sharing.principal import Principal
from sharing.sandbox import SandboxRefused, clock_move
from singlewindow.core import sandbox

from .. import sandbox as sandbox_services


class SandboxKeyOnly(permissions.BasePermission):
    message = _("Only a sandbox key may use the sandbox endpoints.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return sandbox.active()


class ClockSerializer(serializers.Serializer):  # type: ignore[type-arg]
    now = serializers.DateTimeField(help_text="The sandbox's current time.")
    offset_seconds = serializers.IntegerField(help_text="How far ahead of real time the clock is.")


class ClockMoveSerializer(serializers.Serializer):  # type: ignore[type-arg]
    advance = serializers.CharField(required=False, help_text='An ISO 8601 duration, e.g. "P31D" or "PT6H".')
    set = serializers.CharField(required=False, help_text="A later moment, ISO 8601 with its offset.")

    def validate_advance(self, value: str) -> datetime.timedelta:
        duration = parse_duration(value) if value.startswith("P") else None
        if duration is None:
            raise serializers.ValidationError(_('An ISO 8601 duration in days and time, e.g. "P31D".'))
        return duration

    def validate_set(self, value: str) -> datetime.datetime:
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise serializers.ValidationError(_("A moment with its offset, e.g. 2027-01-01T00:00:00+08:00."))
        return moment

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("advance" in attrs) == ("set" in attrs):
            raise serializers.ValidationError({"advance": [_("Give either advance or set.")]})
        return attrs


def _tenant(principal: Principal) -> Enterprise:
    """The sandbox tenant: the enterprise of the sandbox key (SandboxKeyOnly let only such keys in)."""
    if principal.enterprise is None:
        raise SandboxRefused(_("Only a sandbox key may use the sandbox endpoints."), "sandbox_only", 403)
    return principal.enterprise


def _clock_body() -> dict[str, Any]:
    context = sandbox.current()
    offset = context.offset if context else datetime.timedelta(0)
    return {"now": sandbox.now().isoformat(), "offset_seconds": int(offset.total_seconds())}


class SandboxClockView(PrincipalMixin, APIView):
    """The sandbox tenant's clock: GET reads it; POST moves it forward ({"advance": "P31D"} or
    {"set": "2027-01-01T00:00:00+08:00"}). Return windows, finished months (CEB818 consolidation,
    CEB701 summaries) and every time the pipeline writes for sandbox documents follow it."""

    permission_classes = [permissions.IsAuthenticated, SandboxKeyOnly]

    @extend_schema(tags=["sandbox"], responses=ClockSerializer)
    def get(self, request: Request) -> Response:
        return Response(_clock_body())

    @extend_schema(
        tags=["sandbox"],
        request=ClockMoveSerializer,
        responses=ClockSerializer,
        examples=[
            OpenApiExample("Past the 30-day return window", value={"advance": "P31D"}, request_only=True),
            OpenApiExample("To a new year", value={"set": "2027-01-01T00:00:00+08:00"}, request_only=True),
        ],
    )
    def post(self, request: Request) -> HttpResponse:
        body = ClockMoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        clock_move(
            enterprise=_tenant(self.principal),
            advance=body.validated_data.get("advance"),
            to=body.validated_data.get("set"),
        )
        return Response(_clock_body())


class SandboxResetView(PrincipalMixin, APIView):
    """Delete the tenant's sandbox documents (and what their clearance wrote) and reset its clock."""

    permission_classes = [permissions.IsAuthenticated, SandboxKeyOnly]

    @extend_schema(tags=["sandbox"], request=None, responses={200: dict})
    def post(self, request: Request) -> HttpResponse:
        counts = sandbox_services.sandbox_reset(enterprise=_tenant(self.principal))
        sandbox_services.guarantee_seed(enterprise=_tenant(self.principal))
        return Response({"deleted": counts, **_clock_body()})


class ConsolidationSerializer(serializers.Serializer):  # type: ignore[type-arg]
    assure_code = serializers.CharField(max_length=30)
    year = serializers.IntegerField(min_value=2016, max_value=2100)
    month = serializers.IntegerField(min_value=1, max_value=12)


class SandboxTaxConsolidationView(PrincipalMixin, APIView):
    """The sandbox's tax office: consolidate your own finished month (by the sandbox clock) and get the
    bills' statuses as CEB818 XML (application/xml)."""

    permission_classes = [permissions.IsAuthenticated, SandboxKeyOnly]

    @extend_schema(
        tags=["sandbox"],
        request=ConsolidationSerializer,
        responses={(200, "application/xml"): bytes},
    )
    def post(self, request: Request) -> HttpResponse:
        body = ConsolidationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        consolidation, _created = sandbox_services.tax_consolidate(
            enterprise=_tenant(self.principal), **body.validated_data
        )
        bills = list(consolidation.bills.order_by("id")[:100])
        if not bills:
            raise SandboxRefused(
                {"month": [_("No bills in this consolidation.")]}, status=status.HTTP_404_NOT_FOUND
            )
        return HttpResponse(
            ceb_written.build_tax_status(bills), content_type="application/xml; charset=utf-8"
        )
