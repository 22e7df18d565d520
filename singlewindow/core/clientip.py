"""The client's address, as far as the deployment's own proxies vouch for it.

Each trusted proxy appends the address it received the request from to X-Forwarded-For, so only the
last TRUSTED_PROXY_COUNT entries were written by machines we run; anything to their left came from the
client and may be forged. Login lockout (django-axes) and the anonymous API rate limit key on this one
answer, so a client cannot choose its own address and a shared proxy is not mistaken for the client.
"""

import ipaddress
from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str:
    """REMOTE_ADDR with no trusted proxy; with n, the n-th address from the right of X-Forwarded-For.

    A header shorter than n entries, or an entry that is not an IP address, falls back to REMOTE_ADDR:
    the request did not come through the proxies as configured, so nothing in the header is trusted.
    """
    remote = str(request.META.get("REMOTE_ADDR", "") or "")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
