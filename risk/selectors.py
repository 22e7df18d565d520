"""Reads of the risk system: the facts the rules read, and the officials' alert queue."""

from collections.abc import Sequence
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from credit import selectors as credit_selectors
from declarations.models import InventoryList
from sharing.models import BuyerVerification, Enterprise
from sharing.selectors import enterprises_by_code

from .models import Alert
from .rules import Line, ListFacts


def facts_for(lists: Sequence[InventoryList]) -> list[ListFacts]:
    """Facts of a batch of lists (with `payment` and `items` loaded): a few queries for the batch.

    Risk reads credit (levels and the negative list) as its input, as the credit grade feeds the risk step.
    """
    if not lists:
        return []
    today = timezone.localdate()
    ids_by_code = enterprises_by_code({i.ebc_code for i in lists})
    enterprise_ids = set(ids_by_code.values())
    levels = credit_selectors.levels_for(enterprise_ids, on=today)
    negative = credit_selectors.on_negative_list(enterprise_ids, on=today)
    approved = dict(Enterprise.objects.filter(pk__in=enterprise_ids).values_list("pk", "approved_at"))
    verified = set(
        BuyerVerification.objects.filter(id_number__in={i.buyer_id_number for i in lists}).values_list(
            "id_number", flat=True
        )
    )
    facts = []
    for inventory in lists:
        enterprise_id = ids_by_code.get(inventory.ebc_code)
        level = levels.get(enterprise_id)
        payment = inventory.payment
        facts.append(
            ListFacts(
                id=inventory.pk,
                ebc_code=inventory.ebc_code,
                buyer_id_number=inventory.buyer_id_number,
                buyer_name=inventory.buyer_name,
                consignee_address=inventory.consignee_address,
                dutiable_value=inventory.dutiable_value or 0,
                payer_id_number=payment.payer_id_number if payment else "",
                payer_name=payment.payer_name if payment else "",
                buyer_verified=inventory.buyer_id_number in verified,
                enterprise_approved_at=approved.get(enterprise_id),
                credit_level=level.code if level else "",
                credit_level_name=level.name_en if level else "",
                credit_dishonest=bool(level and level.dishonest),
                credit_inspection_rate=level.inspection_rate if level else Decimal("0.03"),
                credit_held=bool(level and level.held),
                negative_list_reason=negative[enterprise_id].reason if enterprise_id in negative else "",
                lines=tuple(
                    Line(gnum=line.gnum, gcode=line.gcode, price=line.price, qty=line.qty)
                    for line in inventory.items.all()
                ),
                cop_no=inventory.cop_no,
            )
        )
    return facts


def alert_queue(*, status: str | None = "open") -> QuerySet[Alert]:
    qs = Alert.objects.select_related("inventory", "assessment", "decided_by")
    return qs.filter(status=status) if status else qs
