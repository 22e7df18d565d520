"""A partner's side of the wire, written apart from the portal's code so the tests do not check the
portal against itself: test keys and certificates (RSA, and SM2 built from DER by hand, since
`cryptography` cannot make an SM2 certificate), an enveloped XML-DSig signer, the DxpMsg wrapper, and
the checks a partner makes of the portal's signed answers."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gmalg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from declarations import ceb

DS = "http://www.w3.org/2000/09/xmldsig#"
DXP = "http://www.chinaport.gov.cn/dxp"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
SM2_SM3_CHINAPORT = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM2_SM3_W3 = "http://www.w3.org/2000/09/xmldsig#sm2-sm3"
SM3 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
SM2_UID = b"1234567812345678"
SAMPLES = Path(ceb.schema_dir()).parent / "samples"


# --- keys and certificates --------------------------------------------------------------------------


class RsaSigner:
    algorithm = "rsa"

    def __init__(self, *, days: int = 365, serial: int = 0x1A2B3C) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test enterprise")])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(serial)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=days))
            .sign(self.key, hashes.SHA256())
        )
        self.der = self.certificate.public_bytes(serialization.Encoding.DER)
        self.pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        self.key_name = format(serial, "X")

    def sign_value(self, data: bytes) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA1())  # noqa: S303 - the CEB algorithm

    method, digest_method = RSA_SHA1, SHA1


def _der(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _int(value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 8) // 8 or 1, "big")
    return _der(0x02, raw)


def _seq(*parts: bytes) -> bytes:
    return _der(0x30, b"".join(parts))


OID_EC = bytes.fromhex("06072a8648ce3d0201")
OID_SM2 = bytes.fromhex("06082a811ccf5501822d")
OID_SM2_WITH_SM3 = bytes.fromhex("06082a811ccf55018375")  # 1.2.156.10197.1.501


def _name(common_name: str) -> bytes:
    cn = _seq(bytes.fromhex("0603550403"), _der(0x0C, common_name.encode()))
    return _seq(_der(0x31, cn))


class Sm2Signer:
    """An SM2 key with an X.509 certificate (`pem`) and its bare public key (`public_pem`)."""

    algorithm = "sm2"
    digest_method = SM3

    def __init__(self, *, method: str = SM2_SM3_CHINAPORT, serial: int = 0x5E2001, days: int = 365) -> None:
        self.secret, self.point = gmalg.SM2().generate_keypair()
        self.method = method
        spki = _seq(_seq(OID_EC, OID_SM2), _der(0x03, b"\x00" + self.point))
        now = datetime.now(UTC)
        validity = _seq(
            _der(0x17, (now - timedelta(days=1)).strftime("%y%m%d%H%M%SZ").encode()),
            _der(0x17, (now + timedelta(days=days)).strftime("%y%m%d%H%M%SZ").encode()),
        )
        tbs = _seq(
            _der(0xA0, _int(2)),
            _int(serial),
            _seq(OID_SM2_WITH_SM3),
            _name("test CA"),
            validity,
            _name("test enterprise"),
            spki,
        )
        r, s = self._sign(tbs)
        signature = _seq(_int(int.from_bytes(r, "big")), _int(int.from_bytes(s, "big")))
        self.der = _seq(tbs, _seq(OID_SM2_WITH_SM3), _der(0x03, b"\x00" + signature))
        self.pem = _pem("CERTIFICATE", self.der)
        self.public_pem = _pem("PUBLIC KEY", spki)
        self.key_name = format(serial, "X")

    def _sign(self, data: bytes) -> tuple[bytes, bytes]:
        return gmalg.SM2(sk=self.secret, uid=SM2_UID, pk=self.point).sign(data)

    def sign_value(self, data: bytes) -> bytes:
        r, s = self._sign(data)
        return r.rjust(32, b"\x00") + s.rjust(32, b"\x00")


def _pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _digest(uri: str, data: bytes) -> bytes:
    if uri == SM3:
        sm3 = gmalg.SM3()
        sm3.update(data)
        return sm3.value()
    return hashlib.sha1(data).digest()  # noqa: S324 - the CEB digest


# --- signing, as a partner's client does --------------------------------------------------------------


def sign(xml: bytes, signer, *, with_certificate: bool = True, digest_method: str | None = None) -> bytes:
    """Replace the message's ds:Signature (or add one where its XSD puts it) by a real one of `signer`."""
    root = etree.fromstring(xml)
    old = root.find(f"{{{DS}}}Signature")
    index = len(root)
    if old is not None:
        index = root.index(old)
        root.remove(old)
    elif (
        root.find(f"{{{ceb.CEB_NS}}}ExtendMessage") is not None
        and etree.QName(root).localname.removesuffix("Message") in ceb.EXPORT_MESSAGES
    ):
        index = root.index(root.find(f"{{{ceb.CEB_NS}}}ExtendMessage"))
    digest_method = digest_method or signer.digest_method
    digest = base64.b64encode(_digest(digest_method, etree.tostring(root, method="c14n"))).decode()
    certificate = ""
    if with_certificate:
        certificate = (
            f"<ds:X509Data><ds:X509Certificate>{base64.b64encode(signer.der).decode()}</ds:X509Certificate>"
            "</ds:X509Data>"
        )
    signature = etree.fromstring(
        f'<ds:Signature xmlns:ds="{DS}"><ds:SignedInfo>'
        f'<ds:CanonicalizationMethod Algorithm="{C14N}"/><ds:SignatureMethod Algorithm="{signer.method}"/>'
        '<ds:Reference URI=""><ds:Transforms><ds:Transform Algorithm="'
        f'{DS}enveloped-signature"/></ds:Transforms><ds:DigestMethod Algorithm="{digest_method}"/>'
        f"<ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"
        "<ds:SignatureValue/>"
        f"<ds:KeyInfo><ds:KeyName>{signer.key_name}</ds:KeyName>{certificate}</ds:KeyInfo></ds:Signature>"
    )
    root.insert(index, signature)
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    value = signer.sign_value(etree.tostring(signed_info, method="c14n"))
    signature.find(f"{{{DS}}}SignatureValue").text = base64.b64encode(value).decode()
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def with_sender(xml: bytes, *, cop_code: str, dxp_id: str = "DXPENT0000000001") -> bytes:
    """The message sent by `cop_code`: every BaseTransfer's copCode (and dxpId) set to it."""
    root = etree.fromstring(xml)
    for transfer in root.iter(f"{{{ceb.CEB_NS}}}BaseTransfer"):
        transfer.find(f"{{{ceb.CEB_NS}}}copCode").text = cop_code
        transfer.find(f"{{{ceb.CEB_NS}}}dxpId").text = dxp_id
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def envelope(
    message: bytes,
    *,
    msg_type: str,
    cop_msg_id: str = "COP-2026-0001",
    sender_id: str = "DXPENT0000000001",
    data: str | None = None,
    signer=None,
) -> bytes:
    """A DxpMsg carrying `message` (or `data` as given), signed by `signer` when one is given."""
    body = data if data is not None else base64.b64encode(message).decode()
    xml = (
        f'<dxp:DxpMsg xmlns:dxp="{DXP}" ver="1.0"><dxp:TransInfo><dxp:CopMsgId>{cop_msg_id}</dxp:CopMsgId>'
        f"<dxp:SenderId>{sender_id}</dxp:SenderId><dxp:ReceiverIds><dxp:ReceiverId>DXPEDCCEB0000002"
        "</dxp:ReceiverId></dxp:ReceiverIds><dxp:CreatTime>2026-12-06T10:00:00</dxp:CreatTime>"
        f"<dxp:MsgType>{msg_type}</dxp:MsgType></dxp:TransInfo><dxp:Data>{body}</dxp:Data>"
        "<dxp:AddInfo><dxp:FileName>test.xml</dxp:FileName></dxp:AddInfo></dxp:DxpMsg>"
    ).encode()
    return sign(xml, signer) if signer is not None else xml


# --- the partner's checks of what the portal answers ----------------------------------------------------


def verify_portal_envelope(xml: bytes, certificate_pem: str) -> etree._Element:
    """Check the portal's enveloped signature of a DxpMsg answer with its published certificate; the
    DxpMsg root."""
    root = etree.fromstring(xml)
    signature = root.find(f"{{{DS}}}Signature")
    assert signature is not None, "the answer is not signed"
    signed_info = signature.find(f"{{{DS}}}SignedInfo")
    assert signed_info.find(f"{{{DS}}}SignatureMethod").get("Algorithm") == RSA_SHA1
    unsigned = etree.fromstring(xml)
    unsigned.remove(unsigned.find(f"{{{DS}}}Signature"))
    digest = base64.b64encode(_digest(SHA1, etree.tostring(unsigned, method="c14n"))).decode()
    assert signed_info.findtext(f"{{{DS}}}Reference/{{{DS}}}DigestValue") == digest
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    public_key.verify(
        base64.b64decode(signature.findtext(f"{{{DS}}}SignatureValue")),
        etree.tostring(signed_info, method="c14n"),
        padding.PKCS1v15(),
        hashes.SHA1(),  # noqa: S303
    )
    return root


def verify_portal_header(answer, certificate_pem: str) -> None:
    public_key = x509.load_pem_x509_certificate(certificate_pem.encode()).public_key()
    assert answer["X-Ceb-Signature-Method"] == RSA_SHA1
    public_key.verify(
        base64.b64decode(answer["X-Ceb-Signature"]),
        answer.content,
        padding.PKCS1v15(),
        hashes.SHA1(),  # noqa: S303
    )


def unwrap(root: etree._Element) -> bytes:
    return base64.b64decode(root.findtext(f"{{{DXP}}}Data"))


def dxp_text(root: etree._Element, path: str) -> str:
    return root.findtext("/".join(f"{{{DXP}}}{part}" for part in path.split("/"))) or ""
