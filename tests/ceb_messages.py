"""CEB declaration messages for tests, built as partners must send them: every element where the
official XSD puts it, a placeholder `ds:Signature` where the XSD requires one.

Documents are the snake_case dicts of the JSON API (`items` holds the lines); keys the message has no
element for (`warehouse_code` of an export list) are left out, and so are empty optional values.
The element order is read from the XSD itself, so a test cannot drift from the schema.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import pytest
from lxml import etree

from declarations import ceb

XS = "{http://www.w3.org/2001/XMLSchema}"
BASE_TRANSFER = {
    "cop_code": "3301960001",
    "cop_name": "测试",
    "dxp_mode": "DXP",
    "dxp_id": "DXPENT0000000001",
}
# Well-formed and schema-valid, not a real signature: the portal checks none without a configured key.
SIGNATURE = f"""<ds:Signature xmlns:ds="{ceb.DS_NS}"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315"/>
<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>
<ds:Reference URI=""><ds:Transforms>
<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></ds:Transforms>
<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>
<ds:DigestValue>AAAAAAAAAAAAAAAAAAAAAAAAAAA=</ds:DigestValue></ds:Reference></ds:SignedInfo>
<ds:SignatureValue>AAAA</ds:SignatureValue><ds:KeyInfo><ds:KeyName>00000000</ds:KeyName></ds:KeyInfo>
</ds:Signature>"""


@cache
def _xsd(message_type: str) -> etree._Element:
    path = ceb.schema_dir() / (ceb.EXPORT_XSD if message_type in ceb.EXPORT_MESSAGES else ceb.IMPORT_XSD)
    if not path.is_file() and not os.environ.get("CI"):
        # As conftest.assert_valid_ceb: a clone without the shared schemas skips, CI must have them.
        pytest.skip(f"the official CEB schemas are not beside the repository ({path})")
    return etree.parse(str(path)).getroot()


def _sequence(xsd: etree._Element, element: etree._Element) -> list[etree._Element]:
    """The declarations of `element`'s children, in order; a `ref` is followed to its global element."""
    if element.get("ref"):
        element = xsd.find(f"{XS}element[@name='{element.get('ref').split(':')[-1]}']")
    sequence = element.find(f"{XS}complexType/{XS}sequence")
    return [] if sequence is None else list(sequence.iterchildren(f"{XS}element"))


def _name(declaration: etree._Element) -> str:
    return (declaration.get("name") or declaration.get("ref")).split(":")[-1]


def _required(declaration: etree._Element) -> bool:
    return declaration.get("minOccurs") != "0"


def _fill(xsd: etree._Element, parent: etree._Element, declaration: etree._Element, values: dict) -> None:
    """`parent` gets one child per field of `declaration`, in XSD order."""
    for field in _sequence(xsd, declaration):
        name = _name(field)
        value = values.get(ceb.to_snake(name))
        if value is None or (value == "" and not _required(field)):
            continue
        etree.SubElement(parent, f"{{{ceb.CEB_NS}}}{name}").text = str(value)


def ceb_message(
    message_type: str,
    documents: list[dict[str, Any]],
    *,
    guid: str = "A" * 36,
    base_transfer: dict[str, str] | None = None,
    signed: bool | None = None,
) -> bytes:
    """A CEB311/411/.../603 message of `documents`; signed when the XSD requires it (or `signed`)."""
    message_type = message_type.removesuffix("Message")
    xsd = _xsd(message_type)
    root_declaration = xsd.find(f"{XS}element[@name='{message_type}Message']")
    parts = {_name(part): part for part in _sequence(xsd, root_declaration)}
    root = etree.Element(
        f"{{{ceb.CEB_NS}}}{message_type}Message", nsmap={"ceb": ceb.CEB_NS}, guid=guid, version="1.0"
    )
    document_declaration = next(iter(parts.values()))
    for document in documents:
        holder = etree.SubElement(root, f"{{{ceb.CEB_NS}}}{_name(document_declaration)}")
        children = _sequence(xsd, document_declaration)
        if not _sequence(xsd, children[0]):  # a flat document: its fields are its children
            _fill(xsd, holder, document_declaration, document)
            continue
        head = etree.SubElement(holder, f"{{{ceb.CEB_NS}}}{_name(children[0])}")
        _fill(xsd, head, children[0], document)
        for item in document.get("items", []):
            line = etree.SubElement(holder, f"{{{ceb.CEB_NS}}}{_name(children[1])}")
            _fill(xsd, line, children[1], item)
    transfer = etree.SubElement(root, f"{{{ceb.CEB_NS}}}BaseTransfer")
    _fill(xsd, transfer, parts["BaseTransfer"], base_transfer or BASE_TRANSFER)
    if signed if signed is not None else _required(parts["Signature"]):
        # Import messages end with the signature; export ones put it before an ExtendMessage, which
        # these messages never carry, so last is right for both.
        root.append(etree.fromstring(SIGNATURE))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
