from django.db.models import QuerySet

from .models import TrackingEvent


def public_timeline(*, logistics_no: str) -> QuerySet[TrackingEvent]:
    """A parcel's steps for anyone holding its number: no names, addresses or phone numbers."""
    return (
        TrackingEvent.objects.filter(waybill__logistics_no=logistics_no)
        .select_related("waybill")
        .only("code", "place", "occurred_at", "source", "waybill__logistics_name")
        .order_by("occurred_at", "id")
    )
