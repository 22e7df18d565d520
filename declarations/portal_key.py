"""The portal's own signing key: it signs the receipts it answers with (RSA-SHA1, DOMAIN 1.6), so a
partner can tell they come from the window and were not changed on the way.

`CEB_RECEIPT_SIGNING_KEY` is an RSA private key in PEM, or the path of a file holding one (with an
optional certificate after it in the same PEM). Unset (development, tests), a key and a self-signed
certificate are made once per process: signatures then verify only against what
`GET /api/v1/ceb/certificate/` shows while the process lives.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SIGNATURE_HEADER = "X-Ceb-Signature"
SIGNATURE_METHOD_HEADER = "X-Ceb-Signature-Method"
KEY_NAME_HEADER = "X-Ceb-Key-Name"


@dataclass(frozen=True)
class PortalKey:
    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def key_name(self) -> str:
        return format(self.certificate.serial_number, "X")

    @property
    def certificate_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    @property
    def public_key_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign_bytes(self, body: bytes) -> str:
        """Base64 RSA-SHA1 (PKCS#1 v1.5) signature of `body`: the header a bare receipt carries, since the
        receipt messages' XSD has no place for a ds:Signature."""
        signature = self.private_key.sign(body, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
        return base64.b64encode(signature).decode()


def _self_signed(private_key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "singlewindow CEB receipts")])
    now = datetime.now(UTC)
    spki = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    serial = int.from_bytes(hashlib.sha256(spki).digest()[:8], "big")  # stable per key: its KeyName
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(serial or 1)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(private_key, hashes.SHA256())
    )


@lru_cache(maxsize=1)
def _load(configured: str) -> PortalKey:
    if not configured:
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return PortalKey(private_key, _self_signed(private_key))
    text = configured if "-----BEGIN" in configured else Path(configured).read_text()
    try:
        private_key = serialization.load_pem_private_key(text.encode(), password=None)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"CEB_RECEIPT_SIGNING_KEY is not a readable PEM private key: {exc}"
        ) from None
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("CEB_RECEIPT_SIGNING_KEY must be an RSA private key")
    certificate = None
    if "-----BEGIN CERTIFICATE-----" in text:
        certificate = x509.load_pem_x509_certificate(
            text[text.index("-----BEGIN CERTIFICATE-----") :].encode()
        )
    return PortalKey(private_key, certificate or _self_signed(private_key))


def portal_key() -> PortalKey:
    return _load(str(getattr(settings, "CEB_RECEIPT_SIGNING_KEY", "") or ""))
