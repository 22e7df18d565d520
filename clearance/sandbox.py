"""The partner's sandbox as a whole: reset (its documents and everything they caused, and its clock)
and the simulated tax office's monthly consolidation (CEB818) of the sandbox's tax bills.

Runs only in a sandbox context (`singlewindow.core.sandbox`): the default managers then see sandbox
rows alone, so nothing here can reach a live row.
"""

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from declarations.models import (
    ExportInventoryList,
    ExportOrder,
    ExportWaybill,
    InventoryCancel,
    InventoryList,
    InventoryRefund,
    Order,
    Payment,
    Receipt,
    ReceiptOfPayment,
    SummaryDeclaration,
    Waybill,
)
from finance import services as finance_services
from finance.models import (
    BuyerQuota,
    ForexSettlement,
    QuotaUse,
    TaxBill,
    TaxBillCredit,
    TaxConsolidation,
    TaxGuarantee,
    VatExemption,
)
from logistics.models import StockItem, StockMovement, WarehouseEntry
from sharing.choices import AgencyCode
from sharing.models import Agency, Enterprise
from sharing.principal import Principal
from sharing.sandbox import SandboxRefused, clock_reset
from singlewindow.core import sandbox

# A new sandbox tenant's tax guarantee, so its lists clear without asking a tax official for one.
SANDBOX_GUARANTEE = 1_000_000


def _require_sandbox() -> None:
    if not sandbox.active():
        raise SandboxRefused(_("Only a sandbox key may do this."), "sandbox_only", 403)


def guarantee_seed(*, enterprise: Enterprise) -> None:
    """The tenant's sandbox guarantee (as guarantor under its customs code), created once."""
    _require_sandbox()
    TaxGuarantee.objects.get_or_create(
        assure_code=enterprise.customs_code, defaults={"amount": SANDBOX_GUARANTEE}
    )


@transaction.atomic
def sandbox_reset(*, enterprise: Enterprise) -> dict[str, int]:
    """Delete every sandbox document the tenant filed, and what the clearance wrote for them, then set
    its clock back to real time and its guarantee back to whole. Other tenants' sandbox rows stay."""
    _require_sandbox()
    lists = InventoryList.objects.filter(submitted_by=enterprise)
    exports = ExportInventoryList.objects.filter(submitted_by=enterprise)
    refunds = InventoryRefund.objects.filter(Q(submitted_by=enterprise) | Q(inventory__in=lists))
    entries = WarehouseEntry.objects.filter(submitted_by=enterprise)
    counts = {"inventories": lists.count(), "export_inventories": exports.count()}
    StockMovement.objects.filter(
        Q(inventory__in=lists) | Q(refund__in=refunds) | Q(entry__in=entries)
    ).delete()
    bills = TaxBill.objects.filter(inventory__in=lists)
    consolidations = set(bills.exclude(consolidation=None).values_list("consolidation_id", flat=True))
    TaxBillCredit.objects.filter(Q(bill__in=bills) | Q(refund__in=refunds)).delete()
    bills.delete()
    TaxConsolidation.objects.filter(pk__in=consolidations).delete()
    quota_ids = set(QuotaUse.objects.filter(inventory__in=lists).values_list("quota_id", flat=True))
    QuotaUse.objects.filter(inventory__in=lists).delete()
    _quotas_recount(quota_ids)
    ForexSettlement.objects.filter(export_list__in=exports).delete()
    VatExemption.objects.filter(export_list__in=exports).delete()
    refunds.delete()
    InventoryCancel.objects.filter(Q(submitted_by=enterprise) | Q(inventory__in=lists)).delete()
    counts["rows"] = 0  # the documents and their lines
    for model in (
        InventoryList,
        Order,
        Payment,
        Waybill,
        ExportInventoryList,
        ExportOrder,
        ReceiptOfPayment,
        ExportWaybill,
    ):
        deleted, _ = model.objects.filter(submitted_by=enterprise).delete()
        counts["rows"] += deleted
    SummaryDeclaration.objects.filter(submitted_by=enterprise).delete()
    entries.delete()
    StockItem.objects.filter(owner_code=enterprise.customs_code, movements=None).delete()
    Receipt.objects.filter(enterprise=enterprise).delete()
    TaxGuarantee.objects.filter(assure_code=enterprise.customs_code).update(used=0, reserved=0)
    clock_reset(enterprise=enterprise)
    return counts


def _quotas_recount(quota_ids: set[int]) -> None:
    for quota in BuyerQuota.objects.filter(pk__in=quota_ids):
        uses = quota.uses.values("state").annotate(total=Sum("amount"))
        totals = {row["state"]: row["total"] for row in uses}
        quota.used = totals.get(QuotaUse.State.USED, 0)
        quota.reserved = totals.get(QuotaUse.State.RESERVED, 0)
        quota.save(update_fields=["used", "reserved"])


def tax_consolidate(
    *, enterprise: Enterprise, assure_code: str, year: int, month: int
) -> tuple[TaxConsolidation, bool]:
    """The sandbox's tax office consolidates the tenant's finished month (CEB818): the partner plays
    the official it has no access to, on its own guarantee only."""
    _require_sandbox()
    if assure_code not in {enterprise.customs_code, enterprise.uscc}:
        raise SandboxRefused({"assure_code": [_("Consolidate your own guarantee (your customs code).")]})
    office = Principal(agency=Agency.objects.get(code=AgencyCode.TAX))
    return finance_services.tax_consolidate(assure_code=assure_code, year=year, month=month, by=office)
