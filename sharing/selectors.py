"""Reads of the registry, always through the caller's Principal, enterprises by the codes their
documents carry, and the code tables (with the cached sets intake checks codes against)."""

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from .audit import object_ref
from .choices import EnterpriseStatus
from .code_tables import ALIASES, CodeTable
from .models import Agency, AuditEvent, CodeTableEntry, Enterprise, EnterpriseAPIKey, Notification
from .principal import Principal


def enterprise_list(*, principal: Principal) -> QuerySet[Enterprise]:
    """Officials see every enterprise; an enterprise (user or key) sees only itself."""
    qs = Enterprise.objects.select_related("park", "park__zone")
    if principal.sees_everything:
        return qs
    if principal.enterprise is not None:
        return qs.filter(pk=principal.enterprise.pk)
    return qs.none()


def enterprises_pending_review() -> QuerySet[Enterprise]:
    return Enterprise.objects.filter(status=EnterpriseStatus.PENDING).order_by("created_at")


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.all()


def api_key_list(*, enterprise: Enterprise) -> QuerySet[EnterpriseAPIKey]:
    return EnterpriseAPIKey.objects.filter(enterprise=enterprise).order_by("-created")


def api_keys_active(*, enterprise: Enterprise) -> QuerySet[EnterpriseAPIKey]:
    """The keys that still authenticate: not revoked, not past their expiry."""
    return EnterpriseAPIKey.objects.filter(enterprise=enterprise, revoked=False).filter(
        Q(expiry_date__isnull=True) | Q(expiry_date__gt=timezone.now())
    )


def notification_list(
    *, principal: Principal | None = None, enterprise: Enterprise | None = None
) -> QuerySet[Notification]:
    """The notifications of the caller's organisation (its enterprise or its agency); none for anyone
    else, site administrators included: a notification is addressed, not published."""
    if principal is not None:
        if principal.enterprise is not None:
            return Notification.objects.filter(enterprise=principal.enterprise)
        if principal.agency is not None:
            return Notification.objects.filter(agency=principal.agency)
        return Notification.objects.none()
    if enterprise is not None:
        return Notification.objects.filter(enterprise=enterprise)
    return Notification.objects.none()


def notifications_unread(*, principal: Principal) -> int:
    """How many of the caller's organisation's notifications nobody has read yet (the header's count)."""
    return notification_list(principal=principal).filter(read_at__isnull=True).count()


def audit_trail(*, obj: Any) -> QuerySet[AuditEvent]:
    object_type, object_id = object_ref(obj)
    return AuditEvent.objects.filter(object_type=object_type, object_id=object_id)


def enterprises_by_code(codes: set[str]) -> dict[str, int]:
    """Enterprise ids by customs code or USCC (the codes declarations carry)."""
    out = {}
    for pk, customs_code, uscc in _registered(codes):
        out[customs_code] = out[uscc] = pk
    return out


def customs_codes_by_code(codes: set[str]) -> dict[str, str]:
    """The registered customs code of each given code (its customs code or its USCC), for the codes
    the registry knows: the one spelling declarations store a party by; one query."""
    out = {}
    for _pk, customs_code, uscc in _registered(codes):
        out[customs_code] = out[uscc] = customs_code
    return out


def _registered(codes: set[str]) -> Any:
    return Enterprise.objects.filter(Q(customs_code__in=codes) | Q(uscc__in=codes)).values_list(
        "pk", "customs_code", "uscc"
    )


# --- code tables (DOMAIN 8) -------------------------------------------------------------------------

# Intake checks a document's codes against sets held in the process: loaded in one query, again after
# this many seconds (so an official's edit in another process is seen within it), on a new day, and at
# once when an entry is saved or deleted in this process (sharing.apps connects the signals).
CODE_CACHE_SECONDS = 60


@dataclass(frozen=True)
class _CodeCache:
    day: date
    loaded_at: float
    codes: Mapping[str, frozenset[str]]


_code_cache: _CodeCache | None = None


def _valid_on(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def valid_on(entries: QuerySet[CodeTableEntry], day: date) -> QuerySet[CodeTableEntry]:
    """The entries valid on `day` (both ends inclusive)."""
    return entries.filter(_valid_on(day))


def valid_codes() -> Mapping[str, frozenset[str]]:
    """{table: the codes valid today}, for every table, from the process's cache: intake pays a set
    lookup per field, and a query only when the cache is cold."""
    global _code_cache
    cache, today, now = _code_cache, timezone.localdate(), time.monotonic()
    if cache is None or cache.day != today or now - cache.loaded_at > CODE_CACHE_SECONDS:
        codes: dict[str, set[str]] = {table: set() for table in CodeTable.values}
        for table, code in valid_on(CodeTableEntry.objects.all(), today).values_list("table", "code"):
            codes.setdefault(table, set()).add(code)
        cache = _CodeCache(today, now, {table: frozenset(values) for table, values in codes.items()})
        _code_cache = cache
    return cache.codes


def code_cache_clear(**kwargs: Any) -> None:
    """Forget the cached codes (a signal receiver too): the next lookup reads the tables again."""
    global _code_cache
    _code_cache = None


def code_table_summaries() -> list[dict[str, Any]]:
    """Each table with its aliases, its number of codes valid today and of rows (past and future codes
    included), and its version: the time of its latest change."""
    valid_today = _valid_on(timezone.localdate())
    stats = {
        row["table"]: row
        for row in CodeTableEntry.objects.values("table").annotate(
            rows=Count("id"), count=Count("id", filter=valid_today), version=Max("updated_at")
        )
    }
    aliases: dict[str, list[str]] = {}
    for alias, table in ALIASES.items():
        aliases.setdefault(table, []).append(alias)
    return [
        {
            "name": table.value,
            "title": table.label,
            "aliases": aliases.get(table.value, []),
            "count": stats.get(table.value, {}).get("count", 0),
            "rows": stats.get(table.value, {}).get("rows", 0),
            "version": stats.get(table.value, {}).get("version"),
        }
        for table in CodeTable
    ]


def code_table_entries(*, table: str) -> QuerySet[CodeTableEntry]:
    """The rows of one table (every period of every code), in code order."""
    return CodeTableEntry.objects.filter(table=table).order_by("code", "valid_from")
