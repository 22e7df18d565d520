"""Reads of the offline platform."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Park, ParkApplication, Zone


def zone_directory() -> QuerySet[Zone]:
    return Zone.objects.annotate(park_count=Count("parks")).order_by("batch", "slug")


def park_list() -> QuerySet[Park]:
    return (
        Park.objects.select_related("zone")
        .prefetch_related("services")
        .annotate(enterprise_count=Count("enterprises", filter=Q(enterprises__status="approved")))
        .order_by("zone__batch", "zone__slug", "slug")
    )


def park_settled_enterprises(*, park: Park) -> QuerySet:
    """Approved enterprises settled in the park (public information: names and roles only)."""
    return park.enterprises.filter(status="approved").order_by("name_zh")


def park_application_list(*, principal: Any) -> QuerySet[ParkApplication]:
    """Officials see every application; an enterprise sees its own."""
    qs = ParkApplication.objects.select_related("enterprise", "park", "park__zone", "decided_by")
    if principal.sees_everything:
        return qs
    if principal.enterprise is not None:
        return qs.filter(enterprise=principal.enterprise)
    return qs.none()


def zone_with_parks(*, slug: str) -> Zone:
    return Zone.objects.prefetch_related(Prefetch("parks", queryset=park_list())).get(slug=slug)
