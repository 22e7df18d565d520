"""The CEB messages the window reads and the receipts that answer them: each declaration's document,
head and list elements, which receipt answers which message, and each receipt's elements as the XSD
declares them; and the element names' snake_case keys, as the JSON API spells them."""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- names ---------------------------------------------------------------------------------------------

# The spec misspells one element; our models and JSON use the correct word.
_SPECIAL_NAMES = {"acturalPaid": "actual_paid"}
_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_ACRONYM_WORD = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")


def to_snake(element_name: str) -> str:
    """CEB element name -> model/JSON field name ("orderNo" -> "order_no", "acturalPaid" -> "actual_paid")."""
    if element_name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[element_name]
    name = _ACRONYM_WORD.sub("_", element_name)
    return _LOWER_UPPER.sub("_", name).lower()


# --- message catalogue -------------------------------------------------------------------------------

# message type -> (document element, head element or None when the document is flat, list element)
DECLARATIONS: dict[str, tuple[str, str | None, str | None]] = {
    "CEB311": ("Order", "OrderHead", "OrderList"),
    "CEB411": ("Payment", "PaymentHead", None),
    "CEB511": ("Logistics", "LogisticsHead", None),
    "CEB513": ("LogisticsStatus", None, None),
    "CEB621": ("Inventory", "InventoryHead", "InventoryList"),
    "CEB623": ("InvtCancel", None, None),
    "CEB625": ("InvtRefund", "InvtRefundHead", "InvtRefundList"),
    "CEB711": ("Delivery", "DeliveryHead", "DeliveryList"),
    # export (DOMAIN 3)
    "CEB303": ("Order", "OrderHead", "OrderList"),
    "CEB403": ("Receipts", None, None),
    "CEB505": ("Logistics", None, None),
    "CEB603": ("Inventory", "InventoryHead", "InventoryList"),
    # export, the exchange around the lists (DOMAIN 3, catalogue)
    "CEB507": ("Arrival", "ArrivalHead", "ArrivalList"),
    "CEB509": ("Departure", "DepartureHead", "DepartureList"),
    "CEB605": ("InvtCancel", None, None),
    "CEB607": ("WayBill", "WayBillHead", "WayBillList"),
    "CEB213": ("InvtRefund", "InvtRefundHead", "InvtRefundList"),
    "CEB215": ("InvtRefundDetail", None, None),
    "CEB701": ("SummaryApply", "SummaryApplyHead", "SummaryApplyList"),
}
# Documents whose lines the XSD allows to be absent (an arrival filed before its waybills are known,
# a summary by time window), and those naming waybills under a master bill, which has far more than a
# list has goods lines.
LINES_OPTIONAL = frozenset({"CEB507", "CEB701"})
MAX_WAYBILL_LINES = 5000
WAYBILL_LINES = frozenset({"CEB507", "CEB509", "CEB607", "CEB701", "CEB711"})

_RECEIPT_TYPES = {
    "CEB311": "CEB312",
    "CEB411": "CEB412",
    "CEB511": "CEB512",
    "CEB513": "CEB514",
    "CEB621": "CEB622",
    "CEB623": "CEB624",
    "CEB625": "CEB626",
    "CEB303": "CEB304",
    "CEB403": "CEB404",
    "CEB505": "CEB506",
    "CEB603": "CEB604",
    "CEB507": "CEB508",
    "CEB509": "CEB510",
    "CEB605": "CEB606",
    "CEB607": "CEB608",
    "CEB213": "CEB214",
    "CEB215": "CEB216",
    "CEB701": "CEB702",
    "CEB711": "CEB712",
}


@dataclass(frozen=True)
class ReceiptField:
    """One receipt element as the import XSD declares it (xs:string with length facets)."""

    xml: str
    required: bool = True
    min_len: int = 1
    max_len: int = 1000
    may_be_empty: bool = False  # required by the XSD but without a minimum length (CEB604 invtNo)

    @property
    def key(self) -> str:
        return to_snake(self.xml)


def _exact(xml: str, length: int, required: bool = True) -> ReceiptField:
    return ReceiptField(xml, required, length, length)


_GUID = _exact("guid", 36)
_RETURN_TAIL = (
    ReceiptField("returnStatus", max_len=10),
    _exact("returnTime", 17),
    ReceiptField("returnInfo", max_len=1000),
)

# Receipt type -> (return element, fields in XSD sequence order). Checked against ceb-import-202205.xsd:
# receipt roots hold only 1..100 return elements: no BaseTransfer, BaseSubscribe or Signature.
RECEIPTS: dict[str, tuple[str, tuple[ReceiptField, ...]]] = {
    "CEB312": (
        "OrderReturn",
        (
            _GUID,
            ReceiptField("ebpCode", max_len=18),
            ReceiptField("ebcCode", max_len=18),
            ReceiptField("orderNo", max_len=60),
        )
        + _RETURN_TAIL,
    ),
    "CEB412": (
        "PaymentReturn",
        (_GUID, ReceiptField("payCode", max_len=18), ReceiptField("payTransactionId", max_len=60))
        + _RETURN_TAIL,
    ),
    "CEB512": (
        "LogisticsReturn",
        (_GUID, ReceiptField("logisticsCode", max_len=18), ReceiptField("logisticsNo", max_len=60))
        + _RETURN_TAIL,
    ),
    "CEB514": (
        "LogisticsStatusReturn",
        (
            _GUID,
            ReceiptField("logisticsCode", max_len=18),
            ReceiptField("logisticsNo", max_len=60),
            _exact("logisticsStatus", 1),
        )
        + _RETURN_TAIL,
    ),
    "CEB622": (
        "InventoryReturn",
        (
            _GUID,
            _exact("customsCode", 4, required=False),
            ReceiptField("ebpCode", required=False, max_len=18),
            ReceiptField("ebcCode", required=False, max_len=18),
            ReceiptField("agentCode", required=False, max_len=18),
            ReceiptField("copNo", max_len=20),
            _exact("preNo", 18),
            _exact("invtNo", 18, required=False),
        )
        + _RETURN_TAIL,
    ),
    # CEB624/626 answer a cancel/return like CEB622 (keyed by copNo, preNo, invtNo)
    **{
        receipt: (
            element,
            (
                _GUID,
                _exact("customsCode", 4, required=False),
                ReceiptField("agentCode", required=False, max_len=18),
                ReceiptField("ebpCode", required=False, max_len=18),
                ReceiptField("ebcCode", required=False, max_len=18),
                ReceiptField("copNo", max_len=20),
                _exact("preNo", 18),
                _exact("invtNo", 18, required=False),
            )
            + _RETURN_TAIL,
        )
        for receipt, element in (("CEB624", "InvtCancelReturn"), ("CEB626", "InvtRefundReturn"))
    },
    # export receipts, as ceb-export-202205.xsd declares them
    "CEB304": (
        "OrderReturn",
        (
            _GUID,
            ReceiptField("ebpCode", max_len=18),
            ReceiptField("ebcCode", max_len=18),
            ReceiptField("orderNo", max_len=60),
        )
        + _RETURN_TAIL,
    ),
    "CEB404": (
        "ReceiptsReturn",
        (
            _GUID,
            ReceiptField("ebcCode", max_len=18),
            ReceiptField("orderNo", max_len=60),
            ReceiptField("payNo", required=False, max_len=60),
        )
        + _RETURN_TAIL,
    ),
    "CEB506": (
        "LogisticsReturn",
        (_GUID, ReceiptField("logisticsCode", max_len=18), ReceiptField("logisticsNo", max_len=32))
        + _RETURN_TAIL,
    ),
    "CEB604": (
        "InventoryReturn",
        (
            _GUID,
            ReceiptField("agentCode", max_len=18),
            ReceiptField("copNo", max_len=30),
            _exact("preNo", 18),
            ReceiptField("invtNo", max_len=20, may_be_empty=True),
            ReceiptField("ebcCode", max_len=18),
            ReceiptField("ebpCode", max_len=18),
            ReceiptField("orderNo", max_len=60),
            _exact("statisticsFlag", 1),
        )
        + _RETURN_TAIL,
    ),
    # the exchange around export lists (ceb-export-202205.xsd), and CEB712 (import XSD)
    "CEB508": (
        "ArrivalReturn",
        (
            _GUID,
            ReceiptField("operatorCode", max_len=18),
            ReceiptField("logisticsCode", max_len=18),
            _exact("preNo", 18),
            ReceiptField("copNo", max_len=30),
            ReceiptField("billNo", max_len=37),
            ReceiptField("msgSeqNo", max_len=9),
        )
        + _RETURN_TAIL,
    ),
    "CEB510": (
        "DepartureReturn",
        (
            _GUID,
            ReceiptField("logisticsCode", max_len=18),
            ReceiptField("copNo", max_len=30),
            _exact("preNo", 18),
            ReceiptField("msgSeqNo", max_len=9),
        )
        + _RETURN_TAIL,
    ),
    "CEB606": (
        "InvtCancelReturn",
        (
            _GUID,
            ReceiptField("agentCode", max_len=18),
            ReceiptField("copNo", max_len=30),
            _exact("preNo", 18),
            ReceiptField("invtNo", max_len=20),
        )
        + _RETURN_TAIL,
    ),
    "CEB608": (
        "WayBillReturn",
        (
            _GUID,
            ReceiptField("agentCode", max_len=18),
            ReceiptField("logisticsCode", max_len=18),
            ReceiptField("copNo", max_len=30),
            _exact("preNo", 18),
            ReceiptField("billNo", max_len=37),
            ReceiptField("msgSeqNo", max_len=9),
        )
        + _RETURN_TAIL,
    ),
    "CEB214": (
        "RefundReturn",
        (
            _GUID,
            ReceiptField("ebpCode", required=False, max_len=18),
            ReceiptField("ebcCode", required=False, max_len=18),
            ReceiptField("agentCode", max_len=18),
            ReceiptField("coElNo", max_len=30),
            ReceiptField("preNo", required=False, max_len=18),
            ReceiptField("invtNo", max_len=20),
        )
        + _RETURN_TAIL,
    ),
    "CEB216": (
        "InvtRefundDetailReturn",
        (
            _GUID,
            ReceiptField("operatorCode", max_len=18),
            ReceiptField("logisticsCode", max_len=18),
            ReceiptField("logisticsNo", max_len=80),
            ReceiptField("coElNo", max_len=30),
            ReceiptField("preNo", required=False, max_len=18),
        )
        + _RETURN_TAIL,
    ),
    "CEB702": (
        "SummaryReturn",
        (
            _GUID,
            ReceiptField("agentCode", max_len=18),
            ReceiptField("ebcCode", max_len=18),
            ReceiptField("copNo", max_len=30),
            _exact("preNo", 18),
            _exact("sumNo", 18, required=False),
            ReceiptField("msgSeqNo", max_len=9),
        )
        + _RETURN_TAIL,
    ),
    "CEB712": (
        "DeliveryReturn",
        (
            _GUID,
            _exact("customsCode", 4, required=False),
            ReceiptField("operatorCode", required=False, max_len=18),
            ReceiptField("copNo", required=False, max_len=20),
            ReceiptField("preNo", required=False, max_len=18),
            ReceiptField("rkdNo", required=False, max_len=18),
        )
        + _RETURN_TAIL,
    ),
}

BASE_TRANSFER_KEYS = ("cop_code", "cop_name", "dxp_mode", "dxp_id", "note")


def receipt_type_for(message_type: str) -> str:
    """The receipt that answers a declaration: CEB311 -> CEB312, ... CEB621 -> CEB622."""
    try:
        return _RECEIPT_TYPES[message_type.removesuffix("Message")]
    except KeyError:
        raise ValueError(f"no receipt type for message type {message_type!r}") from None
