"""Writes of intelligent logistics: the tracking timeline (steps posted by logistics firms and the
pipeline's own), warehouses, CEB711 entries, and the bonded stock ledger of mode 1210."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from declarations.models import Waybill
from declarations.services.identity import content_hash
from sharing.choices import AgencyCode, EnterpriseRole
from sharing.principal import Principal
from singlewindow.core.errors import ServiceError
from singlewindow.core.inputs import parse_datetime
from singlewindow.core.texts import Text, gettext_noop

from .models import StockItem, StockMovement, TrackingEvent, Warehouse, WarehouseEntry, WarehouseEntryLine

MAX_BATCH = 1000


def tracking_events_post(*, events: Sequence[dict[str, Any]], by: Principal) -> list[dict[str, Any]]:
    """A logistics firm reports steps of its own parcels; each answered in order. Idempotent."""
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not enterprise.has_role(EnterpriseRole.LOGISTICS):
        raise PermissionError(_("Only an approved logistics enterprise reports tracking events."))
    own = (enterprise.customs_code, enterprise.uscc)
    # Only text is a number: a JSON list or object here is refused per event, never hashed.
    numbers = {
        e["logistics_no"] for e in events if isinstance(e, dict) and isinstance(e.get("logistics_no"), str)
    }
    waybills = {
        w.logistics_no: w for w in Waybill.objects.filter(logistics_no__in=numbers, logistics_code__in=own)
    }
    results, rows = [], []
    for index, event in enumerate(events):
        errors = _errors(event, waybills)
        if errors:
            results.append({"index": index, "outcome": "rejected", "errors": errors})
            continue
        rows.append(
            TrackingEvent(
                waybill=waybills[event["logistics_no"]],
                code=event["code"],
                place=(event.get("place") or "")[:100],
                note=(event.get("note") or "")[:200],
                occurred_at=event["_at"],
                source=TrackingEvent.Source.LOGISTICS,
            )
        )
        results.append({"index": index, "outcome": "accepted", "errors": {}})
    with transaction.atomic():
        TrackingEvent.objects.bulk_create(rows, ignore_conflicts=True)
    return results


def _errors(event: Any, waybills: dict[str, Waybill]) -> dict[str, list[str]]:
    if not isinstance(event, dict):
        return {"non_field_errors": [_("Each event is a JSON object.")]}
    errors: dict[str, list[str]] = {}
    number = event.get("logistics_no")
    if not isinstance(number, str):
        errors["logistics_no"] = [_("A waybill number as text.")]
    elif number not in waybills:
        errors["logistics_no"] = [_("No waybill of yours has this number.")]
    if event.get("code") not in TrackingEvent.Code.values:
        errors["code"] = [_("One of: %(codes)s.") % {"codes": ", ".join(TrackingEvent.Code.values)}]
    for name, limit in (("place", 100), ("note", 200)):
        value = event.get(name, "")
        # No NUL: PostgreSQL refuses it in text.
        if value is not None and (not isinstance(value, str) or len(value) > limit or "\x00" in value):
            errors[name] = [_("Text of at most %(n)d characters.") % {"n": limit}]
    # A time the database can store: an offset of up to 23:59 on year 1 or 9999 cannot be.
    at = parse_datetime(event.get("occurred_at"))
    if at is None:
        errors["occurred_at"] = [_("An ISO 8601 time from 1900 to 2100, e.g. 2026-11-25T10:30:00+08:00.")]
    elif at > timezone.now() + timezone.timedelta(minutes=5):
        errors["occurred_at"] = [_("This time is in the future.")]
    else:
        event["_at"] = at
    return errors


def pipeline_step(*, waybill_ids: Sequence[int], code: str, note: str = "") -> int:
    """The pipeline's steps (declared, released, inspection, rejected) for a batch of parcels."""
    from singlewindow.core.db import insert_rows

    now = timezone.now()
    rows = [
        TrackingEvent(
            waybill_id=pk, code=code, occurred_at=now, source=TrackingEvent.Source.PIPELINE, note=note[:200]
        )
        for pk in set(waybill_ids)
        if pk
    ]
    insert_rows(rows)
    return len(rows)


def on_waybill_signed(sender: Any, *, waybill: Waybill, signed_at: str, **kwargs: Any) -> None:
    at = timezone.make_aware(datetime.strptime(signed_at, "%Y%m%d%H%M%S"))
    TrackingEvent.objects.get_or_create(
        waybill=waybill,
        code=TrackingEvent.Code.SIGNED,
        occurred_at=at,
        defaults={"source": TrackingEvent.Source.LOGISTICS},
    )


# ---------------------------------------------------------------------------------------------
# Warehouses and bonded stock (mode 1210)


class StockRefused(ServiceError):
    """A warehouse or entry request that breaks a rule; `.fields` names the fields (400 unless said)."""


def _require(by: Principal, *roles: str) -> Any:
    enterprise = by.enterprise
    if enterprise is None or not enterprise.is_approved or not any(enterprise.has_role(r) for r in roles):
        raise PermissionError(
            _("Only an approved enterprise with the role %(roles)s may do this.")
            % {"roles": " / ".join(roles)}
        )
    return enterprise


# Who registers which kind of warehouse: an operator any kind, an exporter (an e-commerce
# enterprise) an overseas one. The one table of the rule, for the pages and the service alike.
REGISTRANTS: dict[str, tuple[str, ...]] = {
    Warehouse.Kind.BONDED: (EnterpriseRole.WAREHOUSE,),
    Warehouse.Kind.OVERSEAS: (EnterpriseRole.ECOMMERCE, EnterpriseRole.WAREHOUSE),
    Warehouse.Kind.ORDINARY: (EnterpriseRole.WAREHOUSE,),
}


def registrable_kinds(principal: Principal) -> list[tuple[str, str]]:
    """The kinds of warehouse the caller may register (REGISTRANTS), if its enterprise is approved."""
    enterprise = principal.enterprise
    if enterprise is None or not enterprise.is_approved:
        return []
    return [
        (kind, label)
        for kind, label in Warehouse.Kind.choices
        if any(enterprise.has_role(role) for role in REGISTRANTS[kind])
    ]


def may_decide_warehouses(principal: Principal) -> bool:
    """Customs (and site administrators) approve or reject warehouse registrations."""
    return principal.is_agency(AgencyCode.CUSTOMS) or principal.is_superuser


def warehouse_register(*, data: dict[str, Any], by: Principal) -> Warehouse:
    """An operator registers a bonded or ordinary warehouse; an exporter (or operator) an overseas one.
    Customs reviews it before lists may use it."""
    from sharing.services import audit_record

    enterprise = _require(by, *REGISTRANTS[data["kind"]])
    errors: dict[str, list[str]] = {}
    if Warehouse.objects.filter(code=data["code"]).exists():
        errors["code"] = [_("A warehouse with this code is registered.")]
    if data.get("ems_no") and Warehouse.objects.filter(ems_no=data["ems_no"]).exists():
        errors["ems_no"] = [_("This account book belongs to another warehouse.")]
    park = None
    if data.get("park"):
        from parks.models import Park

        park = Park.objects.filter(pk=data["park"]).first()
        if park is None:
            errors["park"] = [_("No park with this id.")]
    if errors:
        raise StockRefused(errors)
    warehouse = Warehouse.objects.create(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        ems_no=data.get("ems_no", ""),
        country=data.get("country", "142"),
        address=data["address"],
        capacity=data["capacity"],
        park=park,
        operator=enterprise,
    )
    audit_record(actor=by, action="warehouse.registered", obj=warehouse, code=warehouse.code)
    return warehouse


def warehouse_decide(*, warehouse: Warehouse, approve: bool, reason: str, by: Principal) -> Warehouse:
    """Customs approves or rejects a registration (only one still pending)."""
    from sharing.services import audit_record

    if not may_decide_warehouses(by):
        raise PermissionError(_("Only customs reviews warehouse registrations."))
    updated = Warehouse.objects.filter(pk=warehouse.pk, status=Warehouse.Status.PENDING).update(
        status=Warehouse.Status.APPROVED if approve else Warehouse.Status.REJECTED
    )
    if not updated:
        raise StockRefused({"status": [_("This registration was already decided.")]}, status=409)
    warehouse.refresh_from_db()
    audit_record(actor=by, action=f"warehouse.{warehouse.status}", obj=warehouse, reason=reason)
    return warehouse


def warehouse_entry_submit(*, data: dict[str, Any], by: Principal) -> tuple[WarehouseEntry, bool]:
    """CEB711: goods enter a warehouse and its stock. Returns (entry, created); the same entry sent
    again (operator + cop_no) is answered with the first, and an entry never changes once made."""
    enterprise = _require(by, EnterpriseRole.WAREHOUSE)
    if data["operator_code"] not in (enterprise.customs_code, enterprise.uscc):
        raise StockRefused({"operator_code": [_("An entry is filed by the warehouse's own operator.")]})
    digest = content_hash({k: v for k, v in data.items() if k not in ("guid", "app_time")})
    with transaction.atomic():
        existing = WarehouseEntry.objects.filter(
            operator_code=data["operator_code"], cop_no=data["cop_no"]
        ).first()
        if existing is not None:
            if existing.content_hash != digest:
                raise StockRefused(
                    {"cop_no": [_("This entry was already made with other content; it cannot change.")]}
                )
            return existing, False
        # Locked: concurrent entries into one warehouse must not both pass its capacity.
        warehouse = (
            Warehouse.objects.select_for_update()
            .filter(code=data["warehouse_code"], operator=enterprise, status=Warehouse.Status.APPROVED)
            .first()
        )
        if warehouse is None:
            raise StockRefused({"warehouse_code": [_("No approved warehouse of yours has this code.")]})
        incoming = sum((line["qty"] for line in data["lines"]), Decimal(0))
        on_hand = warehouse.stock.aggregate(total=Sum("quantity"))["total"] or Decimal(0)
        if on_hand + incoming > warehouse.capacity:
            raise StockRefused(
                {
                    "lines": [
                        _("The warehouse holds %(held)s of %(cap)s units; %(n)s more do not fit.")
                        % {"held": on_hand.normalize(), "cap": warehouse.capacity, "n": incoming.normalize()}
                    ]
                }
            )
        head = {k: v for k, v in data.items() if k not in ("lines", "warehouse_code")}
        entry = WarehouseEntry.objects.create(
            **head, warehouse=warehouse, submitted_by=enterprise, content_hash=digest
        )
        entry.rkd_no = f"R{timezone.now():%Y%m%d}{entry.pk % 1_000_000_000:09d}"
        entry.save(update_fields=["rkd_no"])
        WarehouseEntryLine.objects.bulk_create(
            [WarehouseEntryLine(entry=entry, **line) for line in data["lines"]]
        )
        per_sku: dict[str, dict[str, Any]] = {}
        for line in data["lines"]:
            sku = per_sku.setdefault(line["item_record_no"], {**line, "qty": Decimal(0)})
            sku["qty"] += line["qty"]
        StockItem.objects.bulk_create(
            [
                StockItem(
                    warehouse=warehouse,
                    item_record_no=no,
                    owner_code=data["operator_code"],
                    gcode=line["gcode"],
                    gname=line["gname"],
                    unit=line["unit"],
                )
                for no, line in per_sku.items()
            ],
            ignore_conflicts=True,
        )
        items = {
            s.item_record_no: s
            for s in StockItem.objects.select_for_update()
            .filter(warehouse=warehouse, item_record_no__in=per_sku)
            .order_by("id")
        }
        movements = []
        for no, line in per_sku.items():
            item = items[no]
            item.quantity += line["qty"]
            movements.append(
                StockMovement(
                    stock_item=item,
                    kind=StockMovement.Kind.ENTRY,
                    qty=line["qty"],
                    balance=item.quantity,
                    entry=entry,
                )
            )
        StockItem.objects.bulk_update(list(items.values()), ["quantity", "updated_at"])
        StockMovement.objects.bulk_create(movements)
    return entry, True


@dataclass(frozen=True)
class StockClaim:
    """What one 1210 list takes from its bonded warehouse: quantity per account-book item."""

    inventory_id: int
    ems_no: str
    quantities: dict[str, Decimal]


def stock_shortage(claim: StockClaim, *, warehouses: dict[str, Warehouse], items: dict) -> Text | None:
    """Why the warehouse cannot give what the list takes (None when it can); `items` is keyed by
    (warehouse id, item_record_no) and is updated by the caller as claims are applied."""
    warehouse = warehouses.get(claim.ems_no)
    if warehouse is None:
        return Text(
            gettext_noop("account book %(ems_no)s is not an approved bonded warehouse"), ems_no=claim.ems_no
        )
    for no, qty in sorted(claim.quantities.items()):
        item = items.get((warehouse.pk, no))
        available = item.quantity - item.reserved if item is not None else Decimal(0)
        if available < qty:
            return Text(
                gettext_noop("item %(no)s: %(available)s in stock in %(warehouse)s, the list takes %(qty)s"),
                no=no,
                # Plain digits: a normalized 10 would read 1E+1.
                available=f"{available.normalize():f}",
                warehouse=warehouse.code,
                qty=f"{qty.normalize():f}",
            )
    return None


def _stock_rows(claims: Sequence[StockClaim], *, lock: bool) -> tuple[dict[str, Warehouse], dict]:
    warehouses = {
        w.ems_no: w
        for w in Warehouse.objects.filter(
            ems_no__in={c.ems_no for c in claims},
            kind=Warehouse.Kind.BONDED,
            status=Warehouse.Status.APPROVED,
        )
    }
    rows = StockItem.objects.filter(
        warehouse__in=list(warehouses.values()),
        item_record_no__in={no for c in claims for no in c.quantities},
    ).order_by("id")
    if lock:
        rows = rows.select_for_update()
    return warehouses, {(s.warehouse_id, s.item_record_no): s for s in rows}


def stock_snapshot(claims: Sequence[StockClaim]) -> tuple[dict[str, Warehouse], dict]:
    """What customs reads to judge 1210 lists (no lock: the hold below is the authoritative check)."""
    return _stock_rows(claims, lock=False)


def stock_hold(claims: Sequence[StockClaim]) -> dict[int, Text]:
    """Reserve each claim's goods under lock, in turn; returns the problem of each claim refused.

    Rows are locked in id order, so two workers holding stock for the same SKUs cannot deadlock, and
    the second sees what the first reserved: stock is never promised twice.
    """
    if not claims:
        return {}
    warehouses, items = _stock_rows(claims, lock=True)
    refused = {}
    for claim in claims:
        problem = stock_shortage(claim, warehouses=warehouses, items=items)
        if problem:
            refused[claim.inventory_id] = problem
            continue
        warehouse = warehouses[claim.ems_no]
        for no, qty in claim.quantities.items():
            items[(warehouse.pk, no)].reserved += qty
    StockItem.objects.bulk_update(list(items.values()), ["reserved", "updated_at"])
    return refused


def stock_settle(*, released: Sequence[StockClaim], given_back: Sequence[StockClaim]) -> int:
    """At the list's final status: released lists take their reserved goods out of stock (one
    RELEASE movement per SKU and list); rejected or cancelled ones free the reservation."""
    claims = list(released) + list(given_back)
    if not claims:
        return 0
    warehouses, items = _stock_rows(claims, lock=True)
    movements = []
    for claim, release in [(c, True) for c in released] + [(c, False) for c in given_back]:
        warehouse = warehouses.get(claim.ems_no)
        if warehouse is None:
            continue
        for no, qty in claim.quantities.items():
            item = items[(warehouse.pk, no)]
            item.reserved -= qty
            if release:
                item.quantity -= qty
                movements.append(
                    StockMovement(
                        stock_item=item,
                        kind=StockMovement.Kind.RELEASE,
                        qty=-qty,
                        balance=item.quantity,
                        inventory_id=claim.inventory_id,
                    )
                )
    StockItem.objects.bulk_update(list(items.values()), ["quantity", "reserved", "updated_at"])
    StockMovement.objects.bulk_create(movements)
    return len(movements)


def stock_return(*, claim: StockClaim, refund_id: int) -> int:
    """Returned goods back on the shelf of the warehouse they left (CEB625)."""
    warehouses, items = _stock_rows([claim], lock=True)
    warehouse = warehouses.get(claim.ems_no)
    if warehouse is None:
        return 0
    movements = []
    for no, qty in claim.quantities.items():
        item = items[(warehouse.pk, no)]
        item.quantity += qty
        movements.append(
            StockMovement(
                stock_item=item,
                kind=StockMovement.Kind.RETURN,
                qty=qty,
                balance=item.quantity,
                refund_id=refund_id,
            )
        )
    StockItem.objects.bulk_update(list(items.values()), ["quantity", "updated_at"])
    StockMovement.objects.bulk_create(movements)
    return len(movements)


def stock_claim(inventory: Any, *, lines: Sequence[Any] | None = None) -> StockClaim | None:
    """The claim of a 1210 list (or of the returned part of one: `lines` with gnum and qty)."""
    if inventory.trade_mode != "1210":
        return None
    by_gnum = {item.gnum: item for item in inventory.items.all()}
    quantities: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines if lines is not None else by_gnum.values():
        item = by_gnum[line.gnum]
        quantities[item.item_record_no] += line.qty
    return StockClaim(inventory.pk, inventory.ems_no, dict(quantities))
