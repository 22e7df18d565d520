"""Step 2, match: a list against its order, payment (or receipt of payment) and waybill (DOMAIN 5).

Runs inside the claim's transaction. A list whose documents are not all in waits (its reason names
them); a mismatch gets its 100 receipt and a credit event; a matched list goes on. Lists are changed in
memory only: the claim writes each once.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from credit.models import CreditEvent
from declarations import matching
from declarations.choices import AppStatus, InventoryStatus, ReceiptSource
from declarations.models import (
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryList,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    Waybill,
)
from finance.ledgers import exchange_rates_today
from sharing.choices import BusinessCode
from sharing.models import BuyerVerification
from sharing.selectors import enterprises_by_code
from singlewindow.core.db import insert_rows, load, prefetch_children
from singlewindow.core.texts import Text, gettext_noop, joined

from .records import SENT_TO_CUSTOMS, advance, advance_all, credit_events


def _mismatch(
    inventory: InventoryList | ExportInventoryList, failures: list[matching.Failure], code: str
) -> Receipt | None:
    """The documents disagree: the list waits for a corrected document or list, with the business
    code of the mismatch as its receipt (not 100: customs never saw it)."""
    inventory.status = InventoryStatus.MISMATCH
    reason = matching.summary(failures)
    inventory.set_reason(reason)
    return advance(inventory, ReceiptSource.PORTAL, code, reason)


# The documents a list may wait for, by name, each in the reader's language.
_DOCUMENT_NAMES = {
    "order": gettext_noop("order"),
    "payment": gettext_noop("payment"),
    "waybill": gettext_noop("waybill"),
    "receipt": gettext_noop("receipt of payment"),
}


def _waiting_for(**documents: object) -> list[Text]:
    return [Text(_DOCUMENT_NAMES[name]) for name, doc in documents.items() if doc is None]


def _waiting(missing: list[Text]) -> Text:
    return Text(gettext_noop("Waiting for: %(documents)s"), documents=joined(missing, ", "))


def match_imports(lists: list[InventoryList]) -> list[InventoryList]:
    """Import lists (CEB621) against their CEB311 order, CEB411 payment and CEB511 waybill."""
    orders = {
        (o.ebp_code, o.order_no): o
        for o in prefetch_children(
            Order.objects.filter(
                ebp_code__in={i.ebp_code for i in lists},
                order_no__in={i.order_no for i in lists},
                app_status=AppStatus.DECLARED,
            ),
            "items",
        )
    }
    payments: dict[tuple[str, str], list[Payment]] = defaultdict(list)
    for row in load(
        Payment.objects.filter(
            ebp_code__in={i.ebp_code for i in lists},
            order_no__in={i.order_no for i in lists},
            app_status=AppStatus.DECLARED,
        ).order_by("id")
    ):
        payments[(row.ebp_code, row.order_no)].append(row)
    waybills = {
        (w.logistics_code, w.logistics_no): w
        for w in load(
            Waybill.objects.filter(
                logistics_code__in={i.logistics_code for i in lists},
                logistics_no__in={i.logistics_no for i in lists},
                app_status=AppStatus.DECLARED,
            )
        )
    }
    verified = set(
        BuyerVerification.objects.filter(id_number__in={i.buyer_id_number for i in lists}).values_list(
            "id_number", flat=True
        )
    )
    now = timezone.now()
    mismatched, matched, receipts = [], [], []
    for inventory in lists:
        order = orders.get((inventory.ebp_code, inventory.order_no))
        filed = payments.get((inventory.ebp_code, inventory.order_no), [])
        payment = named_payment(order, filed) if order is not None else None
        waybill = waybills.get((inventory.logistics_code, inventory.logistics_no))
        inventory.match_requested_at = None
        if order is None or payment is None or waybill is None:
            missing = _waiting_for(order=order, payment=payment, waybill=waybill)
            if order is not None and payment is None and order.pay_code:
                missing[-2 if waybill is None else -1] = Text(
                    gettext_noop("payment from %(firm)s"), firm=order.pay_code
                )
            inventory.set_reason(_waiting(missing))
            continue
        if isinstance(payment, list):
            # Several firms paid for an order that names none: which one counts is the order's to say.
            failure = matching.Failure(
                "5.1",
                "order.pay_code",
                Text(
                    gettext_noop("order.pay_code is empty and payments of this order came from %(firms)s"),
                    firms=", ".join(sorted({p.pay_code for p in payment})),
                ),
            )
            mismatched.append(inventory)
            receipts.append(_mismatch(inventory, [failure], BusinessCode.PAYMENT_NOT_NAMED))
            continue
        failures = matching.match(
            buyer_verified=inventory.buyer_id_number in verified,
            inventory=inventory,
            inventory_lines=list(inventory.items.all()),
            order=order,
            order_lines=list(order.items.all()),
            payment=payment,
            waybill=waybill,
        )
        inventory.order, inventory.payment, inventory.waybill = order, payment, waybill
        if failures:
            mismatched.append(inventory)
            receipts.append(_mismatch(inventory, failures, BusinessCode.DOCUMENTS_DIFFER))
        else:
            inventory.status = InventoryStatus.MATCHED
            inventory.set_reason("")
            inventory.matched_at = now
            matched.append(inventory)
    insert_rows([r for r in receipts if r is not None])
    credit_events(mismatched, CreditEvent.Kind.MISMATCH, gettext_noop("documents did not match"))
    return matched


def counted_receipts(
    orders: list[ExportOrder],
) -> dict[tuple[str, str], ReceiptOfPayment | list[ReceiptOfPayment] | None]:
    """The receipt of payment (CEB403) that counts for each export order, by (platform, order number),
    in two queries: one filed by a party of the order (its e-commerce enterprise or platform) first;
    else the one payment firm's that names the order's exporter; receipts of several firms and none
    of a party are given as a list (a mismatch)."""
    filed: dict[tuple[str, str], list[ReceiptOfPayment]] = defaultdict(list)
    for row in ReceiptOfPayment.objects.filter(
        ebp_code__in={o.ebp_code for o in orders},
        order_no__in={o.order_no for o in orders},
        app_status=AppStatus.DECLARED,
    ).order_by("id"):
        filed[(row.ebp_code, row.order_no)].append(row)
    parties = enterprises_by_code({c for o in orders for c in (o.ebp_code, o.ebc_code)})
    counted: dict[tuple[str, str], ReceiptOfPayment | list[ReceiptOfPayment] | None] = {}
    for order in orders:
        key = (order.ebp_code, order.order_no)
        own = {parties.get(order.ebc_code), parties.get(order.ebp_code)} - {None}
        from_exporter = [r for r in filed[key] if r.ebc_code == order.ebc_code]
        by_party = [r for r in from_exporter if r.submitted_by_id in own]
        if by_party:
            counted[key] = by_party[-1]
        elif len({r.pay_code for r in from_exporter}) > 1:
            counted[key] = from_exporter
        else:
            counted[key] = from_exporter[-1] if from_exporter else None
    return counted


def named_payment(order: Order, filed: list[Payment]) -> Payment | list[Payment] | None:
    """The payment that counts for an order (5.1): only one from the payment firm the order names (and
    with its transaction number, when the order gives it), whoever else filed one for the order number.
    An order that names no firm takes the one payment filed for it; several firms' payments for it are
    returned as a list (a mismatch), None when none counts yet.

    A payment names one order (its order_no), and an order belongs to one live list (R10), so a payment
    counted here belongs to at most one live list."""
    if order.pay_code:
        named = [
            p
            for p in filed
            if p.pay_code == order.pay_code
            and (not order.pay_transaction_id or p.pay_transaction_id == order.pay_transaction_id)
        ]
        return named[-1] if named else None
    firms = {p.pay_code for p in filed}
    if len(firms) > 1:
        return filed
    return filed[-1] if filed else None


def match_exports(lists: list[ExportInventoryList]) -> list[ExportInventoryList]:
    """Export lists (CEB603) against their CEB303 order, CEB505 waybill and (but for 9810, whose
    proceeds come later) CEB403 receipt of payment; a matched list gets its FOB value in CNY."""
    platforms, numbers = {i.ebp_code for i in lists}, {i.order_no for i in lists}
    orders = {
        (o.ebp_code, o.order_no): o
        for o in prefetch_children(
            ExportOrder.objects.filter(
                ebp_code__in=platforms, order_no__in=numbers, app_status=AppStatus.DECLARED
            ),
            "items",
        )
    }
    paid = counted_receipts(list(orders.values()))
    waybills = {
        (w.logistics_code, w.logistics_no): w
        for w in ExportWaybill.objects.filter(
            logistics_code__in={i.logistics_code for i in lists},
            logistics_no__in={i.logistics_no for i in lists},
            app_status=AppStatus.DECLARED,
        )
    }
    rates = exchange_rates_today()
    mismatched, matched, receipts = [], [], []
    for inventory in lists:
        order = orders.get((inventory.ebp_code, inventory.order_no))
        proceeds = paid.get((inventory.ebp_code, inventory.order_no))
        waybill = waybills.get((inventory.logistics_code, inventory.logistics_no))
        if isinstance(proceeds, list):
            failure = matching.Failure(
                "5.1",
                "receipt.pay_code",
                Text(
                    gettext_noop(
                        "receipts of payment of this order came from several payment firms (%(firms)s) "
                        "and none from the exporter or the platform"
                    ),
                    firms=", ".join(sorted(r.pay_code for r in proceeds)),
                ),
            )
            inventory.match_requested_at = None
            mismatched.append(inventory)
            receipts.append(_mismatch(inventory, [failure], BusinessCode.RECEIPT_NOT_FROM_PARTY))
            continue
        inventory.match_requested_at = None
        missing = _waiting_for(order=order, waybill=waybill)
        if proceeds is None and inventory.trade_mode != "9810":
            missing.append(Text(_DOCUMENT_NAMES["receipt"]))
        if order is None or waybill is None or missing:
            inventory.set_reason(_waiting(missing))
            continue
        lines = list(inventory.items.all())
        failures = matching.export_match(
            inventory=inventory,
            inventory_lines=lines,
            order=order,
            order_lines=list(order.items.all()),
            receipt=proceeds,
            waybill=waybill,
        )
        currency = lines[0].currency
        if currency not in rates:
            failures.append(
                matching.Failure(
                    "E7",
                    "inventory.items.currency",
                    Text(gettext_noop("no exchange rate for currency %(currency)s"), currency=currency),
                )
            )
        inventory.order, inventory.receipt, inventory.waybill = order, proceeds, waybill
        if failures:
            mismatched.append(inventory)
            receipts.append(_mismatch(inventory, failures, BusinessCode.EXPORT_DOCUMENTS_DIFFER))
            continue
        total = sum((line.total_price for line in lines), Decimal(0))
        inventory.fob_value_cny = (total * rates[currency]).quantize(Decimal("0.01"))
        inventory.status = InventoryStatus.MATCHED
        inventory.set_reason("")
        matched.append(inventory)
        receipts += advance_all([inventory], ReceiptSource.CUSTOMS, [SENT_TO_CUSTOMS])
    insert_rows([r for r in receipts if r is not None])
    credit_events(
        mismatched, CreditEvent.Kind.MISMATCH, gettext_noop("documents did not match"), source_kind="export"
    )
    return matched
