"""Logistics reads: a waybill's public timeline, and the warehouses, stock, entries and movements a
principal may see."""

from django.db.models import Q, QuerySet

from sharing.principal import Principal

from .models import StockItem, StockMovement, TrackingEvent, Warehouse, WarehouseEntry


def public_timeline(*, logistics_no: str) -> QuerySet[TrackingEvent]:
    """A parcel's steps for anyone holding its number: no names, addresses or phone numbers. The
    number is matched as typed or in capitals (carriers print capitals; people type small letters),
    without spaces, on the index rather than by a case-blind scan."""
    typed = "".join(logistics_no.split())
    return (
        TrackingEvent.objects.filter(waybill__logistics_no__in={typed, typed.upper()})
        .select_related("waybill")
        .only("code", "place", "occurred_at", "source", "waybill__logistics_name")
        .order_by("occurred_at", "id")
    )


def warehouses_for(*, principal: Principal) -> QuerySet[Warehouse]:
    """Officials see every warehouse; an enterprise its own, and the approved ones it may name
    (bonded account books on its 1210 lists, overseas warehouses it exports to)."""
    qs = Warehouse.objects.select_related("operator", "park")
    if principal.sees_everything:
        return qs
    if principal.enterprise is None:
        return qs.none()
    return qs.filter(Q(operator=principal.enterprise) | Q(status=Warehouse.Status.APPROVED))


def stock_for(*, principal: Principal) -> QuerySet[StockItem]:
    """Stock is the operator's and the goods' owner's business (and officials')."""
    qs = StockItem.objects.select_related("warehouse")
    if principal.sees_everything:
        return qs
    enterprise = principal.enterprise
    if enterprise is None:
        return qs.none()
    codes = [enterprise.customs_code, enterprise.uscc]
    return qs.filter(Q(warehouse__operator=enterprise) | Q(owner_code__in=codes))


def entries_for(*, principal: Principal) -> QuerySet[WarehouseEntry]:
    qs = WarehouseEntry.objects.select_related("warehouse").prefetch_related("lines")
    if principal.sees_everything:
        return qs
    if principal.enterprise is None:
        return qs.none()
    return qs.filter(submitted_by=principal.enterprise)


def movements_for(*, principal: Principal) -> QuerySet[StockMovement]:
    return StockMovement.objects.filter(stock_item__in=stock_for(principal=principal)).select_related(
        "stock_item", "stock_item__warehouse"
    )
