"""The buyer's annual quota lookup (跨境电商个人额度查询), for the public, in two steps.

1. Name and ID number: when they match the lists of this year, a code goes by text message to the
   phone on the buyer's latest list. The answer is the same whether or not they match, so the page
   tells no one whether an ID number exists or what name goes with it.
2. Name, ID number and that code: the year's used and remaining quota (DOMAIN 6: CNY 26,000 a year)
   and the lists that used it, masked.

Codes are kept hashed in the cache for 5 minutes and allow 5 attempts. Both steps count against the
ID number and the client's address (cache counters over an hour), whatever the outcome. Only live
lists count: the sandbox's never reach a buyer (the default managers exclude them).
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from declarations.models import InventoryList
from declarations.privacy import mask_name
from singlewindow.core.errors import ServiceError
from singlewindow.core.logmask import mask_id_number
from singlewindow.core.sms import send_sms

from . import selectors
from .models import BuyerQuota, QuotaUse

CODE_TTL = 300  # seconds: a code lives 5 minutes
CODE_ATTEMPTS = 5
WINDOW = 3600  # the rate limits count over an hour

# The one answer of step 1, matched or not.
CODE_SENT = gettext_lazy(
    "If the name and ID number match this year's declarations, a code was sent by text message to the "
    "phone number on them. It is valid for 5 minutes."
)
# The one refusal of step 2, whatever is wrong (no code sent, expired, used up, wrong code or name).
WRONG_CODE = gettext_lazy("The code is wrong or has expired. Ask for a new one.")


class QuotaLookupRefused(ServiceError):
    code = "invalid"


class QuotaLookupThrottled(ServiceError):
    code = "throttled"
    status = 429


@dataclass(frozen=True)
class QuotaListRow:
    invt_no: str
    order_no: str
    ebp_name: str
    ebc_name: str
    buyer_name: str
    status: str
    amount: Decimal
    declared_at: str


@dataclass(frozen=True)
class QuotaStatement:
    year: int
    buyer_name: str
    buyer_id_number: str
    annual_limit: Decimal
    used: Decimal
    reserved: Decimal
    remaining: Decimal
    lists: list[QuotaListRow] = field(default_factory=list)


def _digest(*parts: str) -> str:
    """A keyed hash: the cache never holds an ID number, a name or a code in clear."""
    message = "\x1f".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _normalised(name: str, id_number: str) -> tuple[str, str]:
    return name.strip(), id_number.strip().upper()


def _count(kind: str, key: str, limit: int) -> None:
    """One more ask under `key`; refused (429) past `limit` within the hour."""
    name = f"quota-lookup:{kind}:{key}"
    cache.add(name, 0, WINDOW)
    try:
        asked = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, WINDOW)
        asked = 1
    if asked > limit:
        raise QuotaLookupThrottled(_("Too many lookups: try again in an hour."))


def _throttle(id_number: str, client: str) -> None:
    _count("address", _digest("address", client), settings.QUOTA_LOOKUP_PER_ADDRESS)
    _count("id", _digest("id", id_number), settings.QUOTA_LOOKUP_PER_ID)


def _year_lists(id_number: str, year: int):
    start = timezone.make_aware(timezone.datetime(year, 1, 1))
    return InventoryList.objects.filter(buyer_id_number=id_number, created_at__gte=start)


def code_request(*, name: str, id_number: str, client: str) -> str:
    """Step 1: send a code when name and ID match this year's lists; the same answer either way."""
    name, id_number = _normalised(name, id_number)
    _throttle(id_number, client)
    year = timezone.localdate().year
    latest = (
        _year_lists(id_number, year)
        .filter(buyer_name=name)
        .exclude(buyer_telephone="")
        .order_by("-id")
        .values_list("buyer_telephone", flat=True)
        .first()
    )
    if latest:
        code = f"{secrets.randbelow(1_000_000):06d}"
        cache.set(
            f"quota-code:{_digest('code', id_number)}",
            {
                "code": _digest("code", id_number, name, code),
                "attempts": 0,
                "expires": time.time() + CODE_TTL,
            },
            CODE_TTL,
        )
        send_sms(
            latest,
            _("Your cross-border e-commerce quota lookup code is %(code)s (valid 5 minutes).")
            % {"code": code},
        )
    return str(CODE_SENT)


def statement(*, name: str, id_number: str, code: str, client: str) -> QuotaStatement:
    """Step 2: the year's quota and its lists, for the right name, ID and a live code."""
    name, id_number = _normalised(name, id_number)
    _throttle(id_number, client)
    key = f"quota-code:{_digest('code', id_number)}"
    stored: dict[str, Any] | None = cache.get(key)
    if stored is None or stored["attempts"] >= CODE_ATTEMPTS or time.time() > stored["expires"]:
        raise QuotaLookupRefused({"code": [str(WRONG_CODE)]})
    if not hmac.compare_digest(stored["code"], _digest("code", id_number, name, code.strip())):
        stored["attempts"] += 1
        # Counted, and kept no longer than its 5 minutes from when it was sent.
        cache.set(key, stored, max(1, int(stored["expires"] - time.time())))
        raise QuotaLookupRefused({"code": [str(WRONG_CODE)]})
    cache.delete(key)  # a code reads the statement once
    year = timezone.localdate().year
    limit = selectors.limits_in_force(timezone.localdate()).annual
    quota = BuyerQuota.objects.filter(buyer_id_number=id_number, year=year).first()
    used = quota.used if quota else Decimal(0)
    reserved = quota.reserved if quota else Decimal(0)
    uses = (
        QuotaUse.objects.filter(quota=quota, state__in=[QuotaUse.State.USED, QuotaUse.State.RESERVED])
        .select_related("inventory")
        .order_by("inventory_id")
        if quota
        else []
    )
    rows = [
        QuotaListRow(
            invt_no=use.inventory.invt_no,
            order_no=use.inventory.order_no,
            ebp_name=use.inventory.ebp_name,
            ebc_name=use.inventory.ebc_name,
            buyer_name=mask_name(use.inventory.buyer_name),
            status=use.inventory.get_status_display(),
            amount=use.amount - use.returned_amount,
            declared_at=f"{timezone.localtime(use.inventory.created_at):%Y-%m-%d}",
        )
        for use in uses
    ]
    return QuotaStatement(
        year=year,
        buyer_name=mask_name(name),
        buyer_id_number=mask_id_number(id_number),
        annual_limit=limit,
        used=used,
        reserved=reserved,
        remaining=max(limit - used - reserved, Decimal(0)),
        lists=rows,
    )
