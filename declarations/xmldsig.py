"""Enveloped XML signatures of CEB messages and DxpMsg envelopes (DOMAIN 1.6): reading, checking and
writing them, with RSA (rsa-sha1) and SM2 with SM3.

signxml and xmlsec know no SM2, so the canonical forms are made here with lxml (inclusive C14N 1.0,
`etree.tostring(method="c14n")`): the whole message without its `ds:Signature` for the digest (the
enveloped-signature transform, `Reference URI=""`), and `ds:SignedInfo` where it stands for the
signature value. RSA and the SM3 digest are computed by `cryptography` (OpenSSL), SM2 by `gmalg`
(user id 1234567812345678, GB/T 35276; the value either r||s in 64 bytes or a DER SEQUENCE of two
INTEGERs).

Which algorithm URIs mean what is configuration (`CEB_XMLDSIG_ALGORITHMS`): local e-ports use two SM2
URIs and sometimes a SHA-1 digest under the SM3 URI, and partners must not be refused for that.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from dataclasses import dataclass
from typing import Any

import gmalg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree

from .ceb_schema import DS_NS

C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
C14N_WITH_COMMENTS = C14N + "#WithComments"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SM2_USER_ID = b"1234567812345678"
DEFAULT_ALGORITHMS: dict[str, dict[str, str]] = {
    "signature": {
        "http://www.w3.org/2000/09/xmldsig#rsa-sha1": "rsa-sha1",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "rsa-sha256",
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3": "sm2-sm3",
        "http://www.w3.org/2000/09/xmldsig#sm2-sm3": "sm2-sm3",
    },
    "digest": {
        "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
        "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
        "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3": "sm3",
    },
}
# The URIs the portal writes in its own signatures (RSA-SHA1 unless configured otherwise).
RECEIPT_SIGNATURE_URI = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RECEIPT_DIGEST_URI = "http://www.w3.org/2000/09/xmldsig#sha1"

# Data-exchange codes of DOMAIN 4.3
INVALID = "1001"  # the signature is invalid (unreadable, unknown algorithm, unknown key, wrong value)
EXPIRED = "1002"  # the certificate is expired, not yet valid, or retired
DATA_MISMATCH = "1004"  # the digest does not match the data: the message was changed after signing


class SignatureProblem(Exception):
    """Why a signature is refused: `code` of DOMAIN 4.3 and a readable reason (English, no data)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def algorithms() -> dict[str, dict[str, str]]:
    configured = getattr(settings, "CEB_XMLDSIG_ALGORITHMS", None) if settings.configured else None
    return configured or DEFAULT_ALGORITHMS


@dataclass
class Signature:
    """A `ds:Signature` as read from a message, before any check."""

    element: etree._Element
    signed_info: etree._Element
    algorithm: str  # "rsa-sha1", "rsa-sha256", "sm2-sm3"
    signature_uri: str
    digest: str  # "sha1", "sha256", "sm3"
    digest_uri: str
    digest_value: bytes
    value: bytes
    key_name: str
    certificate: bytes | None  # DER of KeyInfo/X509Data/X509Certificate

    @property
    def key_algorithm(self) -> str:
        return self.algorithm.split("-")[0]


def _ds(name: str) -> str:
    return f"{{{DS_NS}}}{name}"


def _b64(text: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureProblem(INVALID, _("%(what)s is not base64") % {"what": what}) from None


def _algorithm_of(parent: etree._Element, name: str) -> str:
    child = parent.find(_ds(name))
    return "" if child is None else child.get("Algorithm", "")


def find(root: etree._Element) -> etree._Element | None:
    """The enveloped `ds:Signature` of a message: a child of its root element."""
    return root.find(_ds("Signature"))


def read(element: etree._Element) -> Signature:
    """Read a `ds:Signature`; SignatureProblem(1001) for anything the portal does not verify."""
    signed_info = element.find(_ds("SignedInfo"))
    if signed_info is None:
        raise SignatureProblem(INVALID, _("ds:SignedInfo is missing"))
    method = signed_info.find(_ds("CanonicalizationMethod"))
    if method is None or method.get("Algorithm") not in (C14N, C14N_WITH_COMMENTS):
        raise SignatureProblem(INVALID, _("CanonicalizationMethod must be %(uri)s") % {"uri": C14N})
    signature_uri = _algorithm_of(signed_info, "SignatureMethod")
    known = algorithms()
    if signature_uri not in known["signature"]:
        raise SignatureProblem(
            INVALID, _("SignatureMethod %(uri)s is not accepted") % {"uri": repr(signature_uri[:100])}
        )
    references = signed_info.findall(_ds("Reference"))
    if len(references) != 1 or references[0].get("URI", None) != "":
        raise SignatureProblem(INVALID, _('expected one ds:Reference with URI="" (the whole message)'))
    reference = references[0]
    transforms = [t.get("Algorithm") for t in reference.iterfind(f"{_ds('Transforms')}/{_ds('Transform')}")]
    if ENVELOPED not in transforms or any(t not in (ENVELOPED, C14N, C14N_WITH_COMMENTS) for t in transforms):
        raise SignatureProblem(
            INVALID, _("the Reference must have the transform %(uri)s (and C14N only)") % {"uri": ENVELOPED}
        )
    digest_uri = _algorithm_of(reference, "DigestMethod")
    if digest_uri not in known["digest"]:
        raise SignatureProblem(
            INVALID, _("DigestMethod %(uri)s is not accepted") % {"uri": repr(digest_uri[:100])}
        )
    certificate_text = element.findtext(f"{_ds('KeyInfo')}/{_ds('X509Data')}/{_ds('X509Certificate')}")
    return Signature(
        element=element,
        signed_info=signed_info,
        algorithm=known["signature"][signature_uri],
        signature_uri=signature_uri,
        digest=known["digest"][digest_uri],
        digest_uri=digest_uri,
        digest_value=_b64(reference.findtext(_ds("DigestValue")), "DigestValue"),
        value=_b64(element.findtext(_ds("SignatureValue")), "SignatureValue"),
        key_name=(element.findtext(f"{_ds('KeyInfo')}/{_ds('KeyName')}") or "").strip(),
        certificate=_b64(certificate_text, "X509Certificate")
        if certificate_text and certificate_text.strip()
        else None,
    )


def _remove(element: etree._Element) -> None:
    """Remove an element but keep the text after it (lxml would drop its tail with it)."""
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def digest_input(root: etree._Element, signature: etree._Element | None) -> bytes:
    """The canonical form the Reference digests: the message without its signature (enveloped)."""
    if signature is None:
        return etree.tostring(root, method="c14n")
    document = copy.deepcopy(root)
    _remove(document[root.index(signature)])  # an enveloped signature is a child of the root
    return etree.tostring(document, method="c14n")


def _hash(name: str, data: bytes) -> bytes:
    if name == "sm3":
        # OpenSSL's SM3 through `cryptography`: gmalg's pure-Python SM3 takes ~0.7 s for a 40 kB list.
        sm3 = hashes.Hash(hashes.SM3())
        sm3.update(data)
        return sm3.finalize()
    return hashlib.new(name, data).digest()


def check_digest(root: etree._Element, signature: Signature) -> None:
    """SignatureProblem(1004) when the message is not the one that was signed."""
    data = digest_input(root, signature.element)
    expected = _hash(signature.digest, data)
    # Real e-port messages put a SHA-1 digest (20 bytes) under the SM3 URI: read it as SHA-1.
    if signature.digest == "sm3" and len(signature.digest_value) == 20:
        expected = _hash("sha1", data)
    if expected != signature.digest_value:
        raise SignatureProblem(
            DATA_MISMATCH, _("the digest does not match the message: it changed after signing")
        )


def _sm2_rs(value: bytes) -> tuple[bytes, bytes]:
    if len(value) == 64:
        return value[:32], value[32:]
    # DER: SEQUENCE { INTEGER r, INTEGER s }
    try:
        if value[0] != 0x30:
            raise IndexError
        pos = 2 if value[1] < 0x80 else 2 + (value[1] & 0x7F)
        parts = []
        for _ in range(2):
            if value[pos] != 0x02:
                raise IndexError
            length = value[pos + 1]
            parts.append(value[pos + 2 : pos + 2 + length].lstrip(b"\x00").rjust(32, b"\x00"))
            pos += 2 + length
        return parts[0], parts[1]
    except IndexError:
        raise SignatureProblem(INVALID, _("the SM2 SignatureValue is neither r||s nor DER")) from None


def check_value(signature: Signature, public_key: Any) -> None:
    """SignatureProblem(1001) unless SignatureValue is the signature of the canonical SignedInfo by the
    key (`cryptography` RSA public key, or the 65-byte SM2 point)."""
    signed = etree.tostring(signature.signed_info, method="c14n")
    if signature.key_algorithm == "sm2":
        if not isinstance(public_key, bytes):
            raise SignatureProblem(INVALID, _("an SM2 signature, but the registered key is RSA"))
        r, s = _sm2_rs(signature.value)
        if not gmalg.SM2(pk=public_key, uid=SM2_USER_ID).verify(signed, r, s):
            raise SignatureProblem(
                INVALID, _("the SM2 signature value does not verify with the registered key")
            )
        return
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureProblem(INVALID, _("an RSA signature, but the registered key is SM2"))
    digest = hashes.SHA256() if signature.algorithm == "rsa-sha256" else hashes.SHA1()  # noqa: S303
    try:
        public_key.verify(signature.value, signed, padding.PKCS1v15(), digest)
    except InvalidSignature:
        raise SignatureProblem(
            INVALID, _("the RSA signature value does not verify with the registered key")
        ) from None


# --- writing ---------------------------------------------------------------------------------------------


def _uri(kind: str, name: str) -> str:
    return next(uri for uri, value in algorithms()[kind].items() if value == name)


def sign(
    root: etree._Element,
    *,
    private_key: Any,
    algorithm: str = "rsa-sha1",
    digest: str = "sha1",
    key_name: str = "",
    certificate: bytes | None = None,
    before: etree._Element | None = None,
    signature_uri: str | None = None,
    digest_uri: str | None = None,
) -> etree._Element:
    """Put an enveloped `ds:Signature` in `root` (its last child, or before `before`) and return it.

    `private_key`: an RSA private key of `cryptography`, or for SM2 the 32-byte secret (gmalg).
    The URIs default to the first configured for the algorithm; `signature_uri`/`digest_uri` choose
    another (the two SM2 variants)."""
    data = etree.tostring(root, method="c14n")
    nsmap = {"ds": DS_NS}
    element = etree.Element(_ds("Signature"), nsmap=nsmap)
    signed_info = etree.SubElement(element, _ds("SignedInfo"))
    etree.SubElement(signed_info, _ds("CanonicalizationMethod"), Algorithm=C14N)
    etree.SubElement(
        signed_info, _ds("SignatureMethod"), Algorithm=signature_uri or _uri("signature", algorithm)
    )
    reference = etree.SubElement(signed_info, _ds("Reference"), URI="")
    transforms = etree.SubElement(reference, _ds("Transforms"))
    etree.SubElement(transforms, _ds("Transform"), Algorithm=ENVELOPED)
    etree.SubElement(reference, _ds("DigestMethod"), Algorithm=digest_uri or _uri("digest", digest))
    etree.SubElement(reference, _ds("DigestValue")).text = base64.b64encode(_hash(digest, data)).decode()
    value = etree.SubElement(element, _ds("SignatureValue"))
    key_info = etree.SubElement(element, _ds("KeyInfo"))
    if key_name:
        etree.SubElement(key_info, _ds("KeyName")).text = key_name
    if certificate:
        x509_data = etree.SubElement(key_info, _ds("X509Data"))
        etree.SubElement(x509_data, _ds("X509Certificate")).text = base64.b64encode(certificate).decode()
    if before is not None:
        before.addprevious(element)
    else:
        root.append(element)
    signed = etree.tostring(signed_info, method="c14n")  # in place: with the namespaces in scope
    if algorithm == "sm2-sm3":
        signer = gmalg.SM2(sk=private_key, uid=SM2_USER_ID, pk=gmalg.SM2().generate_pk(private_key))
        r, s = signer.sign(signed)
        raw = r.rjust(32, b"\x00") + s.rjust(32, b"\x00")
    else:
        chosen = hashes.SHA256() if algorithm == "rsa-sha256" else hashes.SHA1()  # noqa: S303
        raw = private_key.sign(signed, padding.PKCS1v15(), chosen)
    value.text = base64.b64encode(raw).decode()
    return element
