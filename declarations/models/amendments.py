"""Cancels (CEB623) and returns (CEB625) of import lists, with the returned lines."""

import hashlib
from collections.abc import Iterable
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sharing.models import Enterprise
from singlewindow.core.sandbox import SandboxScoped

from .base import amount
from .imports import InventoryList

# The head of a cancel (CEB623) or return (CEB625) that names the list: stored as the list has it, never
# as sent, so who may confirm the goods back or is credited cannot be chosen by the filer.
LIST_HEAD_FIELDS = (
    "customs_code",
    "order_no",
    "ebp_code",
    "ebp_name",
    "ebc_code",
    "ebc_name",
    "logistics_no",
    "logistics_code",
    "logistics_name",
    "cop_no",
    "pre_no",
    "invt_no",
    "buyer_id_type",
    "buyer_id_number",
    "buyer_name",
    "buyer_telephone",
    "agent_code",
    "agent_name",
)


def return_lines_key(lines: Iterable[tuple[int, Decimal]]) -> str:
    """The natural key of a return's lines: each (gnum, qty), in gnum order, quantities compared as
    numbers ("2" and "2.00000" are one quantity), hashed to fit an index."""
    text = ";".join(f"{gnum}:{qty.normalize():f}" for gnum, qty in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


class ListAmendment(SandboxScoped):
    """What CEB623 (cancel) and CEB625 (return) share: the list they concern, its parties and buyer
    (`LIST_HEAD_FIELDS`, copied from the list), and the filer's reason."""

    guid = models.CharField(max_length=36)
    app_type = models.CharField(max_length=1, default="1")
    app_time = models.CharField(max_length=14)
    app_status = models.CharField(max_length=3, default="2")
    customs_code = models.CharField(max_length=4)
    order_no = models.CharField(max_length=60)
    ebp_code = models.CharField(max_length=18)
    ebp_name = models.CharField(max_length=100)
    ebc_code = models.CharField(max_length=18)
    ebc_name = models.CharField(max_length=100)
    logistics_no = models.CharField(max_length=60)
    logistics_code = models.CharField(max_length=18)
    logistics_name = models.CharField(max_length=100)
    cop_no = models.CharField(max_length=20, blank=True)
    pre_no = models.CharField(max_length=18, blank=True)
    invt_no = models.CharField(max_length=18)
    buyer_id_type = models.CharField(max_length=1)
    buyer_id_number = models.CharField(max_length=60)
    buyer_name = models.CharField(max_length=60)
    buyer_telephone = models.CharField(max_length=30)
    agent_code = models.CharField(max_length=18)
    agent_name = models.CharField(max_length=100)
    reason = models.CharField(_("reason"), max_length=1000)
    note = models.CharField(max_length=1000, blank=True)
    submitted_by = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        abstract = True


class InventoryCancel(ListAmendment):
    """CEB623: the declaring enterprise cancels a list before it is released. One per list."""

    inventory = models.OneToOneField(InventoryList, on_delete=models.PROTECT, related_name="cancellation")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("list cancellation")
        verbose_name_plural = _("list cancellations")

    def __str__(self) -> str:
        return f"cancel {self.invt_no or self.inventory_id}"


class InventoryRefund(ListAmendment):
    """CEB625: a return of released goods, applied for within 30 days of release; the goods must be
    back in the supervised site or bonded warehouse within 45 days. Completing it gives the buyer's
    quota and the tax of the returned lines back and (1210) puts the goods back in stock.

    A list may have several returns, each of some of its lines, never more in all than was released.
    Natural key: the list, the filer's guid and the lines returned (each gnum with its quantity, as
    `lines_key`). The same message sent again (same guid, same lines) is the same return and gets its
    answer; other lines, or the same lines in another message (say the rest of a line returned in
    halves), are a new return within what earlier returns left. The head's copNo names the list, not
    the return, so only the guid names the filer's return.

    `goods_receiver` is the one enterprise that confirms the goods are back, fixed when the return is
    accepted: the carrier of a 9610 list (its logistics code), the operator of the bonded warehouse of
    a 1210 list's account book (its ems_no). None when the registry knows neither: customs confirms."""

    class State(models.TextChoices):
        AWAITING_GOODS = "awaiting", _("Accepted: waiting for the goods")
        COMPLETED = "completed", _("Goods back: tax and quota returned")
        EXPIRED = "expired", _("Expired: goods not back within 45 days")

    inventory = models.ForeignKey(InventoryList, on_delete=models.PROTECT, related_name="refunds")
    lines_key = models.CharField(max_length=64, editable=False)
    goods_receiver = models.ForeignKey(
        Enterprise,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("goods come back to"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.AWAITING_GOODS, db_index=True
    )
    goods_due_by = models.DateTimeField(_("goods due back by"))
    goods_received_at = models.DateTimeField(_("goods back at"), null=True, blank=True)
    dutiable_value = amount(_("value returned"), default=0)
    tax_returned = amount(_("tax returned"), default=0)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(fields=["inventory", "guid", "lines_key"], name="return_natural_key"),
        ]

    def __str__(self) -> str:
        return f"return {self.invt_no}"


class InventoryRefundLine(models.Model):
    """CEB625 InvtRefundList: a line of the original list and the quantity returned."""

    refund = models.ForeignKey(InventoryRefund, on_delete=models.CASCADE, related_name="lines")
    gnum = models.PositiveIntegerField()
    gcode = models.CharField(max_length=10)
    gname = models.CharField(max_length=250)
    qty = amount(_("quantity returned"))
    unit = models.CharField(max_length=3)
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["refund", "gnum"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "gnum"], name="refund_line_gnum_unique"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="refund_qty_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.refund_id}#{self.gnum}"


# ---------------------------------------------------------------------------------------------
# Export (DOMAIN 3): CEB303 order, CEB403 receipt of payment, CEB505 waybill, CEB603 list, and the
# CEB701/792 summary declaration ("list approval and release, summary declaration").
