"""What partners' webhooks get beside a list's final status: its CEB622 for webhooks that take CEB
XML, its tax bill (CEB816, to those webhooks only: JSON webhooks keep their one event per list), and
the copies for the parties a BaseSubscribe named (ALL, RET)."""

from typing import Any

from declarations import receipt_feed
from declarations.choices import DocumentKind
from declarations.models import DocumentSubscription, Receipt, SubscribeScope
from finance.models import TaxBill
from sharing.models import PayloadFormat, WebhookSubscription

Event = tuple[int, str, str, dict[str, Any]]


def receipt_events(
    inventory_ids: list[int], events: list[Event]
) -> tuple[list[Event], dict[str, str], frozenset[str]]:
    """(more events, CEB payload by event key, the keys for CEB webhooks only) for the lists' final
    events `events`; a few queries for the whole batch. The CEB messages are written only when a
    recipient has a CEB XML webhook: most batches have none, and writing them is most of the cost."""
    by_list = {payload["id"]: (event, key, payload) for _e, event, key, payload in events}
    more: list[Event] = []
    for subscriber_id, document_id, scope in DocumentSubscription.objects.filter(
        kind=DocumentKind.INVENTORY,
        document_id__in=list(by_list),
        scope__in=[SubscribeScope.ALL, SubscribeScope.RET],
    ).values_list("subscriber_id", "document_id", "scope"):
        event, key, payload = by_list[document_id]
        more.append((subscriber_id, event, key, {**payload, "copy": scope}))

    recipients = {e[0] for e in events} | {e[0] for e in more}
    wants_ceb = set(
        WebhookSubscription.objects.filter(
            enterprise_id__in=recipients, active=True, payload_format=PayloadFormat.CEB
        ).values_list("enterprise_id", flat=True)
    )
    ceb_payloads: dict[str, str] = {}
    if not wants_ceb:
        return more, ceb_payloads, frozenset()
    # The lists some CEB webhook hears of: their filer or a subscriber has one.
    heard = {e[3]["id"] for e in events + more if e[0] in wants_ceb}

    latest: dict[int, Receipt] = {}
    for receipt in Receipt.objects.filter(kind=DocumentKind.INVENTORY, document_id__in=heard).order_by(
        "document_id", "-id"
    ):
        latest.setdefault(receipt.document_id, receipt)
    written = {
        e.receipt.document_id: e.xml for e in receipt_feed.entries(latest.values()) if e.xml is not None
    }
    for _enterprise, _event, key, payload in events:
        if (xml := written.get(payload["id"])) is not None:
            ceb_payloads[key] = xml.decode()

    bills = list(
        TaxBill.objects.filter(
            inventory_id__in=heard, inventory__submitted_by_id__in=wants_ceb
        ).select_related("inventory")
    )
    bill_receipts = Receipt.objects.filter(kind=DocumentKind.TAX_BILL, document_id__in=[b.pk for b in bills])
    by_bill = {e.receipt.document_id: e for e in receipt_feed.entries(bill_receipts)}
    bill_keys = set()
    for bill in bills:
        key = f"tax_bill:{bill.pk}:{bill.status}"
        payload = {
            "id": bill.pk,
            "inventory": bill.inventory_id,
            "invt_no": bill.invt_no,
            "tax_no": bill.tax_no,
            "customs_tax": bill.customs_tax,
            "value_added_tax": bill.value_added_tax,
            "consumption_tax": bill.consumption_tax,
            "status": bill.status,
        }
        more.append((bill.inventory.submitted_by_id, "tax_bill.generated", key, payload))
        bill_keys.add(key)
        if (entry := by_bill.get(bill.pk)) is not None and entry.xml is not None:
            ceb_payloads[key] = entry.xml.decode()
    return more, ceb_payloads, frozenset(bill_keys)
