"""Where a webhook may be delivered, and a connection that goes only there.

A partner's URL is resolved once per attempt and every address it resolves to is checked. The POST then
connects to a checked address itself, while the URL's host name stays in the Host header, the TLS SNI
and the certificate check: DNS that answers differently between the check and the connection (DNS
rebinding) cannot steer a delivery inside the zone's network. Redirects are never followed (a 3xx is
the partner's answer, not a new place to post to), and no proxy from the environment is used.

Unless WEBHOOK_ALLOW_PRIVATE_NETWORKS is set (closed networks, development, tests), only https URLs
are taken, and only if every address is a public unicast one: `ipaddress`'s `is_global`, not multicast,
for IPv6 in global unicast space (2000::/3), and an IPv6 address that carries an IPv4 one (IPv4-mapped,
NAT64, 6to4, Teredo) is judged by the IPv4 address it carries.
"""

import functools
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, cloud metadata (RFC 6598)
NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known NAT64 prefix (RFC 6052)
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
# Characters a request target keeps as they are; anything else is percent-encoded (RFC 3986).
PATH_SAFE = "/%:@!$&'()*+,;=-._~?"

# Why an address is not public, as the refusal says it.
KINDS = {
    "loopback": gettext_lazy("loopback"),
    "link_local": gettext_lazy("link-local, where cloud metadata services answer"),
    "shared": gettext_lazy(
        "shared address space of carrier-grade NAT and cloud providers' internal services"
    ),
    "multicast": gettext_lazy("multicast"),
    "unspecified": gettext_lazy("unspecified"),
    "private": gettext_lazy("private network or special purpose"),
    "reserved": gettext_lazy("reserved by the IETF"),
}


class TargetRefused(Exception):
    """The window will not post to this URL; `message` says why in the reader's language. A refusal
    that trying again later may lift (the name does not resolve today) is `transient`."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass(frozen=True)
class Target:
    """A URL that passed the check, with the addresses it was checked at."""

    scheme: str
    host: str  # ASCII: the host name (IDNA) or the address literal, as sent in Host and SNI
    port: int
    path: str  # path and query, percent-encoded
    addresses: tuple[tuple[int, Any], ...]  # (socket family, socket address), in the resolver's order


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    location: str


def check(url: str) -> Target:
    """Resolve the URL's host once and check every address; raises TargetRefused saying why."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(_("The URL is malformed or its port is not a number from 1 to 65535.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused(_("Use an http or https URL."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(
            _("Leave the user name and password out of the URL: deliveries are authenticated by signature.")
        )
    allow_private = bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_NETWORKS", False))
    if parts.scheme != "https" and not allow_private:
        raise TargetRefused(
            _("Use an https URL: deliveries carry your lists' outcomes and go over TLS only.")
        )
    if port == 0:
        raise TargetRefused(_("The URL is malformed or its port is not a number from 1 to 65535."))
    host = _ascii_host(parts.hostname)
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _resolve(host, port)
    if not allow_private:
        for _family, sockaddr in addresses:
            if problem := address_problem(ipaddress.ip_address(sockaddr[0].split("%")[0]), host=host):
                raise TargetRefused(problem)
    path = quote(parts.path or "/", safe=PATH_SAFE)
    if parts.query:
        path += "?" + quote(parts.query, safe=PATH_SAFE)
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def address_problem(ip: IPAddress, *, host: str) -> str | None:
    """Why a delivery to `host` may not go to this address of it, or None for a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if carried is not None and (kind := _ipv4_kind(carried)):
            return _(
                "The host %(host)s resolves to %(address)s, which carries the IPv4 address %(ipv4)s: not "
                "a public address (%(kind)s). A webhook may reach public internet addresses only."
            ) % {"host": host, "address": ip, "ipv4": carried, "kind": KINDS[kind]}
        if carried is not None and (ip.ipv4_mapped is not None or ip in NAT64_PREFIX):
            return None  # a public IPv4 address, reached through IPv6
        kind = _ipv6_kind(ip)
    else:
        kind = _ipv4_kind(ip)
    if kind is None:
        return None
    return _(
        "The host %(host)s resolves to %(address)s: not a public address (%(kind)s). A webhook may reach "
        "public internet addresses only."
    ) % {"host": host, "address": ip, "kind": KINDS[kind]}


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> Answer:
    """POST to the first checked address that accepts a connection; never follows a redirect.

    Raises OSError (connection, TLS) or http.client.HTTPException (a malformed answer)."""
    last_error: OSError = OSError(_("No address to connect to."))
    for family, sockaddr in target.addresses:
        connection = _connection(target, family, sockaddr, timeout)
        try:
            connection.connect()  # only a connection refused or timed out moves on to the next address
        except OSError as exc:
            connection.close()
            last_error = exc
            continue
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            # The body is not read: nothing in it is used, and a hostile server could make it endless.
            return Answer(response.status, response.reason, response.getheader("Location") or "")
        finally:
            connection.close()
    raise last_error


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities, for the URL's host name."""
    return ssl.create_default_context()


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to one checked address; the Host header is still the URL's host."""

    def __init__(self, host: str, port: int, *, family: int, sockaddr: Any, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.family, self.sockaddr = family, sockaddr

    def connect(self) -> None:
        self.sock = _open(self.family, self.sockaddr, self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one checked address; SNI and the certificate check use the URL's host name."""

    def __init__(
        self, host: str, port: int, *, family: int, sockaddr: Any, timeout: float, context: ssl.SSLContext
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.family, self.sockaddr, self.tls = family, sockaddr, context

    def connect(self) -> None:
        sock = _open(self.family, self.sockaddr, self.timeout)
        try:
            self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _connection(target: Target, family: int, sockaddr: Any, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return PinnedHTTPSConnection(
            target.host, target.port, family=family, sockaddr=sockaddr, timeout=timeout, context=tls_context()
        )
    return PinnedHTTPConnection(target.host, target.port, family=family, sockaddr=sockaddr, timeout=timeout)


def _open(family: int, sockaddr: Any, timeout: float | None) -> socket.socket:
    # A socket of its own, connected to the address itself: socket.create_connection would resolve again.
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(sockaddr)
    except BaseException:
        sock.close()
        raise
    return sock


def _ascii_host(hostname: str) -> str:
    try:
        ipaddress.ip_address(hostname.split("%")[0])
    except ValueError:
        pass
    else:
        return hostname  # an address literal
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise TargetRefused(_("The host name %(host)s is not valid.") % {"host": hostname[:100]}) from exc


def _resolve(host: str, port: int) -> tuple[tuple[int, Any], ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(
            _("The host %(host)s does not resolve to any address.") % {"host": host}, transient=True
        ) from exc
    found: dict[Any, int] = {}
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6):
            found.setdefault(sockaddr, family)
    if not found:
        raise TargetRefused(
            _("The host %(host)s does not resolve to any address.") % {"host": host}, transient=True
        )
    return tuple((family, sockaddr) for sockaddr, family in found.items())


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and is routed to: IPv4-mapped, NAT64, 6to4 or Teredo."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # the client's address; the server's is public by design
    return None


def _ipv4_kind(ip: ipaddress.IPv4Address) -> str | None:
    if ip.is_global and not ip.is_multicast:
        return None
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip in SHARED_ADDRESS_SPACE:
        return "shared"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_reserved:
        return "reserved"
    return "private"


def _ipv6_kind(ip: ipaddress.IPv6Address) -> str | None:
    if ip.is_global and not ip.is_multicast and ip in GLOBAL_UNICAST:
        return None
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link_local"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    return "reserved"
