from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from singlewindow.api import error_body

from .. import selectors, services


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
            return Response(error_body("invalid", _("Send one event or a list of events.")), status=400)
        if len(events) > services.MAX_BATCH:
            return Response(error_body("too_many", _("At most 1000 events at once.")), status=413)
        try:
            results = services.tracking_events_post(events=events, by=request.principal)
        except PermissionError as exc:
            return Response(error_body("permission_denied", str(exc)), status=status.HTTP_403_FORBIDDEN)
        rejected = [r for r in results if r["outcome"] == "rejected"]
        body = {"results": results, "accepted": len(results) - len(rejected), "rejected": len(rejected)}
        if rejected:
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
            return Response(
                error_body("not_found", _("No parcel with this number has been tracked.")), status=404
            )
        return Response(
            {
                "logistics_no": logistics_no,
                "carrier": steps[0].waybill.logistics_name,
                "steps": TrackingStepSerializer(steps, many=True).data,
            }
        )
