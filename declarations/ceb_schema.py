"""The official CEB XSDs (DOMAIN 1.3, 4.3): where they are, each compiled once, and a message checked
against them, with each problem said by line and element in words a partner can act on.

`declarations.ceb` checks every incoming message here before it reads a field, and answers a failure
with a CEB900 format receipt (data-exchange error 0002), as the e-port does.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

CEB_NS = "http://www.chinaport.gov.cn/ceb"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
DXP_NS = "http://www.chinaport.gov.cn/dxp"
IMPORT_XSD = "ceb-import-202205.xsd"
EXPORT_XSD = "ceb-export-202205.xsd"
# Messages of the export schema; every other CEB message is in the import schema.
EXPORT_MESSAGES = frozenset(
    {
        "CEB213",
        "CEB214",
        "CEB215",
        "CEB216",
        "CEB303",
        "CEB304",
        "CEB403",
        "CEB404",
        "CEB505",
        "CEB506",
        "CEB507",
        "CEB508",
        "CEB509",
        "CEB510",
        "CEB603",
        "CEB604",
        "CEB605",
        "CEB606",
        "CEB607",
        "CEB608",
        "CEB701",
        "CEB702",
        "CEB792",
    }
)
# A message with thousands of problems is answered with the first ones (one per document of a full
# message), which a CEB900's 5000 characters cut further.
MAX_PROBLEMS = 100

_PREFIXES = {CEB_NS: "ceb", DS_NS: "ds", DXP_NS: "dxp"}
_CLARK_NAME = re.compile(r"\{([^}]*)\}([\w.-]+)")


@dataclass(frozen=True)
class SchemaProblem:
    """One thing the XSD refused: where (line, element as `ceb:name`) and why (libxml2's words)."""

    line: int
    element: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}: element '{self.element}'" if self.element else f"line {self.line}"
        return f"{where}: {self.reason}"


def schema_dir() -> Path:
    """Folder of the official XSDs: $CEB_SCHEMA_DIR, else the shared folder next to the repository."""
    configured = os.environ.get("CEB_SCHEMA_DIR")
    if configured:
        return Path(configured)
    repo_root = Path(__file__).resolve().parent.parent
    return repo_root.parent / "shared" / "ceb" / "xsd"


@lru_cache(maxsize=4)
def _load_schema(folder: str, name: str = IMPORT_XSD) -> etree.XMLSchema:
    path = Path(folder) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"CEB schema not found at {path}; set CEB_SCHEMA_DIR to the folder holding {name}"
        )
    # Local files only: the xmldsig import sits next to the CEB schema, nothing is fetched.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.XMLSchema(etree.parse(str(path), parser))


def schema_name(message_type: str) -> str:
    """The XSD file that declares a message type ("CEB311" or "CEB311Message")."""
    return EXPORT_XSD if message_type.removesuffix("Message") in EXPORT_MESSAGES else IMPORT_XSD


# lxml keeps a schema's error log on the schema object, so validations must not interleave.
_schema_lock = threading.Lock()


def validate(root: etree._Element, message_type: str) -> list[SchemaProblem]:
    """Problems of the message `root` against the XSD of `message_type`; [] when it is valid.

    Raises FileNotFoundError (naming CEB_SCHEMA_DIR) when the XSDs are not where they are looked for:
    without them no message can be checked, and none is taken unchecked.
    """
    if message_type.removesuffix("Message") in EXPORT_MESSAGES:
        _drop_repeated_transfers(root)
    schema = _load_schema(str(schema_dir().resolve()), schema_name(message_type))
    with _schema_lock:
        if schema.validate(root):
            return []
        errors = list(schema.error_log)[:MAX_PROBLEMS]
    return [_problem(error.line, error.message) for error in errors]


def _drop_repeated_transfers(root: etree._Element) -> None:
    """The official export samples repeat an identical BaseTransfer, which the XSD does not allow: the
    repeats are dropped (from the tree, which is read afterwards) so the samples pass; differing ones
    stay, to be refused."""
    transfers = root.findall(f"{{{CEB_NS}}}BaseTransfer")

    def content(transfer: etree._Element) -> list[tuple[object, str]]:
        return [(child.tag, (child.text or "").strip()) for child in transfer]

    for repeat in transfers[1:]:
        if content(repeat) == content(transfers[0]):
            root.remove(repeat)


def envelope_of(root: etree._Element) -> tuple[str, str]:
    """(CopMsgId, MsgType) of a DxpMsg envelope, ("", "") for any other root: a CEB900 names the
    message it answers by the envelope's id when there is one."""
    if root.tag != f"{{{DXP_NS}}}DxpMsg":
        return "", ""
    info = f"{{{DXP_NS}}}TransInfo/{{{DXP_NS}}}"
    return (root.findtext(info + "CopMsgId") or "").strip(), (root.findtext(info + "MsgType") or "").strip()


def _problem(line: int, message: str) -> SchemaProblem:
    # libxml2 says "Element '{uri}name': reason"; partners know the element as ceb:name.
    message = _CLARK_NAME.sub(
        lambda m: f"{_PREFIXES[m.group(1)]}:{m.group(2)}" if m.group(1) in _PREFIXES else m.group(0), message
    )
    element, reason = "", message
    if message.startswith("Element '"):
        element, _, reason = message.removeprefix("Element '").partition("': ")
    reason = " ".join(reason.split())
    return SchemaProblem(line, element, reason if reason.endswith(".") else reason + ".")
