"""The receipts of the exchange around the lists (CEB508, 510, 606, 608, 214, 216, 702, 712): the fields
`ceb.build_receipt_message` takes for the answer to one document, from what `exchange` decided."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .exchange import Outcome

NO_PRE_NO = "B" + "0" * 17  # a receipt's preNo before the e-port gave one (the XSD needs 18 characters)


def _value(document: dict[str, Any], name: str, limit: int) -> str:
    return (document.get(name) or "")[:limit] or "-"


def exchange_receipt(
    message_type: str, document: dict[str, Any], outcome: Outcome, now: datetime.datetime
) -> dict:
    """The receipt fields (as `ceb.build_receipt_message` takes them) answering one document."""
    from ..ceb import return_time

    fields: dict[str, Any] = {
        "return_status": outcome.status,
        "return_info": outcome.info or "-",
        "return_time": return_time(now),
    }
    seq = {"msg_seq_no": (document.get("msg_seq_no") or "1")[:9]}
    pre_no = outcome.pre_no if len(outcome.pre_no) == 18 else NO_PRE_NO
    if message_type == "CEB507":
        return {
            **fields,
            **seq,
            "operator_code": _value(document, "operator_code", 18),
            "logistics_code": _value(document, "logistics_code", 18),
            "pre_no": pre_no,
            "cop_no": _value(document, "cop_no", 30),
            "bill_no": _value(document, "bill_no", 37),
        }
    if message_type == "CEB509":
        return {
            **fields,
            **seq,
            "logistics_code": _value(document, "logistics_code", 18),
            "cop_no": _value(document, "cop_no", 30),
            "pre_no": pre_no,
        }
    if message_type == "CEB605":
        return {
            **fields,
            "agent_code": _value(document, "agent_code", 18),
            "cop_no": _value(document, "cop_no", 30),
            "pre_no": pre_no,
            "invt_no": (outcome.extra.get("invt_no") or _value(document, "invt_no", 20))[:20],
        }
    if message_type == "CEB607":
        return {
            **fields,
            **seq,
            "agent_code": _value(document, "agent_code", 18),
            "logistics_code": _value(document, "logistics_code", 18),
            "cop_no": _value(document, "cop_no", 30),
            "pre_no": pre_no,
            "bill_no": _value(document, "bill_no", 37),
        }
    if message_type == "CEB213":
        return {
            **fields,
            "ebp_code": outcome.extra.get("ebp_code") or document.get("ebp_code") or None,
            "ebc_code": outcome.extra.get("ebc_code") or document.get("ebc_code") or None,
            "agent_code": _value(document, "agent_code", 18),
            "co_el_no": _value(document, "co_el_no", 30),
            "pre_no": pre_no,
            "invt_no": _value(document, "invt_no", 20),
        }
    if message_type == "CEB215":
        return {
            **fields,
            "operator_code": _value(document, "operator_code", 18),
            "logistics_code": _value(document, "logistics_code", 18),
            "logistics_no": _value(document, "logistics_no", 80),
            "co_el_no": _value(document, "co_el_no", 30),
            "pre_no": pre_no,
        }
    if message_type == "CEB701":
        return {
            **fields,
            **seq,
            "agent_code": _value(document, "agent_code", 18),
            "ebc_code": _value(document, "ebc_code", 18),
            "cop_no": _value(document, "cop_no", 30),
            "pre_no": pre_no,
            "sum_no": outcome.extra.get("sum_no") or None,
        }
    # CEB711
    return {
        **fields,
        "customs_code": document.get("customs_code") or None,
        "operator_code": document.get("operator_code") or None,
        "cop_no": (document.get("cop_no") or "")[:20] or None,
        "pre_no": pre_no,
        "rkd_no": document.get("rkd_no") or None,
    }
