"""Who sent a CEB message, and can it be proven (DOMAIN 1.3 BaseTransfer, 1.6 signatures): the checks
between reading a message and taking its documents, and the portal's signature on the answer.

With CEB_SIGNATURE_REQUIRED (production):
- BaseTransfer `copCode` must be the API key's enterprise (its customs code or USCC, or a DXP id on one
  of its active certificates), and where the enterprise registered DXP ids, BaseTransfer `dxpId` and
  the envelope's SenderId must be one of them; else 2002 (envelope) / -10102 (documents).
- A DxpMsg carrying a ds:Signature is refused with a CEB900 (1001 invalid, 1002 expired or retired
  certificate, 1004 data changed, 2002 another enterprise's certificate) unless it verifies.
- CEB621/623/625/711 must carry their own ds:Signature, and any message carrying one must verify:
  else every document is answered with -621029 (verification failed, missing signature, expired
  certificate), -621028 (data comparison failed) or -10102 (another enterprise's certificate).
Without it (`make run`), nothing is checked and each receipt's returnInfo says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from sharing.certificates import active_certificates, parse_key, registered_dxp_ids
from sharing.models import Enterprise, EnterpriseCertificate
from sharing.principal import Principal

from . import ceb, dxp, xmldsig
from .dxp import ADDRESS_MISMATCH, Envelope
from .portal_key import KEY_NAME_HEADER, SIGNATURE_HEADER, SIGNATURE_METHOD_HEADER, portal_key

# Messages the spec requires a signature on (DOMAIN 1.3).
SIGNED_MESSAGES = frozenset({"CEB621", "CEB623", "CEB625", "CEB711"})
VERIFICATION_FAILED = "-621029"
DATA_COMPARISON_FAILED = "-621028"
INVALID_ENTERPRISE_CODE = "-10102"
# A signature problem's data-exchange code -> the business code of a document's receipt.
_BUSINESS_CODES = {
    xmldsig.INVALID: VERIFICATION_FAILED,
    xmldsig.EXPIRED: VERIFICATION_FAILED,
    xmldsig.DATA_MISMATCH: DATA_COMPARISON_FAILED,
    ADDRESS_MISMATCH: INVALID_ENTERPRISE_CODE,
}


def signature_required() -> bool:
    return bool(getattr(settings, "CEB_SIGNATURE_REQUIRED", True))


@dataclass
class Verdict:
    """The outcome of the sender checks: a refusal of the whole envelope (CEB900), a refusal of every
    document (their receipts), or a remark for the receipts."""

    envelope_code: str = ""
    envelope_reason: str = ""
    business_status: str = ""
    business_reason: str = ""
    note: str = ""


@lru_cache(maxsize=256)
def _public_key(pem: str) -> object:
    return parse_key(pem).public_key


def _candidates(signature: xmldsig.Signature, enterprise: Enterprise) -> list[EnterpriseCertificate]:
    """The enterprise's certificates the signature names (by its X509Certificate, else its KeyName, else
    every active one of its algorithm); SignatureProblem(2002) when it names another enterprise's."""
    mine = EnterpriseCertificate.objects.filter(enterprise=enterprise)
    if signature.certificate is not None:
        fingerprint = parse_fingerprint(signature.certificate)
        found = list(mine.filter(fingerprint=fingerprint))
        others = EnterpriseCertificate.objects.filter(fingerprint=fingerprint)
    elif signature.key_name:
        found = list(mine.filter(key_name__iexact=signature.key_name))
        others = EnterpriseCertificate.objects.filter(key_name__iexact=signature.key_name, status="active")
    else:
        return [
            c for c in active_certificates(enterprise=enterprise) if c.algorithm == signature.key_algorithm
        ]
    if not found and others.exclude(enterprise=enterprise).exists():
        raise xmldsig.SignatureProblem(
            ADDRESS_MISMATCH,
            _("the signing certificate is registered for another enterprise, not the sender"),
        )
    if not found:
        raise xmldsig.SignatureProblem(
            xmldsig.INVALID, _("the signing certificate is not registered for the sending enterprise")
        )
    return found


def parse_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def verify(root: etree._Element, element: etree._Element, *, enterprise: Enterprise) -> EnterpriseCertificate:
    """Check the enveloped signature `element` of `root` against the enterprise's certificates; the
    certificate that verifies it, or SignatureProblem."""
    signature = xmldsig.read(element)
    candidates = _candidates(signature, enterprise)
    if not candidates:
        raise xmldsig.SignatureProblem(
            xmldsig.INVALID,
            _("the enterprise has no active %(algorithm)s certificate")
            % {"algorithm": signature.key_algorithm.upper()},
        )
    now = timezone.now()
    usable = [c for c in candidates if c.status == "active"]
    if not usable:
        raise xmldsig.SignatureProblem(xmldsig.EXPIRED, _("the signing certificate was retired"))
    usable = [c for c in usable if (c.not_after is None or now <= c.not_after)]
    usable = [c for c in usable if (c.not_before is None or c.not_before <= now)]
    if not usable:
        raise xmldsig.SignatureProblem(
            xmldsig.EXPIRED, _("the signing certificate is expired or not yet valid")
        )
    usable = [c for c in usable if c.algorithm == signature.key_algorithm]
    if not usable:
        raise xmldsig.SignatureProblem(
            xmldsig.INVALID,
            _("a %(algorithm)s signature, but the certificate is not %(key)s")
            % {"algorithm": signature.algorithm, "key": signature.key_algorithm},
        )
    xmldsig.check_digest(root, signature)
    problem: xmldsig.SignatureProblem | None = None
    for certificate in usable:
        try:
            xmldsig.check_value(signature, _public_key(certificate.pem))
        except xmldsig.SignatureProblem as exc:
            problem = exc
        except (ValueError, TypeError, IndexError, ArithmeticError):
            # a value the libraries cannot even read (an SM2 r or s off the curve's range, ...)
            problem = xmldsig.SignatureProblem(xmldsig.INVALID, _("the signature value cannot be read"))
        else:
            return certificate
    raise problem or xmldsig.SignatureProblem(xmldsig.INVALID, _("no certificate verifies the signature"))


def check_sender(
    *, principal: Principal, message: ceb.CebMessage, payload: bytes, envelope: Envelope | None
) -> Verdict:
    """The sender checks of the module docstring, for a message already read and valid."""
    if not signature_required():
        return Verdict(note=_("[signature not checked]"))
    enterprise = principal.enterprise
    if enterprise is None:  # only partner keys and enterprise users post CEB messages
        return Verdict(business_status=INVALID_ENTERPRISE_CODE, business_reason=_("No sending enterprise."))
    dxp_ids = registered_dxp_ids(enterprise=enterprise)
    if envelope is not None and dxp_ids and envelope.sender_id not in dxp_ids:
        return Verdict(
            envelope_code=ADDRESS_MISMATCH,
            envelope_reason=_("SenderId %(id)s is not a DXP id registered for the API key's enterprise")
            % {"id": envelope.sender_id[:16]},
        )
    if envelope is not None and envelope.signature is not None:
        try:
            verify(envelope.root, envelope.signature, enterprise=enterprise)
        except xmldsig.SignatureProblem as exc:
            return Verdict(
                envelope_code=exc.code,
                envelope_reason=_("DxpMsg signature: %(reason)s") % {"reason": exc.reason},
            )
    transfer = message.base_transfer
    if transfer["cop_code"] not in {enterprise.customs_code, enterprise.uscc, *dxp_ids}:
        return Verdict(
            business_status=INVALID_ENTERPRISE_CODE,
            business_reason=_("BaseTransfer copCode %(code)s is not the enterprise of the API key.")
            % {"code": transfer["cop_code"][:18]},
        )
    if dxp_ids and transfer["dxp_id"] not in dxp_ids:
        return Verdict(
            business_status=INVALID_ENTERPRISE_CODE,
            business_reason=_("BaseTransfer dxpId %(id)s is not a DXP id registered for the enterprise.")
            % {"id": transfer["dxp_id"][:30]},
        )
    root = etree.fromstring(payload, ceb.hardened_parser())
    element = xmldsig.find(root)
    if element is None:
        if message.message_type in SIGNED_MESSAGES:
            return Verdict(
                business_status=VERIFICATION_FAILED,
                business_reason=_("Signature verification failed: the message carries no ds:Signature."),
            )
        return Verdict()
    try:
        verify(root, element, enterprise=enterprise)
    except xmldsig.SignatureProblem as exc:
        return Verdict(
            business_status=_BUSINESS_CODES.get(exc.code, VERIFICATION_FAILED),
            business_reason=_("Signature verification failed (%(code)s): %(reason)s")
            % {"code": exc.code, "reason": exc.reason},
        )
    return Verdict()


def answer(xml: bytes, *, message_type: str, reply_to: str | None) -> tuple[bytes, dict[str, str]]:
    """The body and headers answering with `xml`. In a DxpMsg (when the message came in one, `reply_to`
    its SenderId) the portal's ds:Signature is in the envelope, where the DXP XSD allows one. A bare
    receipt's XSD allows none: its signature is the header X-Ceb-Signature, base64 RSA-SHA1 of the
    body's bytes, with X-Ceb-Signature-Method and X-Ceb-Key-Name."""
    if reply_to is not None:
        return dxp.wrap(xml, message_type=message_type, receiver_id=reply_to), {}
    key = portal_key()
    return xml, {
        SIGNATURE_HEADER: key.sign_bytes(xml),
        SIGNATURE_METHOD_HEADER: xmldsig.RECEIPT_SIGNATURE_URI,
        KEY_NAME_HEADER: key.key_name,
    }


def portal_certificate() -> dict[str, str]:
    key = portal_key()
    return {
        "key_name": key.key_name,
        "signature_method": xmldsig.RECEIPT_SIGNATURE_URI,
        "digest_method": xmldsig.RECEIPT_DIGEST_URI,
        "certificate": key.certificate_pem,
        "public_key": key.public_key_pem,
    }
