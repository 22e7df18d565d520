"""BaseSubscribe (DOMAIN 1.3): the parties a message names to receive copies, resolved and recorded.

The e-port lets a sender name any DXP address. The window does the same for the parties it knows: a
`dxpAddress` is an enterprise's customs code or USCC, or a DXP id of the form `DXP` + three letters +
its customs code (`DXPENT1234567890`, the form the window writes in its own BaseTransfer). An address
that names no registered enterprise refuses the document, naming `base_subscribe`: a copy promised
to nobody would be lost silently. A subscriber gets the copies of the documents it was named for,
and nothing else of the sender's.
"""

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sharing.selectors import enterprises_by_code

from ..models import DocumentSubscription, SubscribeScope
from .specs import IntakeResult

MAX_SUBSCRIPTIONS = 5  # BaseSubscribe 0..5 per message (XSD)
FIELD = "base_subscribe"
_DXP_ID = re.compile(r"^DXP[A-Z]{3}(?P<code>[0-9A-Z]{10})$")


class SubscriptionRefused(ValueError):
    """A BaseSubscribe the window cannot honour; `errors` names the field."""

    def __init__(self, message: str):
        super().__init__(message)
        self.errors = {FIELD: [message]}


def subscriptions_clean(raw: Any) -> list[dict[str, str]]:
    """The BaseSubscribe entries of a JSON document or a CEB message ({status, dxp_mode, dxp_address,
    note}), checked as the XSD would; raises SubscriptionRefused."""
    if raw in (None, []):
        return []
    if not isinstance(raw, list):
        raise SubscriptionRefused(_("A list of {status, dxp_mode, dxp_address, note} objects."))
    if len(raw) > MAX_SUBSCRIPTIONS:
        raise SubscriptionRefused(_("At most %(n)d subscriptions.") % {"n": MAX_SUBSCRIPTIONS})
    out = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise SubscriptionRefused(_("Each subscription is an object."))
        scope = str(entry.get("status") or "").strip().upper()
        address = str(entry.get("dxp_address") or "").strip()
        mode = str(entry.get("dxp_mode") or "DXP").strip().upper()
        if scope not in SubscribeScope.values:
            raise SubscriptionRefused(_("status: one of ALL, DATA, RET."))
        if mode != "DXP":
            raise SubscriptionRefused(_("dxp_mode: DXP."))
        if not 1 <= len(address) <= 100:
            raise SubscriptionRefused(_("dxp_address: 1 to 100 characters."))
        out.append(
            {
                "status": scope,
                "dxp_mode": mode,
                "dxp_address": address,
                "note": str(entry.get("note") or "")[:1000],
            }
        )
    return out


def _code_of(address: str) -> str:
    match = _DXP_ID.match(address.upper())
    return match["code"] if match else address


def subscribers_resolve(entries: Sequence[dict[str, str]]) -> dict[str, int]:
    """Enterprise id of each entry's dxp_address (one query); raises SubscriptionRefused for an address
    that names no registered party."""
    if not entries:
        return {}
    codes = {_code_of(e["dxp_address"]) for e in entries}
    known = enterprises_by_code(codes)
    out = {}
    for entry in entries:
        enterprise_id = known.get(_code_of(entry["dxp_address"]))
        if enterprise_id is None:
            raise SubscriptionRefused(
                _("dxp_address %(address)s names no party registered with the window.")
                % {"address": entry["dxp_address"][:100]}
            )
        out[entry["dxp_address"]] = enterprise_id
    return out


def subscriptions_record(
    *,
    results: Sequence[IntakeResult],
    entries: Sequence[Sequence[dict[str, str]]],
    subscribers: dict[str, int],
    named_by_id: int,
) -> int:
    """Record each stored document's subscriptions (`entries[i]` for `results[i]`), keyed by the
    document its receipts are about; a party already subscribed keeps its first scope. Returns how
    many were recorded."""
    rows = []
    for result, subscriptions in zip(results, entries, strict=True):
        receipt = result.receipt
        if not subscriptions or not result.ok or receipt is None:
            continue
        for entry in subscriptions:
            subscriber_id = subscribers[entry["dxp_address"]]
            if subscriber_id == receipt.enterprise_id:
                continue  # the filer has every receipt already
            rows.append(
                DocumentSubscription(
                    kind=receipt.kind,
                    document_id=receipt.document_id,
                    subscriber_id=subscriber_id,
                    scope=entry["status"],
                    dxp_address=entry["dxp_address"],
                    note=entry["note"],
                    named_by_id=named_by_id,
                    data_receipt_id=receipt.pk,
                )
            )
    DocumentSubscription.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def subscriptions_take(documents: Sequence[Any], shared: Any = None) -> list[list[dict[str, str]]]:
    """The subscriptions of each document of an intake: its own `base_subscribe` (taken out of a JSON
    document, so that validation sees only the document) or the message's BaseSubscribe (`shared`, CEB
    XML). Raises SubscriptionRefused naming the document of a batch."""
    common = subscriptions_clean(shared)
    out = []
    for index, document in enumerate(documents):
        own = None
        if isinstance(document, dict) and FIELD in document:
            # A plain JSON object gives the entry up; a form's immutable QueryDict is only read.
            own = document.pop(FIELD) if type(document) is dict else document.get(FIELD)
        try:
            out.append(common + subscriptions_clean(own))
        except SubscriptionRefused as exc:
            if len(documents) > 1:
                raise SubscriptionRefused(f"[{index}] {exc}") from None
            raise
        if len(out[-1]) > MAX_SUBSCRIPTIONS:
            raise SubscriptionRefused(_("At most %(n)d subscriptions.") % {"n": MAX_SUBSCRIPTIONS})
    return out


def intake_with_subscriptions(submit: Any, *, documents: Sequence[Any], by: Any, shared: Any = None) -> list:
    """Run `submit(documents)` (an intake service) and record the subscriptions its documents name, in
    one transaction; without any, `submit` runs as it is. Raises SubscriptionRefused before storing
    anything when an entry is malformed or names an unknown party."""
    entries = subscriptions_take(documents, shared)
    if not any(entries):
        return submit(documents)
    subscribers = subscribers_resolve([e for group in entries for e in group])
    with transaction.atomic():
        results = submit(documents)
        if by.enterprise is not None:
            subscriptions_record(
                results=results, entries=entries, subscribers=subscribers, named_by_id=by.enterprise.pk
            )
    return results
