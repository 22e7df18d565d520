"""The signing certificates an enterprise registers for its CEB messages (DOMAIN 1.6): reading them,
and registering, listing and retiring them.

What is accepted, as PEM (or the bare base64 of `ds:X509Certificate`):
- RSA: an X.509 certificate, or a `PUBLIC KEY` (SubjectPublicKeyInfo).
- SM2: an X.509 certificate whose key is on the SM2 curve (its public key is read from the DER
  structure: `cryptography` reads the certificate's serial and validity, not an SM2 key), or a
  `PUBLIC KEY` whose algorithm is id-ecPublicKey with the sm2p256v1 curve (or the SM2 OID itself).
A bare public key has no serial and no validity: the enterprise names its KeyName and may give dates.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import MemberRole
from .models import Enterprise, EnterpriseCertificate
from .principal import Principal
from .services import audit_record

RSA = EnterpriseCertificate.Algorithm.RSA
SM2 = EnterpriseCertificate.Algorithm.SM2
# OIDs, DER-encoded (tag and length included), of what an SM2 key's SubjectPublicKeyInfo names.
_OID_EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1
_OID_SM2 = bytes.fromhex("06082a811ccf5501822d")  # 1.2.156.10197.1.301 (sm2p256v1)
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.S)


class CertificateError(ValueError):
    """Text that is not a certificate or public key the portal can verify signatures with."""


@dataclass(frozen=True)
class ParsedKey:
    algorithm: str  # "rsa" | "sm2"
    der: bytes  # the certificate, or the SubjectPublicKeyInfo of a bare key
    is_certificate: bool
    serial: str  # upper-case hex of the certificate's serial, "" for a bare key
    not_before: datetime | None
    not_after: datetime | None
    public_key: object  # an RSA public key of `cryptography`, or the 65-byte SM2 point 04||x||y

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def pem(self) -> str:
        label = "CERTIFICATE" if self.is_certificate else "PUBLIC KEY"
        body = base64.encodebytes(self.der).decode().replace("\n", "")
        lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


# --- DER, just enough to find a SubjectPublicKeyInfo -----------------------------------------------


def _tlv(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `pos`."""
    if pos + 2 > len(data):
        raise CertificateError("truncated DER")
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise CertificateError("bad DER length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise CertificateError("truncated DER")
    return tag, pos, pos + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(tag, element start, content start, content end) of each element between start and end."""
    out = []
    while start < end:
        tag, content, stop = _tlv(data, start)
        out.append((tag, start, content, stop))
        start = stop
    return out


def _spki_of_certificate(der: bytes) -> bytes:
    _tag, content, end = _tlv(der, 0)
    tbs_tag, _s, tbs_content, tbs_end = _children(der, content, end)[0]
    fields = _children(der, tbs_content, tbs_end)
    if fields and fields[0][0] == 0xA0:  # [0] version
        fields = fields[1:]
    if len(fields) < 6:
        raise CertificateError("the certificate has no subject public key")
    _t, start, _c, stop = fields[5]  # serial, signature, issuer, validity, subject, SPKI
    return der[start:stop]


def _sm2_point(spki: bytes) -> bytes | None:
    """The SM2 public point of a SubjectPublicKeyInfo, None when the key is not SM2."""
    _tag, content, end = _tlv(spki, 0)
    (_a, _as, alg_content, alg_end), (bit_tag, _bs, bits, bits_end) = _children(spki, content, end)[:2]
    algorithm = spki[alg_content:alg_end]
    named_curve = algorithm.startswith(_OID_EC_PUBLIC_KEY) and algorithm[
        len(_OID_EC_PUBLIC_KEY) :
    ].startswith(_OID_SM2)
    if not (named_curve or algorithm.startswith(_OID_SM2)):
        return None
    point = spki[bits + 1 : bits_end]  # skip the unused-bits byte
    if bit_tag != 0x03 or len(point) != 65 or point[0] != 4:
        raise CertificateError("the SM2 public key is not an uncompressed point of 65 bytes")
    return point


def _der_blocks(text: str) -> list[tuple[str, bytes]]:
    blocks = _PEM.findall(text)
    try:
        if blocks:
            return [(label, base64.b64decode("".join(body.split()), validate=True)) for label, body in blocks]
        # The bare base64 of a ds:X509Certificate: a certificate.
        return [("CERTIFICATE", base64.b64decode("".join(text.split()), validate=True))]
    except (binascii.Error, ValueError):
        raise CertificateError("not PEM and not base64") from None


def parse_key(text: str | bytes) -> ParsedKey:
    """The first certificate or public key of `text` (PEM, or the base64 of a DER certificate);
    CertificateError for anything else, however it is broken."""
    try:
        return _parse_key(text)
    except CertificateError:
        raise
    except (ValueError, TypeError, IndexError, UnsupportedAlgorithm):
        # DER cut short or nested wrongly, an algorithm OpenSSL does not know: not a usable key
        raise CertificateError("not a readable certificate or public key") from None


def _parse_key(text: str | bytes) -> ParsedKey:
    if isinstance(text, bytes):
        text = text.decode("ascii", errors="replace")
    blocks = _der_blocks(text.strip())
    if not blocks or not blocks[0][1]:
        raise CertificateError("no certificate or public key found")
    label, der = blocks[0]
    if label == "CERTIFICATE":
        try:
            certificate = x509.load_der_x509_certificate(der)
            not_before, not_after = certificate.not_valid_before_utc, certificate.not_valid_after_utc
            serial = format(certificate.serial_number, "X")
        except ValueError:
            raise CertificateError("not a readable X.509 certificate") from None
        spki = _spki_of_certificate(der)
        point = _sm2_point(spki)
        if point is not None:
            return ParsedKey(SM2, der, True, serial, not_before, not_after, point)
        try:
            public_key = certificate.public_key()
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise CertificateError("the certificate's key is neither RSA nor SM2") from None
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise CertificateError("the certificate's key is neither RSA nor SM2")
        return ParsedKey(RSA, der, True, serial, not_before, not_after, public_key)
    if label == "PUBLIC KEY":
        point = _sm2_point(der)
        if point is not None:
            return ParsedKey(SM2, der, False, "", None, None, point)
        try:
            public_key = serialization.load_der_public_key(der)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise CertificateError("not a readable public key") from None
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise CertificateError("the public key is neither RSA nor SM2")
        return ParsedKey(RSA, der, False, "", None, None, public_key)
    raise CertificateError(f"a PEM block {label!r}: expected CERTIFICATE or PUBLIC KEY")


# --- reads ------------------------------------------------------------------------------------------


def may_manage(principal: Principal) -> bool:
    """An enterprise's administrator, or a partner key of the enterprise, manages its certificates."""
    return principal.enterprise is not None and (
        principal.api_key is not None or principal.role == MemberRole.ADMIN
    )


def certificate_list(*, principal: Principal) -> QuerySet[EnterpriseCertificate]:
    """The caller's enterprise's certificates, newest first; none for anyone else."""
    if not may_manage(principal):
        return EnterpriseCertificate.objects.none()
    return EnterpriseCertificate.objects.filter(enterprise=principal.enterprise).order_by("-id")


def active_certificates(*, enterprise: Enterprise) -> list[EnterpriseCertificate]:
    return list(EnterpriseCertificate.objects.filter(enterprise=enterprise, status="active").order_by("-id"))


def registered_dxp_ids(*, enterprise: Enterprise) -> set[str]:
    """The DXP ids named on the enterprise's active certificates (the ids its e-port cards carry)."""
    return set(
        EnterpriseCertificate.objects.filter(enterprise=enterprise, status="active")
        .exclude(dxp_id="")
        .values_list("dxp_id", flat=True)
    )


# --- writes -----------------------------------------------------------------------------------------


@transaction.atomic
def certificate_register(
    *,
    enterprise: Enterprise,
    pem: str,
    key_name: str = "",
    dxp_id: str = "",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
    by: Principal | None = None,
) -> EnterpriseCertificate:
    """Register a certificate (or public key) the enterprise signs its CEB messages with.

    A certificate's KeyName defaults to its serial (upper-case hex) and its dates are its own; a bare
    public key needs a KeyName. Raises ValidationError naming the field.
    """
    try:
        parsed = parse_key(pem)
    except CertificateError as exc:
        raise ValidationError(
            {"certificate": _("Not a certificate or public key the portal can use: %(why)s.") % {"why": exc}}
        ) from None
    key_name = (key_name or parsed.serial).strip()
    if not key_name:
        raise ValidationError({"key_name": _("A public key needs its KeyName (the certificate number).")})
    if len(key_name) > 64:
        raise ValidationError({"key_name": _("At most 64 characters.")})
    dxp_id = dxp_id.strip()
    if len(dxp_id) > 16:
        raise ValidationError({"dxp_id": _("At most 16 characters.")})
    if parsed.is_certificate:
        not_before, not_after = parsed.not_before, parsed.not_after
    if not_before and not_after and not_after <= not_before:
        raise ValidationError({"not_after": _("Must be later than not_before.")})
    if parsed.not_after is not None and parsed.not_after <= timezone.now():
        raise ValidationError({"certificate": _("This certificate has expired.")})
    user = by.user if by is not None and by.api_key is None else None
    try:
        with transaction.atomic():
            certificate = EnterpriseCertificate.objects.create(
                enterprise=enterprise,
                algorithm=parsed.algorithm,
                key_name=key_name,
                dxp_id=dxp_id,
                pem=parsed.pem,
                fingerprint=parsed.fingerprint,
                not_before=not_before,
                not_after=not_after,
                created_by=user,
            )
    except IntegrityError:
        raise ValidationError(
            {"key_name": _("An active certificate with this KeyName or this key is already registered.")}
        ) from None
    audit_record(
        actor=by,
        action="certificate.registered",
        obj=certificate,
        enterprise=enterprise.customs_code,
        algorithm=certificate.algorithm,
        key_name=key_name,
        fingerprint=certificate.fingerprint,
    )
    return certificate


@transaction.atomic
def certificate_retire(
    *, certificate: EnterpriseCertificate, by: Principal | None = None
) -> EnterpriseCertificate:
    """Retire a certificate: messages signed with it are refused from now on (rotation: register the
    new one, then retire the old)."""
    certificate = EnterpriseCertificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != "retired":
        certificate.status = "retired"
        certificate.retired_at = timezone.now()
        certificate.save(update_fields=["status", "retired_at"])
        audit_record(
            actor=by,
            action="certificate.retired",
            obj=certificate,
            enterprise=certificate.enterprise.customs_code,
            key_name=certificate.key_name,
            fingerprint=certificate.fingerprint,
        )
    return certificate
