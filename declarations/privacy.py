"""Need to know for buyers' personal data: who sees a buyer's name, ID number, phone and address in full,
and how everyone else sees them. One module for the API's serializers, the pages and any export.

In full: the enterprises named in a document (they only ever see their own), the customs and
inspection officials who work the lists, and site administrators. Masked for every other official
(tax, forex, commerce, finance): ID numbers `110***********1234`, names `张*`, phones `*******5678`,
addresses `浙江省杭州市***`.
"""

from collections.abc import Callable, Mapping
from typing import Any

from sharing.choices import AgencyCode
from sharing.principal import Principal
from singlewindow.core.logmask import mask_id_number


def mask_name(value: str) -> str:
    """The first character and one star, whatever the name's length."""
    return value[:1] + "*" if value else ""


def mask_telephone(value: str) -> str:
    """The last 4 digits, a star for each of the others (all stars when there are 4 or fewer)."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_address(value: str) -> str:
    """The province and city (the first 6 characters), never more than half of a short address."""
    return value[: min(6, len(value) // 2)] + "***" if value else ""


# The buyer's (and payer's, and consignee's) fields of the import documents and their amendments.
MASKS: dict[str, Callable[[str], str]] = {
    "buyer_name": mask_name,
    "payer_name": mask_name,
    "consignee": mask_name,
    "buyer_id_number": mask_id_number,
    "payer_id_number": mask_id_number,
    "buyer_reg_no": mask_id_number,  # the buyer's account on the platform identifies the person too
    "buyer_telephone": mask_telephone,
    "consignee_telephone": mask_telephone,
    "telephone": mask_telephone,  # a payment's: the payer's
    "consignee_address": mask_address,
}


def sees_buyers_in_full(principal: Principal) -> bool:
    """Whether the caller reads buyers' personal data in full (see the module's docstring)."""
    return (
        principal.enterprise is not None
        or principal.is_superuser
        or principal.is_agency(AgencyCode.CUSTOMS)
        or principal.is_agency(AgencyCode.INSPECTION)
    )


def masked(data: Mapping[str, Any]) -> dict[str, Any]:
    """A document's fields with the personal ones masked (the others as they are)."""
    return {
        name: MASKS[name](value) if name in MASKS and isinstance(value, str) else value
        for name, value in data.items()
    }


def for_principal(data: Mapping[str, Any], principal: Principal | None) -> dict[str, Any]:
    """The fields as this caller may read them; masked when the caller is unknown."""
    if principal is not None and sees_buyers_in_full(principal):
        return dict(data)
    return masked(data)


def buyer_view(document: Any, principal: Principal | None) -> dict[str, str]:
    """The personal fields a document has, as this caller may read them (for templates)."""
    return for_principal(
        {name: getattr(document, name) for name in MASKS if hasattr(document, name)}, principal
    )
