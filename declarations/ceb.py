"""Reading CEB declaration messages and writing CEB receipts (DOMAIN 1.3-1.5, 2.1-2.5, 2.7, 2.8, 4.3);
the messages the window writes itself (CEB701, 792, 818) are in `ceb_written`.

Partners may post the customs' own XML (CEB311, 411, 511, 513, 621...) instead of JSON. This module turns
such a body into plain dicts with the same snake_case keys as the JSON API, so both formats go through
the same field validation, and it writes the CEB312/412/512/514/622 receipts that answer them.

Input is hostile until proven otherwise: the parser never loads a DTD, never resolves an entity and
never touches the network, and the body is capped in size and depth before any data is returned.
Then the message is checked against the official XSD, as the e-port checks it, before any field is
read: a message the e-port would refuse with a CEB900 (error 0002) is refused here the same way, unless
CEB_SCHEMA_VALIDATION is "lenient" (read field by field all the same, the problems logged and noted).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from django.conf import settings
from lxml import etree

from singlewindow.core.errors import ServiceError

from .ceb_catalogue import (
    BASE_TRANSFER_KEYS,
    DECLARATIONS,
    LINES_OPTIONAL,
    MAX_WAYBILL_LINES,
    RECEIPTS,
    WAYBILL_LINES,
    ReceiptField,
)
from .ceb_catalogue import receipt_type_for as receipt_type_for
from .ceb_catalogue import to_snake as to_snake
from .ceb_schema import CEB_NS, DS_NS, SchemaProblem, envelope_of, validate
from .ceb_schema import EXPORT_MESSAGES as EXPORT_MESSAGES
from .ceb_schema import EXPORT_XSD as EXPORT_XSD
from .ceb_schema import IMPORT_XSD as IMPORT_XSD
from .ceb_schema import schema_dir as schema_dir
from .guids import new_guid

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 32
MAX_DOCUMENTS = 100
MAX_LINES = 99
RECEIPT_VERSION = "1.0"
FORMAT_RETURN_STATUS = "-0002"  # CEB900: negative, the data-exchange code of a schema failure (4.3)
MAX_FORMAT_INFO = 5000  # CEB900 returnInfo, as the XSD allows
SchemaMode = Literal["strict", "lenient"]

# China has one time zone and no daylight saving time: the e-port stamps receipts in Beijing time.
CHINA_TZ = timezone(timedelta(hours=8), "CST")


class CebError(ServiceError):
    """A message that cannot be read.

    `.code` is the data-exchange error code of DOMAIN 4.3 ("0001" format error, "0002" schema,
    "0999" other format), `.message` a readable English reason. The text never quotes the body.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.args = (code, message)  # args match __init__, so the error pickles (e.g. into Celery)
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class CebBodyTooLarge(CebError):
    """The body is over MAX_BODY_BYTES; a subclass so the view can answer 413 without parsing text."""

    status = 413

    def __init__(self, size: int) -> None:
        super().__init__(
            "0001",
            f"message body is {size} bytes; the size limit is {MAX_BODY_BYTES} bytes (10 MiB)",
        )
        self.size = size

    def __reduce__(self) -> tuple[type[CebBodyTooLarge], tuple[int]]:
        return (type(self), (self.size,))


class CebSchemaError(CebError):
    """The message fails the official XSD (data-exchange error 0002): answered with a CEB900 receipt.

    `problems` say where (line, element) and why; `cop_msg_id` and `message_type` name the message as
    CEB900's oriCopMsgId and oriMessageType do (its root guid, or a DxpMsg envelope's CopMsgId).
    """

    def __init__(self, problems: list[SchemaProblem], *, message_type: str, cop_msg_id: str) -> None:
        listed = " ".join(str(problem) for problem in problems)
        super().__init__("0002", f"the message is not valid against the CEB schema: {listed}")
        self.problems = problems
        self.message_type = message_type
        self.cop_msg_id = cop_msg_id

    def __reduce__(self) -> tuple[Any, ...]:
        return (_schema_error, (self.problems, self.message_type, self.cop_msg_id))


def _schema_error(problems: list[SchemaProblem], message_type: str, cop_msg_id: str) -> CebSchemaError:
    return CebSchemaError(problems, message_type=message_type, cop_msg_id=cop_msg_id)


@dataclass
class CebMessage:
    """A declaration message reduced to plain strings; types are checked by the field validators."""

    message_type: str  # "CEB311", "CEB411", "CEB511", "CEB513", "CEB621"
    guid: str  # root guid attribute
    documents: list[dict]  # one dict per business document (heads, plus "items" for 311/621)
    base_transfer: dict  # cop_code, cop_name, dxp_mode, dxp_id, note ("" when absent)
    has_signature: bool = False  # a ds:Signature element is present (not verified here)
    # What the XSD refused in a message taken in lenient mode (always [] in strict mode).
    schema_problems: list[SchemaProblem] = field(default_factory=list)
    # BaseSubscribe (DOMAIN 1.3): {status, dxp_mode, dxp_address, note} per party to copy.
    base_subscribe: list[dict] = field(default_factory=list)


# --- reading -------------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"
_FORBIDDEN_MARKUP = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(r"""\A\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


def hardened_parser() -> etree.XMLParser:
    """A fresh parser per call: lxml parsers are not thread-safe, and this one can't fetch anything."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _parse_safely(body: bytes) -> etree._Element:
    """Bytes -> root element, or CebError("0001"); DTDs and entities are refused, not just ignored."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("parse_message expects bytes")
    body = bytes(body)
    if len(body) > MAX_BODY_BYTES:
        raise CebBodyTooLarge(len(body))
    if body.startswith(_BOM):
        body = body[len(_BOM) :]
    if not body.strip():
        raise CebError("0001", "empty message body")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CebError("0001", f"message body is not valid UTF-8 (bad byte at offset {exc.start})") from None
    # Checked on the bytes (now known to be UTF-8) so an entity can never reach the parser.
    if _FORBIDDEN_MARKUP.search(body):
        raise CebError("0001", "DOCTYPE and ENTITY declarations are not allowed in CEB messages")
    declared = _DECLARED_ENCODING.match(text)
    if declared and declared.group(1).strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise CebError("0001", f"declared encoding {declared.group(1)[:20]!r} is not accepted; send UTF-8")
    if not text.lstrip().startswith("<"):
        raise CebError("0001", "message body is not XML")
    try:
        root = etree.fromstring(body, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise CebError("0001", f"message is not well-formed XML: {_short(str(exc))}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise CebError("0001", "DOCTYPE declarations are not allowed in CEB messages")
    _check_depth(root)
    return root


def _check_depth(root: etree._Element) -> None:
    """Refuse deep nesting: CEB messages are five levels deep, a signature a few more."""
    depth = 0
    for event, _element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_DEPTH:
            raise CebError("0001", f"elements are nested deeper than {MAX_DEPTH} levels")


def _short(text: str, limit: int = 200) -> str:
    """One line, bounded: parser messages end up in receipts and logs."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local(element: etree._Element) -> str | None:
    """Local name of a CEB-namespace element, None for anything else (other namespaces, comments)."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    return qname.localname if qname.namespace == CEB_NS else None


def _ceb_children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _fields(element: etree._Element, where: str) -> dict[str, str]:
    """Flat CEB children -> {snake_name: stripped text}; a repeated field is ambiguous, so refused."""
    values: dict[str, str] = {}
    for child in element:
        name = _local(child)
        if name is None:
            continue
        key = to_snake(name)
        if key in values:
            raise CebError("0002", f"{where} has the field {name} more than once")
        values[key] = (child.text or "").strip()
    return values


def _document(kind: str, element: etree._Element, number: int) -> dict[str, Any]:
    doc_name, head_name, list_name = DECLARATIONS[kind]
    where = f"{doc_name} #{number}"
    if head_name is None:
        return _fields(element, where)
    heads = _ceb_children(element, head_name)
    if len(heads) != 1:
        problem = "has no" if not heads else "has more than one"
        raise CebError("0002", f"{where} {problem} {head_name}")
    document: dict[str, Any] = _fields(heads[0], f"{where} {head_name}")
    if list_name is not None:
        lines = _ceb_children(element, list_name)
        if not lines and kind not in LINES_OPTIONAL:
            raise CebError("0002", f"{where} has no {list_name} lines")
        limit = MAX_WAYBILL_LINES if kind in WAYBILL_LINES else MAX_LINES
        if len(lines) > limit:
            raise CebError("0002", f"{where} has {len(lines)} {list_name} lines; at most {limit} allowed")
        document["items"] = [
            _fields(line, f"{where} {list_name} #{index}") for index, line in enumerate(lines, start=1)
        ]
    return document


def schema_mode() -> SchemaMode:
    """CEB_SCHEMA_VALIDATION: "strict" (the default, as the e-port) or "lenient"."""
    mode = getattr(settings, "CEB_SCHEMA_VALIDATION", "strict") if settings.configured else "strict"
    return "lenient" if mode == "lenient" else "strict"


def _check_schema(root: etree._Element, kind: str, mode: SchemaMode) -> list[SchemaProblem]:
    """Problems the XSD finds; in strict mode they are raised (CEB900), in lenient mode logged."""
    problems = validate(root, kind)
    guid = (root.get("guid") or "").strip()
    if problems and mode == "strict":
        raise CebSchemaError(problems, message_type=f"{kind}Message", cop_msg_id=guid)
    if problems:
        # Where, not what: the reasons quote values, and the values are personal data.
        where = "; ".join(f"line {problem.line} {problem.element}".strip() for problem in problems[:20])
        logger.warning(
            "%s message %s is not valid against the CEB schema (%d problems: %s); taken in lenient mode",
            kind,
            guid[:36],
            len(problems),
            where,
        )
    return problems


def parse_message(body: bytes, *, mode: SchemaMode | None = None) -> CebMessage:
    """Read a CEB311/411/511/513/621... body into plain dicts; raises CebError for anything unreadable,
    CebSchemaError when the XSD refuses it (unless `mode`, by default CEB_SCHEMA_VALIDATION, is
    "lenient")."""
    root = _parse_safely(body)
    if not isinstance(root.tag, str):
        raise CebError("0001", "message has no root element")
    qname = etree.QName(root)
    if qname.namespace != CEB_NS:
        found = f"namespace {qname.namespace}" if qname.namespace else "no namespace"
        cop_msg_id, message_type = envelope_of(root)
        reason = f"has {found}; expected namespace {CEB_NS}"
        if cop_msg_id or message_type:
            reason += " (post the CEB message the DxpMsg envelope carries in its Data, not the envelope)"
        raise CebSchemaError(
            [SchemaProblem(root.sourceline or 1, _short(qname.localname, 60), reason)],
            message_type=message_type or "Unknown",
            cop_msg_id=cop_msg_id or (root.get("guid") or "").strip(),
        )
    kind = qname.localname.removesuffix("Message")
    if not qname.localname.endswith("Message") or kind not in DECLARATIONS:
        raise CebError("0999", f"unsupported message type {_short(qname.localname, 60)}")
    problems = _check_schema(root, kind, mode or schema_mode())

    doc_name = DECLARATIONS[kind][0]
    elements = _ceb_children(root, doc_name)
    if not elements:
        raise CebError("0002", f"{qname.localname} contains no {doc_name} document")
    if len(elements) > MAX_DOCUMENTS:
        raise CebError(
            "0002", f"{qname.localname} has {len(elements)} {doc_name} documents; at most {MAX_DOCUMENTS}"
        )
    documents = [_document(kind, element, number) for number, element in enumerate(elements, start=1)]

    transfers = _ceb_children(root, "BaseTransfer")
    if not transfers:
        raise CebError("0002", f"{qname.localname} has no BaseTransfer")
    senders = [_fields(transfer, "BaseTransfer") for transfer in transfers]
    # Identical repeats were dropped before the schema check; two different senders are ambiguous.
    if any(sender != senders[0] for sender in senders[1:]):
        raise CebError("0002", f"{qname.localname} has more than one BaseTransfer, and they differ")
    base_transfer = dict.fromkeys(BASE_TRANSFER_KEYS, "") | senders[0]

    has_signature = next(root.iter(f"{{{DS_NS}}}Signature"), None) is not None
    return CebMessage(
        message_type=kind,
        guid=(root.get("guid") or "").strip(),
        documents=documents,
        base_transfer=base_transfer,
        has_signature=has_signature,
        schema_problems=problems,
        base_subscribe=[
            _fields(element, "BaseSubscribe") for element in _ceb_children(root, "BaseSubscribe")
        ],
    )


# --- writing --------------------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all; lxml would refuse the whole receipt because of one of them.
_NOT_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def return_time(dt: datetime) -> str:
    """YYYYMMDDhhmmssSSS (17 chars); aware datetimes are shown in Beijing time, as the e-port does."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(CHINA_TZ)
    return dt.strftime("%Y%m%d%H%M%S") + f"{dt.microsecond // 1000:03d}"


def _receipt_value(receipt_type: str, spec: ReceiptField, raw: Any) -> str | None:
    """Clean and check one value; None means "leave the optional element out"."""
    value = "" if raw is None else _NOT_XML_CHARS.sub("", str(raw)).strip()
    if spec.xml == "guid" and not value:
        value = new_guid()
    if spec.xml == "returnInfo" and len(value) > spec.max_len:
        value = value[: spec.max_len - 1].rstrip() + "…"
    if not value:
        if spec.may_be_empty:
            return ""
        if spec.required:
            raise ValueError(f"{receipt_type} receipt: {spec.key} is required")
        return None
    if not spec.min_len <= len(value) <= spec.max_len:
        size = str(spec.max_len) if spec.min_len == spec.max_len else f"{spec.min_len}..{spec.max_len}"
        raise ValueError(f"{receipt_type} receipt: {spec.key} must be {size} characters, got {len(value)}")
    return value


def build_receipt_message(
    message_type: str, receipts: list[dict], *, message_guid: str | None = None
) -> bytes:
    """Write a CEB312/412/512/514/622 (import) or CEB304/404/506/604 (export) receipt message (UTF-8,
    with declaration) valid against its XSD.

    Optional elements that are None or "" are left out; a missing `guid` is generated; `return_info`
    is cut to the XSD's 1000 characters. Anything else that the XSD would reject raises ValueError,
    so a broken receipt is caught here rather than by the partner. At most 100 receipts: callers split.
    `message_guid` is the root's guid (a fresh one by default).
    """
    receipt_type = message_type.removesuffix("Message")
    if receipt_type not in RECEIPTS:
        raise ValueError(f"unsupported receipt type {message_type!r}; expected one of {sorted(RECEIPTS)}")
    if not receipts:
        raise ValueError("a receipt message needs at least one receipt")
    if len(receipts) > MAX_DOCUMENTS:
        raise ValueError(f"{len(receipts)} receipts; at most {MAX_DOCUMENTS} per message, split them")
    element_name, specs = RECEIPTS[receipt_type]
    known = {spec.key for spec in specs}

    root = etree.Element(
        f"{{{CEB_NS}}}{receipt_type}Message",
        nsmap={"ceb": CEB_NS},
        attrib={"guid": message_guid or new_guid(), "version": RECEIPT_VERSION},
    )
    for receipt in receipts:
        unknown = set(receipt) - known
        if unknown:
            raise ValueError(f"{receipt_type} receipt: unknown keys {sorted(unknown)}")
        parent = etree.SubElement(root, f"{{{CEB_NS}}}{element_name}")
        for spec in specs:
            value = _receipt_value(receipt_type, spec, receipt.get(spec.key))
            if value is not None:
                etree.SubElement(parent, f"{{{CEB_NS}}}{spec.xml}").text = value
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _message(message_type: str) -> etree._Element:
    return etree.Element(
        f"{{{CEB_NS}}}{message_type}Message",
        nsmap={"ceb": CEB_NS},
        attrib={"guid": new_guid(), "version": RECEIPT_VERSION},
    )


def _put(parent: etree._Element, name: str, value: Any, *, optional: bool = False) -> None:
    text = "" if value is None else _NOT_XML_CHARS.sub("", str(value)).strip()
    if not text and optional:
        return
    etree.SubElement(parent, f"{{{CEB_NS}}}{name}").text = text


def _serialize(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def build_format_receipt(error: CebSchemaError, body: bytes, *, now: datetime | None = None) -> bytes:
    """CEB900 MessageReturn answering a message the XSD refused: returnStatus -0002, returnInfo "0002 ..."
    with each problem's line and element (cut to 5000 characters), and the message itself echoed in
    oriBizMessage, as the e-port answers a format failure. Valid against the import XSD."""
    root = _message("CEB900")
    answer = etree.SubElement(root, f"{{{CEB_NS}}}MessageReturn")
    info = "0002 message not valid against the CEB schema: " + " ".join(map(str, error.problems))
    info = _NOT_XML_CHARS.sub("", info)
    if len(info) > MAX_FORMAT_INFO:
        info = info[: MAX_FORMAT_INFO - 1] + "…"
    message_type = error.message_type if len(error.message_type) <= 15 else "Unknown"
    _put(answer, "guid", new_guid())
    _put(answer, "returnStatus", FORMAT_RETURN_STATUS)
    _put(answer, "returnInfo", info)
    _put(answer, "returnTime", return_time(now or datetime.now(CHINA_TZ)))
    _put(answer, "oriCopMsgId", error.cop_msg_id[:255])
    _put(answer, "oriMessageType", message_type)
    original = body.removeprefix(_BOM).decode("utf-8")  # it was parsed, so it is UTF-8
    # CDATA cannot hold "]]>": such a body is echoed as escaped text, which reads back the same.
    etree.SubElement(answer, f"{{{CEB_NS}}}oriBizMessage").text = (
        etree.CDATA(original) if "]]>" not in original else original
    )
    return _serialize(root)


def schema_note(problems: list[SchemaProblem], limit: int = 300) -> str:
    """The remark a receipt carries for a message taken in lenient mode despite the XSD ("" if valid)."""
    if not problems:
        return ""
    return _short(f"[not valid against the CEB schema, {len(problems)} problems: {problems[0]}]", limit)


# --- schema ---------------------------------------------------------------------------------------------


def schema_errors(xml: bytes) -> list[str]:
    """Problems with `xml` against the import or export XSD (chosen by the message type), one readable
    line each ("line 12: element 'ceb:orderNo': ..."); [] when valid."""
    try:
        document = etree.fromstring(bytes(xml), hardened_parser())
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {_short(str(exc))}"]
    message_type = (_local(document) or "").removesuffix("Message")
    return [str(problem) for problem in validate(document, message_type)]
