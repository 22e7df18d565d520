"""The rows the pipeline leaves for each released import list, written a dispatch batch at a time."""

import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from credit.models import CreditEvent
from declarations.models import (
    AgencyDecision,
    AgencyDispatch,
    DispatchBatch,
    InventoryItem,
    InventoryList,
    Order,
    OrderItem,
    Payment,
    Receipt,
    Waybill,
)
from finance.models import QuotaUse, TaxBill, TaxBillLine
from logistics.models import StockMovement, TrackingEvent
from risk.models import RiskAssessment
from sharing.models import Exchange

from .orders import FREIGHT, USD_PER_CNY, Basket, Parties, amount_paid

AGENCIES = ("customs", "inspection", "tax", "forex")
# (document kind, source, returnStatus, Chinese, English, seconds after intake): as DOMAIN 4.1 has them.
DOCUMENT_RECEIPTS = (
    ("portal", "2", "已申报。", "Declared.", 0.0),
    ("portal", "3", "已发送海关。", "Sent to customs.", 0.5),
    ("portal", "120", "海关入库。", "Accepted into the customs system.", 0.7),
)
LIST_RECEIPTS = (
    ("portal", "2", "已申报。", "Declared.", 0.0),
    ("customs", "3", "已发送海关。", "Sent to customs.", 0.5),
    ("customs", "120", "海关入库。", "Accepted into the customs system.", 0.7),
    ("customs", "399", "海关审结。", "Customs review concluded.", 0.9),
    ("customs", "800", "放行。", "Released.", 1.0),
)
DECISIONS = {
    "customs": ("审结", "Review concluded"),
    "inspection": ("检验检疫：准予进境", "Inspection: goods admitted"),
    "tax": ("税款已担保", "Tax guaranteed"),
    "forex": ("外汇：未超出支付人年度额度", "Forex: within the payer's yearly limit"),
}


class Writer:
    """Turns orders into rows of every table, a dispatch batch at a time."""

    def __init__(self, tables: dict, parties: Parties, rng: random.Random, stock_left: dict) -> None:
        self.t, self.p, self.rng, self.stock_left = tables, parties, rng, stock_left
        self.tz = timezone.get_current_timezone()

    def guid(self) -> str:
        """A random GUID in the CEB form (upper-case 8-4-4-4-12), cheaper than uuid4 a million times."""
        h = f"{self.rng.getrandbits(128):032X}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def batch(self, orders: list[tuple], quota_ids: dict) -> list:
        t, p = self.t, self.p
        last = orders[-1][3]
        batch_at = last + timedelta(seconds=0.5)
        batch_id = t[DispatchBatch].next_id
        dispatches = {
            agency: t[AgencyDispatch].add(
                batch_id=batch_id,
                agency=agency,
                state="answered",
                attempts=0,
                created_at=batch_at,
                answered_at=batch_at + timedelta(seconds=0.2),
            )
            for agency in AGENCIES
        }
        counted, message, sent, answers = [], [], [], defaultdict(list)
        for number, person, basket, at, trade_mode in orders:
            inventory, facts = self.order(number, person, basket, at, trade_mode, batch_id, dispatches)
            quota_id = quota_ids[(person.id_number, at.astimezone(self.tz).year)]
            t[QuotaUse].add(
                inventory_id=inventory,
                quota_id=quota_id,
                amount=basket.assessment.dutiable_value.quantize(Decimal("0.01")),
                returned_amount=Decimal(0),
                state="used",
                updated_at=at + timedelta(seconds=1),
            )
            counted.append(facts)
            # What the agencies are sent of each list, as the dispatch step writes it.
            message.append(
                {
                    "id": inventory,
                    "cop_no": facts.cop_no,
                    "pre_no": facts.pre_no,
                    "trade_mode": trade_mode,
                    "customs_code": "2928",
                    "ebp_code": p.platform.customs_code,
                    "ebc_code": p.seller.customs_code,
                    "agent_code": p.seller.customs_code,
                    "logistics_code": p.logistics.customs_code,
                    "assure_code": p.seller.customs_code,
                    "buyer_id_number": person.id_number,
                    "freight": str(FREIGHT),
                    "tax_amount": str(basket.assessment.total),
                    "pay_code": p.payment.customs_code,
                    "payer_id_number": person.id_number,
                    "amount_paid": str(amount_paid(basket)),
                    "enterprise_id": p.seller.pk,
                    "lines": [
                        {
                            "gnum": n,
                            "gcode": g[0],
                            "gname": g[1],
                            "bar_code": g[4],
                            "qty": str(q),
                            "total_price": str(tp),
                        }
                        for n, (g, q, tp, _line) in enumerate(basket.lines, start=1)
                    ],
                }
            )
            sent.append(
                {
                    "pre_no": facts.pre_no,
                    "cop_no": facts.cop_no,
                    "trade_mode": trade_mode,
                    "tax_amount": str(basket.assessment.total),
                    "lines": len(basket.lines),
                }
            )
            for agency in AGENCIES:
                info, info_en = DECISIONS[agency]
                answers[agency].append({"id": inventory, "status": "399", "info": info, "info_en": info_en})
        t[DispatchBatch].add(
            created_at=batch_at,
            finalized_at=batch_at + timedelta(seconds=0.5),
            size=len(orders),
            ie_flag="I",
            message=json.dumps(message, ensure_ascii=False, separators=(",", ":")),
        )
        for agency in AGENCIES:
            for direction, payload in (("out", sent), ("in", answers[agency])):
                t[Exchange].add(
                    direction=direction,
                    agency=agency,
                    document_kind="inventory",
                    dispatch_id=dispatches[agency],
                    document_count=len(orders),
                    payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                    status="answered",
                    attempts=1,
                    created_at=batch_at,
                    answered_at=batch_at + timedelta(seconds=0.2),
                )
        return counted

    def order(self, number, person, basket: Basket, at: datetime, trade_mode, batch_id, dispatches):
        t, p = self.t, self.p
        bonded = trade_mode == "1210"
        tag = f"{t[InventoryList].next_id:012d}"
        order_no, logistics_no, transaction_id = f"HO{tag}", f"HL{tag}", f"HP{tag}"
        cop_no = f"H{tag}"
        local = at.astimezone(self.tz)
        stamp, day = local.strftime("%Y%m%d%H%M%S"), local.strftime("%Y%m%d")
        assessment = basket.assessment
        paid = amount_paid(basket)
        common = {"app_type": "1", "app_time": stamp, "app_status": "2", "version": 1}

        def head(offset: float, kind: str) -> dict:
            moment = at + timedelta(seconds=offset)
            return {
                **common,
                "guid": self.guid(),
                "content_hash": hashlib.sha256(f"{kind}{tag}".encode()).hexdigest(),
                "created_at": moment,
                "updated_at": moment,
            }

        order = t[Order].add(
            **head(0, "order"),
            submitted_by_id=p.platform.pk,
            order_type="I",
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            ebc_code=p.seller.customs_code,
            ebc_name=p.seller.name_zh,
            goods_value=basket.goods_value,
            freight=FREIGHT,
            discount=Decimal(0),
            tax_total=assessment.total,
            actual_paid=paid,
            currency="142",
            buyer_reg_no=f"U{person.id_number[-10:]}",
            buyer_name=person.name,
            buyer_telephone=person.telephone,
            buyer_id_type="1",
            buyer_id_number=person.id_number,
            pay_code=p.payment.customs_code,
            pay_name=p.payment.name_zh,
            pay_transaction_id=transaction_id,
            consignee=person.name,
            consignee_telephone=person.telephone,
            consignee_address=person.address,
        )
        for gnum, (goods, qty, total, _line) in enumerate(basket.lines, start=1):
            t[OrderItem].add(
                order_id=order,
                gnum=gnum,
                item_no=f"SKU-{goods[0][:6]}",
                item_name=goods[1],
                gmodel=goods[2],
                bar_code=goods[4],
                unit="007",
                qty=qty,
                price=goods[3],
                total_price=total,
                currency="142",
                country="116",
            )
        payment = t[Payment].add(
            **head(0.05, "payment"),
            submitted_by_id=p.payment.pk,
            pay_code=p.payment.customs_code,
            pay_name=p.payment.name_zh,
            pay_transaction_id=transaction_id,
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            payer_id_type="1",
            payer_id_number=person.id_number,
            payer_name=person.name,
            telephone=person.telephone,
            amount_paid=paid,
            currency="142",
            pay_time=stamp,
        )
        waybill = t[Waybill].add(
            **head(0.1, "waybill"),
            submitted_by_id=p.logistics.pk,
            logistics_code=p.logistics.customs_code,
            logistics_name=p.logistics.name_zh,
            logistics_no=logistics_no,
            bill_no="" if bonded else f"784-{number % 100_000_000:08d}",
            order_no=order_no,
            freight=FREIGHT,
            insured_fee=Decimal(0),
            currency="142",
            weight=Decimal("1.20"),
            pack_no=1,
            goods_info="、".join(g[1] for g, *_ in basket.lines)[:200],
            consignee=person.name,
            consignee_address=person.address,
            consignee_telephone=person.telephone,
        )
        inventory_id = t[InventoryList].next_id
        year = local.year
        pre_no = f"B{day}{inventory_id % 1_000_000_000:09d}"
        invt_no = f"2928{year}I{inventory_id % 1_000_000_000:09d}"
        matched, dispatched, final = (at + timedelta(seconds=s) for s in (0.3, 0.5, 1.0))
        t[InventoryList].add(
            **head(0.15, "inventory"),
            submitted_by_id=p.seller.pk,
            order_no=order_no,
            ebp_code=p.platform.customs_code,
            ebp_name=p.platform.name_zh,
            ebc_code=p.seller.customs_code,
            ebc_name=p.seller.name_zh,
            logistics_no=logistics_no,
            logistics_code=p.logistics.customs_code,
            logistics_name=p.logistics.name_zh,
            cop_no=cop_no,
            pre_no=pre_no,
            assure_code=p.seller.customs_code,
            ems_no=p.ems_no if bonded else "",
            invt_no=invt_no,
            ie_flag="I",
            decl_time=day,
            customs_code="2928",
            port_code="2928",
            ie_date=day,
            buyer_id_type="1",
            buyer_id_number=person.id_number,
            buyer_name=person.name,
            buyer_telephone=person.telephone,
            consignee_address=person.address,
            agent_code=p.seller.customs_code,
            agent_name=p.seller.name_zh,
            area_code=p.warehouse.customs_code if bonded else "",
            area_name=p.warehouse.name_zh if bonded else "",
            trade_mode=trade_mode,
            traf_mode="4" if bonded else "5",
            traf_no="" if bonded else "CA1088",
            voyage_no="" if bonded else f"CA{day}",
            bill_no="" if bonded else f"784-{number % 100_000_000:08d}",
            country="142" if bonded else "116",
            freight=FREIGHT,
            insured_fee=Decimal(0),
            currency="142",
            wrap_type="2",
            pack_no=1,
            gross_weight=Decimal("1.20"),
            net_weight=Decimal("1.00"),
            status="released",
            return_status="800",
            order_id=order,
            payment_id=payment,
            waybill_id=waybill,
            dutiable_value=assessment.dutiable_value,
            customs_tax=assessment.customs_tax,
            value_added_tax=assessment.value_added_tax,
            consumption_tax=assessment.consumption_tax,
            tax_amount=assessment.total,
            tax_regime=str(assessment.regime),
            dispatch_batch_id=batch_id,
            matched_at=matched,
            dispatched_at=dispatched,
            final_at=final,
        )
        items = []
        for gnum, (goods, qty, total, line) in enumerate(basket.lines, start=1):
            record_no = f"R{goods[0][:8]}" if bonded else ""
            t[InventoryItem].add(
                inventory_id=inventory_id,
                gnum=gnum,
                item_record_no=record_no,
                item_no=f"SKU-{goods[0][:6]}",
                item_name=goods[1],
                gcode=goods[0],
                gname=goods[1],
                gmodel=goods[2],
                bar_code=goods[4],
                country="116",
                currency="142",
                qty=qty,
                unit="007",
                qty1=qty,
                unit1="007",
                price=goods[3],
                total_price=total,
                tax_price=line.tax_price,
                customs_tax=line.customs_tax,
                value_added_tax=line.value_added_tax,
                consumption_tax=line.consumption_tax,
            )
            items.append(_Item(gnum, goods[0], total, "116"))
            stock = self.p.stock.get(record_no) if bonded else None
            if stock:
                self.stock_left[stock.pk] -= qty
                t[StockMovement].add(
                    kind="release",
                    qty=-qty,
                    balance=self.stock_left[stock.pk],
                    created_at=final,
                    inventory_id=inventory_id,
                    stock_item_id=stock.pk,
                )
        for kind, enterprise, document, key in (
            ("order", p.platform.pk, order, f"{p.platform.customs_code}/{order_no}"),
            ("payment", p.payment.pk, payment, f"{p.payment.customs_code}/{transaction_id}"),
            ("waybill", p.logistics.pk, waybill, f"{p.logistics.customs_code}/{logistics_no}"),
        ):
            for source, status, info, info_en, offset in DOCUMENT_RECEIPTS:
                self._receipt(kind, enterprise, document, key, source, status, info, info_en, at, offset)
        key = f"{p.seller.customs_code}/{cop_no}"
        for source, status, info, info_en, offset in LIST_RECEIPTS:
            self._receipt(
                "inventory", p.seller.pk, inventory_id, key, source, status, info, info_en, at, offset
            )
        for agency in AGENCIES:
            info, info_en = DECISIONS[agency]
            held = {"tax": assessment.total, "forex": (paid * USD_PER_CNY).quantize(Decimal("0.01"))}
            t[AgencyDecision].add(
                dispatch_id=dispatches[agency],
                inventory_id=inventory_id,
                agency=agency,
                outcome="release",
                return_status="399",
                return_info=info,
                return_info_en=info_en,
                held_amount=held.get(agency),
                created_at=dispatched + timedelta(seconds=0.2),
            )
        t[RiskAssessment].add(
            inventory_id=inventory_id,
            score=0,
            threshold=60,
            hits=[],
            decision="dispatch",
            reason_code="",
            credit_level="regular",
            draw_seed=f"{self.rng.getrandbits(128):032x}",
            draw_rate=Decimal("0.0300"),
            draw_value=Decimal(self.rng.random()).quantize(Decimal("0.0000000001")),
            selected_for_inspection=False,
            inspector_conflicts=[],
            created_at=matched,
        )
        bill = t[TaxBill].add(
            inventory_id=inventory_id,
            guid=self.guid(),
            return_time=final.astimezone(self.tz).strftime("%Y%m%d%H%M%S%f")[:17],
            invt_no=invt_no,
            tax_no=f"T{invt_no}",
            customs_tax=assessment.customs_tax,
            value_added_tax=assessment.value_added_tax,
            consumption_tax=assessment.consumption_tax,
            status="1",
            assure_code=p.seller.customs_code,
            ebc_code=p.seller.customs_code,
            logistics_code=p.logistics.customs_code,
            agent_code=p.seller.customs_code,
            customs_code="2928",
            created_at=final,
        )
        for gnum, (goods, _qty, _total, line) in enumerate(basket.lines, start=1):
            t[TaxBillLine].add(
                bill_id=bill,
                gnum=gnum,
                gcode=goods[0],
                tax_price=line.tax_price,
                customs_tax=line.customs_tax,
                value_added_tax=line.value_added_tax,
                consumption_tax=line.consumption_tax,
            )
        for code, moment in (("declared", dispatched), ("released", final)):
            t[TrackingEvent].add(
                waybill_id=waybill, code=code, source="pipeline", occurred_at=moment, created_at=moment
            )
        t[CreditEvent].add(
            enterprise_id=p.seller.pk,
            kind="released",
            points=Decimal("0.05"),
            reason=f"released: {cop_no}",
            source_kind="inventory",
            source_id=inventory_id,
            created_at=final,
        )
        facts = _Counted(
            pk=inventory_id,
            status="released",
            ie_flag="I",
            ebc_code=p.seller.customs_code,
            trade_mode=trade_mode,
            country="142" if bonded else "116",
            tax_amount=assessment.total,
            created_at=at + timedelta(seconds=0.15),
            final_at=final,
            cop_no=cop_no,
            pre_no=pre_no,
            lines=items,
        )
        return inventory_id, facts

    def _receipt(self, kind, enterprise, document, key, source, status, info, info_en, at, offset) -> None:
        self.t[Receipt].add(
            enterprise_id=enterprise,
            kind=kind,
            document_id=document,
            source=source,
            natural_key=key,
            return_status=status,
            return_info=info,
            return_info_en=info_en,
            guid=self.guid(),
            created_at=at + timedelta(seconds=offset),
        )


@dataclass(frozen=True)
class _Item:
    gnum: int
    gcode: str
    total_price: Decimal
    country: str


@dataclass
class _Counted:
    """A loaded list as the statistics count it (stats.services.counted reads these attributes)."""

    pk: int
    status: str
    ie_flag: str
    ebc_code: str
    trade_mode: str
    country: str
    tax_amount: Decimal
    created_at: datetime
    final_at: datetime
    cop_no: str
    pre_no: str
    lines: list

    @property
    def items(self) -> "_Items":
        return _Items(self.lines)


@dataclass(frozen=True)
class _Items:
    lines: list

    def all(self) -> Iterator[_Item]:
        return iter(self.lines)
