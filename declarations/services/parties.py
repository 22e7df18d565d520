"""Identifiers normalised at intake, in one place, before anything is stored, matched or keyed.

Two spellings of one identifier must never make two buyers or two parties: `...207x` and `...207X` are
one resident ID (one annual quota), and a platform named by its USCC is the platform named by its
customs code. So every party code a document carries is resolved to the registered enterprise's customs
code (whichever of its two codes, in whatever letter case, was sent), and every resident ID is trimmed
and upper-cased. Codes of parties the registry does not know are upper-cased and kept: the match and the
customs adapter refuse them later with their own reasons.
"""

from typing import Any

from sharing.selectors import customs_codes_by_code

from ..choices import DocumentKind

# The fields of each kind of document that name a party (DOMAIN 2, 3: "C..18 customs code or USCC").
PARTY_FIELDS: dict[str, tuple[str, ...]] = {
    DocumentKind.ORDER: ("ebp_code", "ebc_code", "pay_code"),
    DocumentKind.PAYMENT: ("pay_code", "ebp_code"),
    DocumentKind.WAYBILL: ("logistics_code",),
    DocumentKind.WAYBILL_STATUS: ("logistics_code",),
    DocumentKind.INVENTORY: (
        "ebp_code",
        "ebc_code",
        "logistics_code",
        "assure_code",
        "agent_code",
        "area_code",
    ),
    DocumentKind.CANCEL: ("ebp_code", "ebc_code", "logistics_code", "agent_code"),
    DocumentKind.REFUND: ("ebp_code", "ebc_code", "logistics_code", "agent_code"),
    DocumentKind.EXPORT_ORDER: ("ebp_code", "ebc_code"),
    DocumentKind.RECEIPT_OF_PAYMENT: ("ebp_code", "ebc_code", "pay_code"),
    DocumentKind.EXPORT_WAYBILL: ("logistics_code", "ebc_code"),
    DocumentKind.EXPORT_INVENTORY: (
        "ebp_code",
        "ebc_code",
        "logistics_code",
        "agent_code",
        "owner_code",
        "iac_code",
    ),
}
RESIDENT_ID_FIELDS = ("buyer_id_number", "payer_id_number")
# Foreign platforms without a code write 无 (DOMAIN 3.1): not a code to resolve.
NO_CODE = "无"
CUSTOMS_CODE_LENGTH = 10  # sharing.identifiers.CUSTOMS_CODE_RE


def resident_id(value: str) -> str:
    """A resident ID as stored and compared: no surrounding blanks, the check letter upper-case."""
    return value.strip().upper()


def normalise(kind: str, documents: list[dict[str, Any]]) -> None:
    """Normalise a batch's validated documents in place: party codes resolved, resident IDs cleaned."""
    fields = PARTY_FIELDS.get(kind, ())
    sent = {doc[name].strip().upper() for doc in documents for name in fields if doc.get(name)}
    # Only a USCC (18 characters) can resolve to another spelling: a customs code (10) is stored as sent,
    # registered or not, so a batch written with customs codes costs no query.
    uscc_like = {code for code in sent - {NO_CODE} if len(code) != CUSTOMS_CODE_LENGTH}
    resolved = customs_codes_by_code(uscc_like) if uscc_like else {}
    for doc in documents:
        for name in fields:
            value = doc.get(name)
            if value and value != NO_CODE:
                upper = value.strip().upper()
                doc[name] = resolved.get(upper, upper)
        for name in RESIDENT_ID_FIELDS:
            if doc.get(name):
                doc[name] = resident_id(doc[name])
