"""The three-document match (DOMAIN.md 5): order, payment and waybill against each other and against
the inventory list.

Every rule answers with every failure it finds, naming the documents, the fields and both values, e.g.
`payment.amount_paid 105.00 != order.actual_paid 106.00`. The per-document rules are also run at
intake, so a document that is wrong on its own is refused with a 400 before it is stored.

Rules take any objects with the field attributes (model instances or validated data wrapped by
`as_document`), so intake and the match share one implementation.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from stdnum.cn import ric

from singlewindow.core.texts import Text, gettext_noop, joined

IMPORT_CURRENCY = "142"
RESIDENT_ID = "1"
CENT = Decimal("0.01")
# Amounts are compared to the cent: N19,5 values that differ below half a cent are the same money.
TOLERANCE = Decimal("0.005")
EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class Failure:
    rule: str
    field: str
    message: str | Text  # a Text where it has words to translate; values and field names as they are


def as_document(data: dict[str, Any], lines_key: str = "items") -> SimpleNamespace:
    """Wrap validated intake data so the rules can read it like a model instance (the namespaces'
    dicts are filled directly: keyword arguments cost four times as much for a thirty-field document)."""
    doc = SimpleNamespace()
    fields = doc.__dict__
    fields.update(data)
    lines = []
    for line in fields.pop(lines_key, ()):
        wrapped = SimpleNamespace()
        wrapped.__dict__.update(line)
        lines.append(wrapped)
    fields["lines"] = lines
    return doc


def money(value: Decimal | None) -> str:
    if value is None:
        return "None"
    return (
        str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))
        if Decimal(value) == Decimal(value).quantize(CENT)
        else format(Decimal(value).normalize(), "f")
    )


def _same_money(a: Decimal, b: Decimal) -> bool:
    return abs(Decimal(a) - Decimal(b)) <= TOLERANCE


def _differs(
    rule: str, left: str, lval: Any, right: str, rval: Any, *, amounts: bool = False
) -> Failure | None:
    if amounts:
        if _same_money(lval, rval):
            return None
        return Failure(rule, left, _differ(left, money(lval), right, money(rval)))
    if (lval or "") == (rval or ""):
        return None
    return Failure(rule, left, _differ(left, repr(lval), right, repr(rval)))


def _differ(left: str, lval: str, right: str, rval: str) -> Text:
    # Field names and values as they are; the sentence around them in the reader's language.
    return Text(
        gettext_noop("%(left)s %(lval)s != %(right)s %(rval)s"), left=left, lval=lval, right=right, rval=rval
    )


def _line_total_failures(doc: str, lines: Iterable[Any]) -> list[Failure]:
    failures = []
    for line in lines:
        expected = (Decimal(line.price) * Decimal(line.qty)).quantize(CENT, rounding=ROUND_HALF_UP)
        if abs(Decimal(line.total_price) - expected) > CENT / 2 + TOLERANCE:
            failures.append(
                Failure(
                    "R4",
                    f"{doc}.items[{line.gnum}].total_price",
                    Text(
                        gettext_noop("%(field)s %(total)s != price %(price)s x qty %(qty)s = %(expected)s"),
                        field=f"{doc}.items[{line.gnum}].total_price",
                        total=money(line.total_price),
                        price=money(line.price),
                        qty=money(line.qty),
                        expected=money(expected),
                    ),
                )
            )
    return failures


def _currency_failures(doc: str, head: Any, lines: Iterable[Any] = ()) -> list[Failure]:
    failures = []
    if head.currency != IMPORT_CURRENCY:
        failures.append(Failure("R6", f"{doc}.currency", _not_cny(f"{doc}.currency", head.currency)))
    for line in lines:
        if line.currency != IMPORT_CURRENCY:
            failures.append(
                Failure(
                    "R6",
                    f"{doc}.items[{line.gnum}].currency",
                    _not_cny(f"{doc}.items[{line.gnum}].currency", line.currency),
                )
            )
    return failures


def _not_cny(field: str, value: str) -> Text:
    return Text(gettext_noop("%(field)s %(value)s != '142' (CNY)"), field=field, value=repr(value))


def _not_resident_id(field: str, value: str) -> Text:
    return Text(gettext_noop("%(field)s %(value)s != '1'"), field=field, value=repr(value))


def resident_id_valid(value: str) -> bool:
    """GB 11643: 17 digits, a real birth date and the ISO 7064 MOD 11-2 check character (0-9 or X).

    The birth-place code is not looked up: python-stdnum's table lacks districts created since it was
    compiled (e.g. 330106), and a real buyer must not be refused for that.
    """
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        # The birth date as stdnum's get_birth_date reads it, without its clean-up of the whole number
        # (a tenth of intake's validation): the first 17 characters are digits already.
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    # A buyer is born: not in the future, and not before 1900 (no such resident ID was ever issued).
    if born < EARLIEST_BIRTH or born > date.today():
        return False
    return ric.calc_check_digit(value) == value[17]


def buyer_id_failure(doc: str, field: str, value: str) -> Failure | None:
    """GB 11643 resident ID: 18 characters, a real birth date and the MOD 11-2 check character."""
    if resident_id_valid(value):
        return None
    return Failure(
        "5.4",
        f"{doc}.{field}",
        Text(
            gettext_noop(
                "%(field)s %(value)r is not a valid resident ID number "
                "(GB 11643: 18 characters, a birth date from 1900 to today, check character)"
            ),
            field=f"{doc}.{field}",
            value=value,
        ),
    )


def _gnums_failures(doc: str, lines: Sequence[Any]) -> list[Failure]:
    gnums = [line.gnum for line in lines]
    if gnums != list(range(1, len(gnums) + 1)):
        return [
            Failure(
                "R5",
                f"{doc}.items.gnum",
                Text(
                    gettext_noop("%(doc)s.items gnum must run 1..%(n)d in order, got %(gnums)s"),
                    doc=doc,
                    n=len(gnums),
                    gnums=gnums,
                ),
            )
        ]
    return []


def order_failures(order: Any, lines: Sequence[Any]) -> list[Failure]:
    """Rules an order must meet on its own: R1, R4, R6, goods value = sum of lines, buyer ID."""
    failures = []
    expected_paid = (
        Decimal(order.goods_value)
        + Decimal(order.freight)
        + Decimal(order.tax_total)
        - Decimal(order.discount)
    )
    if not _same_money(order.actual_paid, expected_paid):
        failures.append(
            Failure(
                "R1",
                "order.actual_paid",
                Text(
                    gettext_noop(
                        "order.actual_paid %(paid)s != goods_value %(goods)s + freight %(freight)s"
                        " + tax_total %(tax)s - discount %(discount)s = %(expected)s"
                    ),
                    paid=money(order.actual_paid),
                    goods=money(order.goods_value),
                    freight=money(order.freight),
                    tax=money(order.tax_total),
                    discount=money(order.discount),
                    expected=money(expected_paid),
                ),
            )
        )
    failures += _line_total_failures("order", lines)
    line_sum = sum((Decimal(line.total_price) for line in lines), Decimal(0))
    if not _same_money(order.goods_value, line_sum):
        failures.append(
            Failure(
                "5.4",
                "order.goods_value",
                Text(
                    gettext_noop("order.goods_value %(value)s != sum of items.total_price %(sum)s"),
                    value=money(order.goods_value),
                    sum=money(line_sum),
                ),
            )
        )
    failures += _currency_failures("order", order, lines)
    if order.buyer_id_type != RESIDENT_ID:
        failures.append(
            Failure("R6", "order.buyer_id_type", _not_resident_id("order.buyer_id_type", order.buyer_id_type))
        )
    elif failure := buyer_id_failure("order", "buyer_id_number", order.buyer_id_number):
        failures.append(failure)
    failures += _gnums_failures("order", lines)
    return failures


def payment_failures(payment: Any) -> list[Failure]:
    failures = _currency_failures("payment", payment)
    if payment.payer_id_type != RESIDENT_ID:
        failures.append(
            Failure(
                "R6",
                "payment.payer_id_type",
                _not_resident_id("payment.payer_id_type", payment.payer_id_type),
            )
        )
    elif failure := buyer_id_failure("payment", "payer_id_number", payment.payer_id_number):
        failures.append(failure)
    return failures


def waybill_failures(waybill: Any) -> list[Failure]:
    failures = _currency_failures("waybill", waybill)
    if int(waybill.pack_no) != 1:
        failures.append(
            Failure(
                "R7",
                "waybill.pack_no",
                Text(gettext_noop("waybill.pack_no %(n)s != 1 (one parcel per order)"), n=waybill.pack_no),
            )
        )
    return failures


def inventory_failures(inventory: Any, lines: Sequence[Any]) -> list[Failure]:
    """Rules a list must meet on its own: R4, R6, R7, R8, the supervision-mode requirements, buyer ID."""
    failures = _currency_failures("inventory", inventory, lines)
    failures += _line_total_failures("inventory", lines)
    failures += _gnums_failures("inventory", lines)
    if int(inventory.pack_no) != 1:
        failures.append(
            Failure(
                "R7",
                "inventory.pack_no",
                Text(gettext_noop("inventory.pack_no %(n)s != 1 (one parcel per list)"), n=inventory.pack_no),
            )
        )
    if inventory.buyer_id_type != RESIDENT_ID:
        failures.append(
            Failure(
                "R6",
                "inventory.buyer_id_type",
                _not_resident_id("inventory.buyer_id_type", inventory.buyer_id_type),
            )
        )
    elif failure := buyer_id_failure("inventory", "buyer_id_number", inventory.buyer_id_number):
        failures.append(failure)
    parties = {inventory.ebp_code, inventory.ebc_code, inventory.logistics_code, inventory.agent_code}
    if inventory.assure_code not in parties:
        failures.append(
            Failure(
                "R8",
                "inventory.assure_code",
                Text(
                    gettext_noop(
                        "inventory.assure_code %(code)r is none of the platform, the e-commerce "
                        "enterprise, the logistics enterprise or the declaring agent of the list"
                    ),
                    code=inventory.assure_code,
                ),
            )
        )
    if inventory.ie_flag != "I":
        failures.append(
            Failure("2.5", "inventory.ie_flag", f"inventory.ie_flag {inventory.ie_flag!r} != 'I'")
        )
    if inventory.trade_mode == "1210":
        for field in ("ems_no", "area_code", "area_name"):
            if not getattr(inventory, field, ""):
                failures.append(
                    Failure(
                        "2.5",
                        f"inventory.{field}",
                        Text(
                            gettext_noop("%(field)s is required for %(mode)s"),
                            field=f"inventory.{field}",
                            mode="1210",
                        ),
                    )
                )
        if inventory.country != "142":
            failures.append(
                Failure(
                    "2.5",
                    "inventory.country",
                    Text(
                        gettext_noop("inventory.country %(country)r != '142' for bonded import 1210"),
                        country=inventory.country,
                    ),
                )
            )
        for line in lines:
            if not getattr(line, "item_record_no", ""):
                failures.append(
                    Failure(
                        "2.5",
                        f"inventory.items[{line.gnum}].item_record_no",
                        Text(
                            gettext_noop("%(field)s is required for %(mode)s"),
                            field=f"inventory.items[{line.gnum}].item_record_no",
                            mode="1210",
                        ),
                    )
                )
    elif inventory.trade_mode == "9610":
        for field in ("traf_no", "voyage_no", "bill_no"):
            if not getattr(inventory, field, ""):
                failures.append(
                    Failure(
                        "2.5",
                        f"inventory.{field}",
                        Text(
                            gettext_noop("%(field)s is required for %(mode)s"),
                            field=f"inventory.{field}",
                            mode="9610",
                        ),
                    )
                )
    else:
        failures.append(
            Failure(
                "8.1",
                "inventory.trade_mode",
                Text(
                    gettext_noop("inventory.trade_mode %(mode)r is not an import mode (9610, 1210)"),
                    mode=inventory.trade_mode,
                ),
            )
        )
    return failures


def match(
    *,
    buyer_verified: bool = False,
    inventory: Any,
    inventory_lines: Sequence[Any],
    order: Any,
    order_lines: Sequence[Any],
    payment: Any,
    waybill: Any,
) -> list[Failure]:
    """Every failed rule of the four documents together (R1-R8, R11, 5.4); [] means they match."""
    failures: list[Failure] = []
    failures += order_failures(order, order_lines)
    failures += payment_failures(payment)
    failures += waybill_failures(waybill)
    failures += inventory_failures(inventory, inventory_lines)
    checks = [
        # join keys (5.1)
        _differs("5.1", "inventory.ebc_code", inventory.ebc_code, "order.ebc_code", order.ebc_code),
        _differs("5.1", "payment.order_no", payment.order_no, "order.order_no", order.order_no),
        _differs("5.1", "payment.ebp_code", payment.ebp_code, "order.ebp_code", order.ebp_code),
        _differs("5.1", "waybill.order_no", waybill.order_no, "order.order_no", order.order_no),
        # R2
        _differs(
            "R2",
            "payment.amount_paid",
            payment.amount_paid,
            "order.actual_paid",
            order.actual_paid,
            amounts=True,
        ),
        # R3
        _differs("R3", "waybill.consignee", waybill.consignee, "order.consignee", order.consignee),
        _differs(
            "R3",
            "waybill.consignee_telephone",
            waybill.consignee_telephone,
            "order.consignee_telephone",
            order.consignee_telephone,
        ),
        _differs(
            "R3",
            "waybill.consignee_address",
            waybill.consignee_address,
            "order.consignee_address",
            order.consignee_address,
        ),
        # R11: without a verified buyer identity, the buyer pays (risk still scores a different payer)
        None
        if buyer_verified
        else _differs("R11", "payment.payer_name", payment.payer_name, "order.buyer_name", order.buyer_name),
        None
        if buyer_verified
        else _differs(
            "R11",
            "payment.payer_id_number",
            payment.payer_id_number,
            "order.buyer_id_number",
            order.buyer_id_number,
        ),
        # 5.4: the list against the three documents
        _differs("5.4", "inventory.buyer_name", inventory.buyer_name, "order.buyer_name", order.buyer_name),
        _differs(
            "5.4",
            "inventory.buyer_id_number",
            inventory.buyer_id_number,
            "order.buyer_id_number",
            order.buyer_id_number,
        ),
        _differs(
            "5.4",
            "inventory.buyer_telephone",
            inventory.buyer_telephone,
            "order.buyer_telephone",
            order.buyer_telephone,
        ),
        _differs(
            "5.4",
            "inventory.consignee_address",
            inventory.consignee_address,
            "order.consignee_address",
            order.consignee_address,
        ),
        _differs(
            "5.4", "inventory.freight", inventory.freight, "waybill.freight", waybill.freight, amounts=True
        ),
        _differs(
            "5.4",
            "inventory.insured_fee",
            inventory.insured_fee,
            "waybill.insured_fee",
            waybill.insured_fee,
            amounts=True,
        ),
    ]
    failures += [check for check in checks if check is not None]
    failures += _line_failures(inventory_lines, order_lines, order)
    return failures


def _line_failures(inventory_lines: Sequence[Any], order_lines: Sequence[Any], order: Any) -> list[Failure]:
    failures = []
    by_gnum = {line.gnum: line for line in order_lines}
    inv_gnums = {line.gnum for line in inventory_lines}
    if inv_gnums != set(by_gnum):
        failures.append(
            Failure(
                "R5",
                "inventory.items.gnum",
                f"inventory.items gnum {sorted(inv_gnums)} != order.items gnum {sorted(by_gnum)}",
            )
        )
    for line in inventory_lines:
        ordered = by_gnum.get(line.gnum)
        if ordered is None:
            continue
        name = line.item_name or line.gname
        if name != ordered.item_name and line.gname != ordered.item_name:
            failures.append(
                Failure(
                    "R5",
                    f"inventory.items[{line.gnum}].gname",
                    f"inventory.items[{line.gnum}].gname {line.gname!r} != order.items[{line.gnum}]"
                    f".item_name {ordered.item_name!r}",
                )
            )
        for field in ("qty", "total_price"):
            if not _same_money(getattr(line, field), getattr(ordered, field)):
                failures.append(
                    Failure(
                        "5.4",
                        f"inventory.items[{line.gnum}].{field}",
                        f"inventory.items[{line.gnum}].{field} {money(getattr(line, field))} != "
                        f"order.items[{line.gnum}].{field} {money(getattr(ordered, field))}",
                    )
                )
    inv_sum = sum((Decimal(line.total_price) for line in inventory_lines), Decimal(0))
    if not _same_money(inv_sum, order.goods_value):
        failures.append(
            Failure(
                "5.4",
                "inventory.items.total_price",
                Text(
                    gettext_noop("sum of inventory.items.total_price %(sum)s != order.goods_value %(value)s"),
                    sum=money(inv_sum),
                    value=money(order.goods_value),
                ),
            )
        )
    return failures


def summary(failures: Sequence[Failure]) -> Text:
    """One line per failure, in the reader's language (receipts cut it to their 1,000 characters)."""
    return joined([Text("[%(rule)s] %(message)s", rule=f.rule, message=f.message) for f in failures])


# --- export (DOMAIN 3, 3.6) ---------------------------------------------------------------------------

ORDER_TYPE_OF_MODE = {"9610": "E", "9710": "B", "9810": "W"}


def export_match(
    *,
    inventory: Any,
    inventory_lines: Sequence[Any],
    order: Any,
    order_lines: Sequence[Any],
    receipt: Any,
    waybill: Any,
) -> list[Failure]:
    """The export list against its order (CEB303), receipt of payment (CEB403, when there is one) and
    waybill (CEB505). A 9810 shipment is sold abroad after it leaves, so its receipt may come later."""
    failures: list[Failure] = []

    def check(failure: Failure | None) -> None:
        if failure is not None:
            failures.append(failure)

    expected_type = ORDER_TYPE_OF_MODE.get(inventory.trade_mode)
    if order.order_type != expected_type:
        failures.append(
            Failure(
                "E1",
                "order.order_type",
                Text(
                    gettext_noop("order.order_type %(type)r != %(expected)r required by trade_mode %(mode)s"),
                    type=order.order_type,
                    expected=expected_type,
                    mode=inventory.trade_mode,
                ),
            )
        )
    check(_differs("E2", "inventory.ebc_code", inventory.ebc_code, "order.ebc_code", order.ebc_code))
    by_gnum = {line.gnum: line for line in order_lines}
    for line in inventory_lines:
        ordered = by_gnum.get(line.gnum)
        where = f"inventory.items[{line.gnum}]"
        if ordered is None:
            failures.append(
                Failure(
                    "E3",
                    f"{where}.gnum",
                    Text(gettext_noop("%(where)s has no line %(n)s in the order"), where=where, n=line.gnum),
                )
            )
            continue
        check(
            _differs(
                "E3", f"{where}.item_no", line.item_no, f"order.items[{line.gnum}].item_no", ordered.item_no
            )
        )
        check(
            _differs(
                "E3", f"{where}.qty", line.qty, f"order.items[{line.gnum}].qty", ordered.qty, amounts=True
            )
        )
        check(
            _differs(
                "E3",
                f"{where}.total_price",
                line.total_price,
                f"order.items[{line.gnum}].total_price",
                ordered.total_price,
                amounts=True,
            )
        )
        check(_differs("E3", f"{where}.currency", line.currency, "order.currency", order.currency))
    listed = sum((line.total_price for line in inventory_lines), Decimal(0))
    check(
        _differs("E4", "inventory.total_price", listed, "order.goods_value", order.goods_value, amounts=True)
    )
    if receipt is None:
        if inventory.trade_mode != "9810":
            failures.append(
                Failure("E5", "receipt", Text(gettext_noop("no receipt of payment (CEB403) for this order")))
            )
    else:
        check(_differs("E5", "receipt.ebc_code", receipt.ebc_code, "inventory.ebc_code", inventory.ebc_code))
        check(_differs("E5", "receipt.currency", receipt.currency, "order.currency", order.currency))
        check(
            _differs(
                "E5",
                "receipt.charge",
                receipt.charge,
                "order.goods_value + order.freight",
                order.goods_value + order.freight,
                amounts=True,
            )
        )
    if waybill.ebc_code:
        check(_differs("E6", "waybill.ebc_code", waybill.ebc_code, "inventory.ebc_code", inventory.ebc_code))
    if waybill.pack_no != inventory.pack_no:
        failures.append(
            Failure(
                "E6",
                "inventory.pack_no",
                f"inventory.pack_no {inventory.pack_no} != waybill.pack_no {waybill.pack_no}",
            )
        )
    return failures
