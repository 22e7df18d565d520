"""Webhooks cannot be steered inside the zone's network: the URL check refuses every non-public address
(as the production settings run, WEBHOOK_ALLOW_PRIVATE_NETWORKS off), a delivery connects to the
address that was checked even if DNS answers differently a moment later, TLS is checked against the
URL's host name, and redirects are never followed. Names are answered by a fake resolver: no network."""

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from sharing import webhook_targets, webhooks
from sharing.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db

HOST = "hooks.partner.test"
REAL_GETADDRINFO = socket.getaddrinfo

# Cloud metadata, carrier-grade NAT, loopback, private, link-local, multicast, and IPv6 forms that carry
# such an IPv4 address (6to4, IPv4-mapped, NAT64, Teredo, IPv4-compatible) or are internal themselves.
REFUSED = [
    "100.100.100.200",
    "100.64.0.1",
    "169.254.169.254",
    "127.0.0.1",
    "10.0.0.8",
    "172.16.5.4",
    "192.168.1.1",
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
    "224.0.0.1",
    "2002:7f00:1::",
    "2002:a9fe:a9fe::1",
    "::ffff:127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2001:0:4136:e378:8000:63bf:80ff:fffe",
    "::127.0.0.1",
    "fc00::1",
    "fe80::1",
    "::1",
    "ff0e::1",
]
ACCEPTED = ["8.8.8.8", "2001:4860:4860::8888", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::"]


@pytest.fixture
def dns(monkeypatch):
    """A resolver for made-up names: `answers[name]` is a queue of answers (lists of addresses), the
    last one repeating; `calls` lists the names asked. Address literals resolve as usual."""
    answers: dict[str, list[list[str]]] = {}
    calls: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002 - socket's names
        if host not in answers:
            if str(host).endswith(".test"):
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            return REAL_GETADDRINFO(host, port, family, type, proto, flags)
        calls.append(host)
        queue = answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(answers=answers, calls=calls)


@contextmanager
def partner_server(status=204, location="", host="127.0.0.1", port=0, tls=None):
    """A partner's endpoint on this machine, recording every request it gets."""
    hits: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hits.append(
                {"path": self.path, "host": self.headers["Host"], "body": body, "headers": self.headers}
            )
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer((host, port), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(port=server.server_address[1], hits=hits)
    finally:
        server.shutdown()
        server.server_close()


def delivery_to(url: str, enterprise) -> WebhookDelivery:
    """A delivery waiting for a webhook registered without the check (the tests put DNS in place after)."""
    subscription = WebhookSubscription.objects.create(enterprise=enterprise, url=url, secret="s" * 64)
    return WebhookDelivery.objects.create(
        subscription=subscription,
        event="inventory.released",
        event_key="k1",
        payload='{"status": "released"}',
    )


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
@pytest.mark.parametrize("address", REFUSED)
def test_a_non_public_address_is_refused_saying_which(dns, enterprise, address):
    dns.answers[HOST] = [[address]]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        webhooks.subscription_create(enterprise=enterprise, url=f"https://{HOST}/events")
    message = refused.value.message_dict["url"][0]
    assert HOST in message and str(ipaddress.ip_address(address)) in message
    assert "not a public address" in message
    assert not WebhookSubscription.objects.exists()


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
@pytest.mark.parametrize("address", ACCEPTED)
def test_a_public_address_is_accepted(dns, enterprise, address):
    dns.answers[HOST] = [[address]]
    subscription = webhooks.subscription_create(enterprise=enterprise, url=f"https://{HOST}/events")
    assert subscription.active and len(subscription.secret) == 64


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.org/x", "http or https"),
        (f"http://{HOST}/events", "https"),
        (f"https://user:secret@{HOST}/events", "user name and password"),
        ("https://unknown.test/events", "does not resolve"),
        ("https://[::1/events", "malformed"),
        (f"https://{HOST}:0/events", "port"),
        ("https://2130706433/events", "127.0.0.1"),  # 127.0.0.1 spelt as one number
        ("https://[::ffff:169.254.169.254]/latest/meta-data/", "169.254.169.254"),
        ("https://localhost/events", "loopback"),
    ],
)
def test_the_refusal_says_why(dns, enterprise, url, why):
    dns.answers[HOST] = [["8.8.8.8"]]
    dns.answers["localhost"] = [["127.0.0.1", "::1"]]
    with translation.override("en"):
        problem = webhooks.url_problem(url)
    assert problem is not None and why in problem


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_one_private_address_among_public_ones_is_refused(dns, enterprise):
    dns.answers[HOST] = [["8.8.8.8", "2001:4860:4860::8888", "10.1.2.3"]]
    with pytest.raises(ValidationError, match="10.1.2.3"):
        webhooks.subscription_create(enterprise=enterprise, url=f"https://{HOST}/events")


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_the_refusal_is_in_chinese_too(dns, enterprise):
    dns.answers[HOST] = [["100.100.100.200"]]
    with translation.override("zh-hans"):
        problem = webhooks.url_problem(f"https://{HOST}/events")
    assert problem is not None and "100.100.100.200" in problem and "公网" in problem


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_the_connection_goes_to_the_checked_address_when_dns_answers_differently_later(
    dns, enterprise, monkeypatch
):
    # given a name that passes the check as a public address, then rebinds to loopback
    delivery = delivery_to(f"https://{HOST}/events", enterprise)
    dns.answers[HOST] = [["93.184.215.14"], ["127.0.0.1"]]
    connected = []

    def connect(sock, address):
        connected.append(tuple(address[:2]))
        raise ConnectionRefusedError("no network in tests")

    monkeypatch.setattr(socket.socket, "connect", connect)
    # when it is delivered
    retry_in = webhooks.send(delivery_id=delivery.pk)
    # then the name was resolved once and only the checked address was connected to
    assert connected == [("93.184.215.14", 443)]
    assert dns.calls == [HOST]
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and retry_in is not None and "no network" in delivery.error


@override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=False)
def test_a_delivery_is_refused_when_the_name_now_points_inside(dns, enterprise, monkeypatch):
    delivery = delivery_to(f"https://{HOST}/events", enterprise)
    dns.answers[HOST] = [["169.254.169.254"]]
    connected = []
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connected.append(address))
    with translation.override("en"):
        retry_in = webhooks.send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert connected == [] and retry_in is None  # refused for good: no retry
    assert "169.254.169.254" in delivery.error and delivery.attempts == 1


def test_a_redirect_is_not_followed(dns, enterprise):
    with partner_server() as inside:
        redirect = f"http://127.0.0.1:{inside.port}/admin"
        with partner_server(302, location=redirect) as partner:
            delivery = delivery_to(f"http://127.0.0.1:{partner.port}/events", enterprise)
            with translation.override("en"):
                retry_in = webhooks.send(delivery_id=delivery.pk)
        assert len(partner.hits) == 1
        assert inside.hits == []  # the server it redirects to is never reached
    delivery.refresh_from_db()
    assert delivery.response_code == 302 and delivery.delivered_at is None
    assert "redirects are not followed" in delivery.error and redirect in delivery.error
    assert retry_in is not None  # a failed attempt like any other


def tls_context_for(tmp_path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a self-signed certificate for `name`, and a client context trusting it."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_tls_goes_to_the_checked_address_with_the_host_name(dns, enterprise, tmp_path, monkeypatch):
    server_context, client_context = tls_context_for(tmp_path, HOST)
    monkeypatch.setattr(webhook_targets, "tls_context", lambda: client_context)
    names = []
    server_context.sni_callback = lambda sock, name, context: names.append(name)
    # the same port on two loopback addresses: the checked one, and the one DNS rebinds to
    with (
        partner_server(tls=server_context) as checked,
        partner_server(host="127.0.0.2", port=checked.port, tls=server_context) as rebound,
    ):
        delivery = delivery_to(f"https://{HOST}:{checked.port}/events?x=1", enterprise)
        dns.answers[HOST] = [["127.0.0.1"], ["127.0.0.2"]]
        webhooks.send(delivery_id=delivery.pk)
    assert rebound.hits == [] and len(checked.hits) == 1
    hit = checked.hits[0]
    assert hit["host"] == f"{HOST}:{checked.port}" and hit["path"] == "/events?x=1"
    assert names == [HOST]  # SNI names the host, not the address
    assert hit["headers"][webhooks.SIGNATURE_HEADER] == webhooks.sign("s" * 64, hit["body"])
    delivery.refresh_from_db()
    assert delivery.response_code == 204 and delivery.delivered_at is not None


def test_a_certificate_for_another_name_is_refused(dns, enterprise, tmp_path, monkeypatch):
    server_context, client_context = tls_context_for(tmp_path, "other.test")
    monkeypatch.setattr(webhook_targets, "tls_context", lambda: client_context)
    with partner_server(tls=server_context) as partner:
        delivery = delivery_to(f"https://{HOST}:{partner.port}/events", enterprise)
        dns.answers[HOST] = [["127.0.0.1"]]
        retry_in = webhooks.send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert partner.hits == [] and delivery.delivered_at is None and retry_in is not None
    assert "certificate" in delivery.error.lower() or "hostname" in delivery.error.lower()


def test_a_disabled_webhook_is_not_delivered_and_re_enabling_sends_what_it_missed(
    enterprise, django_capture_on_commit_callbacks
):
    with partner_server() as partner:
        subscription = webhooks.subscription_create(
            enterprise=enterprise, url=f"http://127.0.0.1:{partner.port}/events"
        )
        webhooks.subscription_disable(subscription=subscription, by=None)
        assert webhooks.enqueue([(enterprise.pk, "inventory.released", "k1", {})]) == 0
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event="inventory.released", event_key="k2", payload="{}"
        )
        assert webhooks.send(delivery_id=delivery.pk) is None and partner.hits == []
        webhooks.subscription_enable(subscription=subscription, by=None)
        assert webhooks.retry_due() == 1  # the sweeper sends it (eager in tests)
    assert len(partner.hits) == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
