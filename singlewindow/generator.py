"""Realistic, valid import declarations (order, payment, waybill, inventory list) for the demo data,
the tests and the benchmark: valid resident IDs, goods on the positive list with registered
producers where needed, and the platform's pre-collected tax computed as customs will compute it.
"""

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from stdnum.cn import ric

from finance import tax

CENT = Decimal("0.01")

# (gcode, name, spec, unit price, barcode) — barcodes of food and cosmetics carry the GS1 prefix of a
# registered overseas producer (sharing.reference.PRODUCERS).
GOODS = [
    ("3304990099", "保湿面霜", "50ml/瓶 补水保湿", Decimal("268.00"), "4901301000017"),
    ("3304100000", "口红", "3.5g 哑光", Decimal("199.00"), "3600541000012"),
    ("0402210000", "婴幼儿奶粉", "900g/罐 1段", Decimal("238.00"), "9421902000015"),
    ("1901101000", "婴儿米粉", "225g/盒", Decimal("89.00"), "9300601000018"),
    ("6109100021", "纯棉T恤", "男款 M码 100%棉", Decimal("129.00"), "6900000000011"),
    ("6403990090", "运动鞋", "42码 皮革", Decimal("599.00"), "6900000000028"),
    ("8518300000", "蓝牙耳机", "无线 降噪", Decimal("899.00"), "6900000000035"),
    ("9503008900", "积木玩具", "500片 6岁以上", Decimal("349.00"), "6900000000042"),
    ("9619001100", "纸尿裤", "L码 54片", Decimal("139.00"), "4901301000024"),
    ("4202210090", "皮革手袋", "牛皮 中号", Decimal("1299.00"), "6900000000059"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
CITIES = [
    ("330106", "浙江省杭州市西湖区"),
    ("310104", "上海市徐汇区"),
    ("110105", "北京市朝阳区"),
    ("440305", "广东省深圳市南山区"),
    ("320106", "江苏省南京市鼓楼区"),
]


@dataclass(frozen=True)
class Parties:
    """Customs codes and names of the enterprises in a declaration."""

    platform: tuple[str, str]
    seller: tuple[str, str]
    logistics: tuple[str, str]
    payment: tuple[str, str]
    warehouse: tuple[str, str] | None = None


@dataclass(frozen=True)
class Buyer:
    name: str
    id_number: str
    telephone: str
    address: str


def resident_id(rng: random.Random, district: str = "330106") -> str:
    born = date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
    first17 = f"{district}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return first17 + ric.calc_check_digit(first17 + "0")  # stdnum drops the last character


def buyer(rng: random.Random) -> Buyer:
    district, city = rng.choice(CITIES)
    return Buyer(
        name=rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
        id_number=resident_id(rng, district),
        telephone=f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}",
        address=f"{city}{rng.randint(1, 999)}号{rng.randint(1, 30)}幢{rng.randint(101, 2808)}室",
    )


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def declaration(
    number: int,
    parties: Parties,
    *,
    rates: dict[str, tax.Rate],
    limits: tax.Limits,
    rng: random.Random | None = None,
    trade_mode: str = "9610",
    who: Buyer | None = None,
    lines: int | None = None,
    now: datetime | None = None,
    prefix: str = "SW",
) -> dict[str, dict]:
    """The four documents of one valid import order, as JSON-ready dicts.

    Keyed order, payment, waybill and inventory.
    """
    rng = rng or random.Random(number)
    who = who or buyer(rng)
    now = now or datetime.now()
    stamp, day = now.strftime("%Y%m%d%H%M%S"), now.strftime("%Y%m%d")
    order_no = f"{prefix}{number:012d}"
    logistics_no = f"LP{number:012d}"
    chosen = rng.sample(GOODS, k=lines or rng.randint(1, 3))
    items = []
    for gnum, (gcode, name, spec, price, barcode) in enumerate(chosen, start=1):
        qty = Decimal(rng.randint(1, 2))
        items.append(
            {
                "gnum": gnum,
                "gcode": gcode,
                "name": name,
                "spec": spec,
                "price": price,
                "qty": qty,
                "total": (price * qty).quantize(CENT),
                "barcode": barcode,
            }
        )
    freight, insured_fee = Decimal("12.00"), Decimal("0.00")
    # Keep a retail order under the single-transaction limit (5,000 with freight): fewer pieces, then lines.
    while len(items) > 1 and sum(i["total"] for i in items) + freight > Decimal(5000):
        widest = max(items, key=lambda i: i["total"])
        if widest["qty"] > 1:
            widest["qty"], widest["total"] = Decimal(1), widest["price"]
        else:
            items.pop()
    goods_value = sum((i["total"] for i in items), Decimal(0))
    assessment = tax.assess(
        lines=[
            tax.TaxLineInput(gnum=i["gnum"], gcode=i["gcode"], qty=i["qty"], total_price=i["total"])
            for i in items
        ],
        freight=freight,
        insured_fee=insured_fee,
        rates=rates,
        limits=limits,
        annual_used=Decimal(0),
    )
    tax_total = assessment.total if assessment.accepted else Decimal(0)
    actual_paid = goods_value + freight + tax_total
    platform_code, platform_name = parties.platform
    seller_code, seller_name = parties.seller
    logistics_code, logistics_name = parties.logistics
    pay_code, pay_name = parties.payment
    pay_transaction_id = f"PAY{number:015d}"

    def head() -> dict[str, str]:
        return {"guid": str(uuid.uuid4()).upper(), "app_type": "1", "app_time": stamp, "app_status": "2"}

    order = {
        **head(),
        "order_type": "I",
        "order_no": order_no,
        "ebp_code": platform_code,
        "ebp_name": platform_name,
        "ebc_code": seller_code,
        "ebc_name": seller_name,
        "goods_value": _money(goods_value),
        "freight": _money(freight),
        "discount": "0.00",
        "tax_total": _money(tax_total),
        "actual_paid": _money(actual_paid),
        "currency": "142",
        "buyer_reg_no": f"U{number:010d}",
        "buyer_name": who.name,
        "buyer_telephone": who.telephone,
        "buyer_id_type": "1",
        "buyer_id_number": who.id_number,
        "pay_code": pay_code,
        "pay_name": pay_name,
        "pay_transaction_id": pay_transaction_id,
        "consignee": who.name,
        "consignee_telephone": who.telephone,
        "consignee_address": who.address,
        "note": "",
        "items": [
            {
                "gnum": i["gnum"],
                "item_no": f"SKU-{i['gcode'][:6]}",
                "item_name": i["name"],
                "gmodel": i["spec"],
                "bar_code": i["barcode"],
                "unit": "007",
                "qty": str(i["qty"]),
                "price": _money(i["price"]),
                "total_price": _money(i["total"]),
                "currency": "142",
                "country": "116",
            }
            for i in items
        ],
    }
    payment = {
        **head(),
        "pay_code": pay_code,
        "pay_name": pay_name,
        "pay_transaction_id": pay_transaction_id,
        "order_no": order_no,
        "ebp_code": platform_code,
        "ebp_name": platform_name,
        "payer_id_type": "1",
        "payer_id_number": who.id_number,
        "payer_name": who.name,
        "telephone": who.telephone,
        "amount_paid": _money(actual_paid),
        "currency": "142",
        "pay_time": stamp,
    }
    waybill = {
        **head(),
        "logistics_code": logistics_code,
        "logistics_name": logistics_name,
        "logistics_no": logistics_no,
        "bill_no": "" if trade_mode == "1210" else f"784-{number % 100_000_000:08d}",
        "order_no": order_no,
        "freight": _money(freight),
        "insured_fee": _money(insured_fee),
        "currency": "142",
        "weight": "1.20",
        "pack_no": 1,
        "goods_info": "、".join(i["name"] for i in items)[:200],
        "consignee": who.name,
        "consignee_address": who.address,
        "consignee_telephone": who.telephone,
    }
    bonded = trade_mode == "1210"
    warehouse_code, warehouse_name = parties.warehouse or ("", "")
    inventory = {
        **head(),
        "app_status": "2",
        "order_no": order_no,
        "ebp_code": platform_code,
        "ebp_name": platform_name,
        "ebc_code": seller_code,
        "ebc_name": seller_name,
        "logistics_no": logistics_no,
        "logistics_code": logistics_code,
        "logistics_name": logistics_name,
        "cop_no": f"C{number:012d}",
        "assure_code": seller_code,
        "ems_no": BONDED_EMS_NO if bonded else "",
        "ie_flag": "I",
        "decl_time": day,
        "customs_code": "2928",
        "port_code": "2928",
        "ie_date": day,
        "buyer_id_type": "1",
        "buyer_id_number": who.id_number,
        "buyer_name": who.name,
        "buyer_telephone": who.telephone,
        "consignee_address": who.address,
        "agent_code": seller_code,
        "agent_name": seller_name,
        "area_code": warehouse_code if bonded else "",
        "area_name": warehouse_name if bonded else "",
        "trade_mode": trade_mode,
        "traf_mode": "5" if not bonded else "4",
        "traf_no": "" if bonded else "CA1088",
        "voyage_no": "" if bonded else f"CA{day}",
        "bill_no": waybill["bill_no"],
        "country": "142" if bonded else "116",
        "freight": _money(freight),
        "insured_fee": _money(insured_fee),
        "currency": "142",
        "wrap_type": "2",
        "pack_no": 1,
        "gross_weight": "1.20",
        "net_weight": "1.00",
        "items": [
            {
                "gnum": i["gnum"],
                "item_record_no": f"R{i['gcode'][:8]}" if bonded else "",
                "item_no": f"SKU-{i['gcode'][:6]}",
                "item_name": i["name"],
                "gcode": i["gcode"],
                "gname": i["name"],
                "gmodel": i["spec"],
                "bar_code": i["barcode"],
                "country": "116",
                "currency": "142",
                "qty": str(i["qty"]),
                "unit": "007",
                "qty1": str(i["qty"]),
                "unit1": "007",
                "price": _money(i["price"]),
                "total_price": _money(i["total"]),
            }
            for i in items
        ],
    }
    return {"order": order, "payment": payment, "waybill": waybill, "inventory": inventory}


# --- export declarations (CEB303, 403, 505, 603) ----------------------------------------------------

EXPORT_GOODS = [
    ("6109100021", "纯棉T恤", "男款 M码 100%棉", Decimal("12.50")),
    ("6403990090", "运动鞋", "42码 皮革", Decimal("35.00")),
    ("8518300000", "蓝牙耳机", "无线 降噪", Decimal("28.00")),
    ("9503008900", "积木玩具", "500片 6岁以上", Decimal("18.00")),
    ("4202210090", "皮革手袋", "牛皮 中号", Decimal("60.00")),
]
ORDER_TYPES = {"9610": "E", "9710": "B", "9810": "W"}


def export_declaration(
    number: int,
    parties: Parties,
    *,
    trade_mode: str = "9610",
    currency: str = "502",
    country: str = "502",
    lines: int = 2,
    qty: int = 1,
    warehouse_code: str = "",
    statistics_flag: str = "B",
    prefix: str = "EX",
    rng: random.Random | None = None,
) -> dict[str, dict]:
    """A matching export order, receipt of payment, waybill and list. B2C 9610 orders come from the
    platform; B2B 9710 orders and 9810 overseas-warehouse bookings are filed by the exporter itself."""
    rng = rng or random.Random(number)
    now = datetime.now()
    app_time = f"{now:%Y%m%d%H%M%S}"
    order_no = f"{prefix}{trade_mode}-{number:08d}"
    logistics_no = f"{prefix}L{number:010d}"
    platform = parties.platform if trade_mode == "9610" else parties.seller
    chosen = rng.sample(EXPORT_GOODS, k=min(lines, len(EXPORT_GOODS)))
    items = []
    for gnum, (gcode, name, spec, price) in enumerate(chosen, start=1):
        items.append((gnum, gcode, name, spec, price, Decimal(qty), price * qty))
    goods_value = sum((i[6] for i in items), Decimal(0))
    freight = Decimal("5.00")

    def header() -> dict:
        return {"guid": str(uuid.uuid4()).upper(), "app_type": "1", "app_time": app_time, "app_status": "2"}

    order = {
        **header(),
        "order_type": ORDER_TYPES[trade_mode],
        "order_no": order_no,
        "ebp_code": platform[0],
        "ebp_name": platform[1],
        "ebc_code": parties.seller[0],
        "ebc_name": parties.seller[1],
        "goods_value": _money(goods_value),
        "freight": _money(freight),
        "currency": currency,
        "items": [
            {
                "gnum": gnum,
                "item_no": f"SKU-{gcode}",
                "item_name": name,
                "unit": "007",
                "currency": currency,
                "qty": str(q),
                "price": _money(price),
                "total_price": _money(total),
            }
            for gnum, gcode, name, spec, price, q, total in items
        ],
    }
    receipt = {
        **header(),
        "ebp_code": platform[0],
        "ebp_name": platform[1],
        "ebc_code": parties.seller[0],
        "ebc_name": parties.seller[1],
        "order_no": order_no,
        "pay_code": parties.payment[0],
        "pay_name": parties.payment[1],
        "pay_no": f"PN{number:012d}",
        "charge": _money(goods_value + freight),
        "currency": currency,
        "accounting_date": app_time,
    }
    waybill = {
        **header(),
        "logistics_code": parties.logistics[0],
        "logistics_name": parties.logistics[1],
        "logistics_no": logistics_no,
        "freight": _money(freight),
        "insured_fee": "0.00",
        "currency": currency,
        "gross_weight": "1.20",
        "pack_no": 1,
        "goods_info": ", ".join(i[2] for i in items),
        "ebc_code": parties.seller[0],
        "ebc_name": parties.seller[1],
    }
    inventory = {
        **header(),
        "customs_code": "2928",
        "ebp_code": platform[0],
        "ebp_name": platform[1],
        "order_no": order_no,
        "logistics_code": parties.logistics[0],
        "logistics_name": parties.logistics[1],
        "logistics_no": logistics_no,
        "cop_no": f"{prefix}C{trade_mode}{number:08d}",
        "ie_flag": "E",
        "port_code": "2928",
        "ie_date": f"{now:%Y%m%d}",
        "statistics_flag": statistics_flag,
        "agent_code": parties.seller[0],
        "agent_name": parties.seller[1],
        "ebc_code": parties.seller[0],
        "ebc_name": parties.seller[1],
        "owner_code": parties.seller[0],
        "owner_name": parties.seller[1],
        "trade_mode": trade_mode,
        "traf_mode": "5",
        "country": country,
        "pod": "LAX",
        "freight": _money(freight),
        "f_currency": currency,
        "f_flag": "3",
        "insured_fee": "0.00",
        "i_currency": currency,
        "i_flag": "3",
        "wrap_type": "2",
        "pack_no": 1,
        "gross_weight": "1.20",
        "net_weight": "1.00",
        "warehouse_code": warehouse_code,
        "items": [
            {
                "gnum": gnum,
                "item_no": f"SKU-{gcode}"[:20],
                "item_name": name,
                "gcode": gcode,
                "gname": name,
                "gmodel": spec,
                "bar_code": "无",
                "country": country,
                "currency": currency,
                "qty": str(q),
                "qty1": str(q),
                "unit": "007",
                "unit1": "007",
                "price": _money(price),
                "total_price": _money(total),
            }
            for gnum, gcode, name, spec, price, q, total in items
        ],
    }
    return {
        "export_order": order,
        "receipt_of_payment": receipt,
        "export_waybill": waybill,
        "export_inventory": inventory,
    }


# The account book of the generator's bonded (1210) lists.
BONDED_EMS_NO = "T2992W000001"


def stocked_bonded_warehouse(operator, owner_code: str, *, code: str, name: str, quantity: int):
    """An approved bonded warehouse of `operator` under the generator's account book, holding
    `quantity` of every SKU the generator sells, owned by `owner_code` (the seller)."""
    from logistics.models import StockItem, Warehouse

    bonded = Warehouse.objects.create(
        code=code,
        name=name,
        kind="bonded",
        operator=operator,
        ems_no=BONDED_EMS_NO,
        address="下沙",
        capacity=10**9,
        status="approved",
    )
    StockItem.objects.bulk_create(
        StockItem(
            warehouse=bonded,
            item_record_no=f"R{gcode[:8]}",
            owner_code=owner_code,
            gcode=gcode,
            gname=gname,
            unit="007",
            quantity=quantity,
        )
        for gcode, gname, *_rest in GOODS
    )
    return bonded
