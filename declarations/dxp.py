"""The DxpMsg transport envelope (DOMAIN 1.2): a CEB message Base64-encoded in `Data`, with TransInfo
naming who sent it (SenderId), to whom (ReceiverIds), when, its id (CopMsgId) and its type (MsgType).

Partners post either the bare CEB message or its envelope to `/api/v1/ceb/`, and are answered in kind:
an enveloped message gets its receipt in a DxpMsg from the customs DXP id (import or export platform)
to the sender's SenderId, signed by the portal where the DXP XSD allows a signature. A malformed
envelope or payload is answered with a CEB900 (data-exchange codes of DOMAIN 4.3) naming the
envelope's CopMsgId.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from lxml import etree

from . import ceb, xmldsig
from .ceb_schema import (
    CEB_NS,
    DXP_NS,
    EXPORT_MESSAGES,
    SchemaProblem,
    _load_schema,
    _problem,
    _schema_lock,
    schema_dir,
)
from .guids import new_guid
from .portal_key import portal_key

DXP_XSD = "dxp-terminal-202205.xsd"
# Data-exchange codes (DOMAIN 4.3)
FORMAT = "0001"
SCHEMA = "0002"
OTHER_FORMAT = "0999"
ADDRESS_MISMATCH = "2002"


# A DxpMsg start tag near the top of the body: only then is the body parsed here, so a bare message
# costs no second parse. (An envelope behind 4 kB of comments is read as a bare message and refused.)
_ENVELOPE_START = re.compile(rb"<([\w.-]+:)?DxpMsg[\s>/]")
_LOOK_AHEAD = 4096


def _dxp(name: str) -> str:
    return f"{{{DXP_NS}}}{name}"


class EnvelopeError(Exception):
    """A message refused before its documents are read: answered with a CEB900 whose returnStatus is
    the negative `code` and whose returnInfo starts with it."""

    def __init__(
        self,
        code: str,
        reason: str,
        *,
        cop_msg_id: str = "",
        message_type: str = "Unknown",
        sender_id: str = "",
    ) -> None:
        super().__init__(f"{code}: {reason}")
        self.sender_id = sender_id
        self.code = code
        self.reason = reason
        self.cop_msg_id = cop_msg_id
        self.message_type = message_type


@dataclass
class Envelope:
    cop_msg_id: str
    sender_id: str
    receiver_ids: list[str]
    msg_type: str
    root: etree._Element = field(repr=False)

    @property
    def signature(self) -> etree._Element | None:
        return xmldsig.find(self.root)


@dataclass
class Inbound:
    """What was posted: the CEB message (`payload`), and its envelope when it came in one."""

    body: bytes
    payload: bytes
    envelope: Envelope | None = None

    @property
    def cop_msg_id(self) -> str:
        """The id a CEB900 names: the envelope's CopMsgId, else the message's guid."""
        if self.envelope is not None:
            return self.envelope.cop_msg_id
        try:
            return (etree.fromstring(self.payload, ceb.hardened_parser()).get("guid") or "").strip()
        except etree.XMLSyntaxError:
            return ""


def validate_envelope(root: etree._Element) -> list[SchemaProblem]:
    schema = _load_schema(str(schema_dir().resolve()), DXP_XSD)
    with _schema_lock:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)[: ceb.MAX_DOCUMENTS]
    return [_problem(error.line, error.message) for error in errors]


def receive(body: bytes) -> Inbound:
    """Unwrap a posted body. A bare CEB message passes through as it is (ceb.parse_message reads and
    refuses it as before); a DxpMsg is checked against the DXP XSD and its Data decoded, and any
    problem raises EnvelopeError. Raises ceb.CebError for a body that is not XML at all."""
    if not _ENVELOPE_START.search(bytes(body[:_LOOK_AHEAD])):
        return Inbound(body=body, payload=body)  # bare: parsed once, by ceb.parse_message
    root = ceb._parse_safely(body)
    if root.tag != _dxp("DxpMsg"):
        return Inbound(body=body, payload=body)
    info = _dxp("TransInfo") + "/"
    cop_msg_id = (root.findtext(info + _dxp("CopMsgId")) or "").strip()[:255]
    msg_type = (root.findtext(info + _dxp("MsgType")) or "").strip()
    ori_type = msg_type if msg_type.startswith("CEB") and len(msg_type) <= 15 else "Unknown"
    sender_id = (root.findtext(info + _dxp("SenderId")) or "").strip()[:16]
    problems = validate_envelope(root)
    if problems:
        reason = "DxpMsg not valid against the DXP schema: " + " ".join(map(str, problems))
        raise EnvelopeError(SCHEMA, reason, cop_msg_id=cop_msg_id, message_type=ori_type, sender_id=sender_id)
    try:
        payload = base64.b64decode("".join((root.findtext(_dxp("Data")) or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(
            FORMAT, "Data is not base64", cop_msg_id=cop_msg_id, message_type=ori_type, sender_id=sender_id
        ) from None
    try:
        payload_root = ceb._parse_safely(payload)
    except ceb.CebError as exc:
        raise EnvelopeError(
            exc.code,
            f"Data does not hold a CEB message: {exc.message}",
            cop_msg_id=cop_msg_id,
            message_type=ori_type,
            sender_id=sender_id,
        ) from None
    qname = etree.QName(payload_root)
    if qname.namespace != CEB_NS or qname.localname.removesuffix("Message") != msg_type.removesuffix(
        "Message"
    ):
        raise EnvelopeError(
            FORMAT,
            f"MsgType {msg_type[:30]!r} does not match the message in Data ({qname.localname[:40]})",
            cop_msg_id=cop_msg_id,
            message_type=ori_type,
            sender_id=sender_id,
        )
    envelope = Envelope(
        cop_msg_id=cop_msg_id,
        sender_id=sender_id,
        receiver_ids=[(r.text or "").strip() for r in root.iter(_dxp("ReceiverId"))],
        msg_type=msg_type,
        root=root,
    )
    return Inbound(body=body, payload=payload, envelope=envelope)


def customs_dxp_id(message_type: str) -> str:
    """The customs platform answering: the export one for export messages, else the import one."""
    if message_type.removesuffix("Message") in EXPORT_MESSAGES:
        return settings.CEB_DXP_ID_EXPORT
    return settings.CEB_DXP_ID_IMPORT


def wrap(
    message: bytes,
    *,
    message_type: str,
    receiver_id: str,
    sender_id: str | None = None,
    now: datetime | None = None,
    sign: bool = True,
) -> bytes:
    """A DxpMsg carrying `message` (its MsgType `message_type`, e.g. "CEB622Message"), from the customs
    DXP id to `receiver_id`, with a new CopMsgId, signed by the portal (its ds:Signature is the last
    child, as the DXP XSD puts it). Valid against the DXP XSD, or ValueError."""
    message_type = message_type if message_type.endswith("Message") else message_type + "Message"
    root = etree.Element(_dxp("DxpMsg"), nsmap={"dxp": DXP_NS}, attrib={"ver": "1.0"})
    info = etree.SubElement(root, _dxp("TransInfo"))
    etree.SubElement(info, _dxp("CopMsgId")).text = new_guid()
    etree.SubElement(info, _dxp("SenderId")).text = sender_id or customs_dxp_id(message_type)
    receivers = etree.SubElement(info, _dxp("ReceiverIds"))
    etree.SubElement(receivers, _dxp("ReceiverId")).text = receiver_id[:16] or "UNKNOWN"
    when = (now or datetime.now(ceb.CHINA_TZ)).astimezone(ceb.CHINA_TZ)
    etree.SubElement(info, _dxp("CreatTime")).text = when.strftime("%Y-%m-%dT%H:%M:%S")
    etree.SubElement(info, _dxp("MsgType")).text = message_type
    etree.SubElement(root, _dxp("Data")).text = base64.b64encode(message).decode()
    if sign:
        key = portal_key()
        xmldsig.sign(
            root,
            private_key=key.private_key,
            key_name=key.key_name,
            certificate=key.certificate_der,
            signature_uri=xmldsig.RECEIPT_SIGNATURE_URI,
            digest_uri=xmldsig.RECEIPT_DIGEST_URI,
        )
    problems = validate_envelope(root)
    if problems:
        raise ValueError("DxpMsg not valid: " + " ".join(map(str, problems)))
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def format_receipt(
    code: str,
    reason: str,
    *,
    cop_msg_id: str,
    message_type: str,
    original: bytes,
    now: datetime | None = None,
) -> bytes:
    """CEB900 MessageReturn for a message refused before its documents were read: returnStatus the
    negative data-exchange code ("-1004"), as the schema refusal's "-0002"; returnInfo the code and the
    reason; the posted body echoed in oriBizMessage. Valid against the import XSD."""
    root = ceb._message("CEB900")
    answer = etree.SubElement(root, f"{{{CEB_NS}}}MessageReturn")
    info = ceb._NOT_XML_CHARS.sub("", f"{code} {reason}")
    if len(info) > ceb.MAX_FORMAT_INFO:
        info = info[: ceb.MAX_FORMAT_INFO - 1] + "…"
    ceb._put(answer, "guid", new_guid())
    ceb._put(answer, "returnStatus", f"-{code}")
    ceb._put(answer, "returnInfo", info)
    ceb._put(answer, "returnTime", ceb.return_time(now or datetime.now(ceb.CHINA_TZ)))
    ceb._put(answer, "oriCopMsgId", (cop_msg_id or "Unknown")[:255])
    ceb._put(answer, "oriMessageType", message_type if 0 < len(message_type) <= 15 else "Unknown")
    original_text = ceb._NOT_XML_CHARS.sub(
        "", original.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")
    )
    etree.SubElement(answer, f"{{{CEB_NS}}}oriBizMessage").text = (
        etree.CDATA(original_text) if "]]>" not in original_text else original_text
    )
    return ceb._serialize(root)
