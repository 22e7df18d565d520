"""A short-lived, per-process memory of authenticated API keys, so that a partner pushing one document
per request does not pay two queries (the key, then its enterprise) on every call.

An entry lives at most `API_KEY_CACHE_SECONDS` (capped at one second): a key revoked, or an enterprise
suspended, in another process stops working within that second. In the process that revokes the key
(or changes the enterprise) its entries are dropped at once. The entry is keyed by a hash of the
plain key, so an unknown or wrong secret never hits it and always goes to the database.
"""

import hashlib
import threading
import time

from django.conf import settings

from .models import EnterpriseAPIKey

MAX_SECONDS = 1.0

_entries: dict[str, tuple[float, EnterpriseAPIKey]] = {}
_lock = threading.Lock()


def _digest(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def key_cached(plain: str) -> EnterpriseAPIKey | None:
    """The key (its enterprise loaded) last verified for this plain key, if verified under a second ago."""
    digest = _digest(plain)
    entry = _entries.get(digest)
    if entry is None:
        return None
    if time.monotonic() >= entry[0]:
        with _lock:
            _entries.pop(digest, None)
        return None
    return entry[1]


def key_remember(plain: str, key: EnterpriseAPIKey) -> None:
    ttl = min(settings.API_KEY_CACHE_SECONDS, MAX_SECONDS)
    if ttl <= 0:
        return
    with _lock:
        if len(_entries) > 10_000:  # a flood of distinct valid keys: start again rather than grow
            _entries.clear()
        _entries[_digest(plain)] = (time.monotonic() + ttl, key)


def key_forget(*, key_id: int | None = None, enterprise_id: int | None = None) -> None:
    """Drop the entries of one key, or of every key of one enterprise (a revocation, a suspension)."""
    with _lock:
        for digest, (_expires, key) in list(_entries.items()):
            if key.pk == key_id or key.enterprise_id == enterprise_id:
                del _entries[digest]
