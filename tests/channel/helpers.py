"""Posting CEB messages of the exchange and reading their receipts."""

from lxml import etree

from declarations import ceb

from ..ceb_messages import ceb_message
from ..conftest import assert_valid_ceb


def post(client, message_type: str, documents: list[dict]) -> list[dict[str, str]]:
    """Post a message; check the answer is its receipt, valid against the XSD; its returns as dicts."""
    answer = client.post("/api/v1/ceb/", ceb_message(message_type, documents), content_type="application/xml")
    assert answer.status_code == 200, answer.content[:800]
    assert_valid_ceb(answer.content)
    root = etree.fromstring(answer.content)
    assert root.tag == f"{{{ceb.CEB_NS}}}{ceb.receipt_type_for(message_type)}Message"
    return [{etree.QName(child).localname: child.text or "" for child in element} for element in root]
