"""The DxpMsg envelope on /api/v1/ceb/ (DOMAIN 1.2): the official samples, signed by a partner and
wrapped, are answered with a receipt wrapped and signed by the portal; a malformed envelope or payload
with a CEB900 naming the envelope's CopMsgId."""

import base64

import pytest
from cryptography.exceptions import InvalidSignature
from lxml import etree

from declarations import ceb, dxp

from ..conftest import assert_valid_ceb
from .conftest import register
from .signing import (
    DXP,
    RsaSigner,
    dxp_text,
    envelope,
    sign,
    unwrap,
    verify_portal_envelope,
    verify_portal_header,
    with_sender,
)

# sample -> (who posts it, the receipt that answers it)
SAMPLED = {
    "import/CEB311Message.xml": ("platform", "CEB312Message"),
    "import/CEB411Message.xml": ("payment", "CEB412Message"),
    "import/CEB511Message.xml": ("logistics", "CEB512Message"),
    "import/CEB513Message.xml": ("logistics", "CEB514Message"),
    "import/CEB621Message.xml": ("seller", "CEB622Message"),
    "import/CEB623Message.xml": ("seller", "CEB624Message"),
    "import/CEB625Message.xml": ("seller", "CEB626Message"),
    "export/CEB303Message.xml": ("platform", "CEB304Message"),
    "export/CEB403Message.xml": ("seller", "CEB404Message"),
    "export/CEB505Message.xml": ("logistics", "CEB506Message"),
    "export/CEB603Message.xml": ("seller", "CEB604Message"),
}
SIGNATURE_CODES = {"-621028", "-621029", "-10102"}


def post(client, body: bytes):
    return client.post("/api/v1/ceb/", body, content_type="application/xml")


def assert_valid_dxp(xml: bytes) -> etree._Element:
    root = etree.fromstring(xml)
    assert dxp.validate_envelope(root) == []
    return root


def format_return(xml: bytes) -> dict[str, str]:
    assert_valid_ceb(xml)
    root = etree.fromstring(xml)
    assert root.tag == f"{{{ceb.CEB_NS}}}CEB900Message"
    (answer,) = root
    return {etree.QName(child).localname: child.text or "" for child in answer}


@pytest.mark.parametrize("sample", sorted(SAMPLED))
def test_a_signed_official_sample_in_a_dxpmsg_is_answered_in_a_signed_dxpmsg(
    world, required, samples, portal_certificate, sample
):
    who, receipt_type = SAMPLED[sample]
    enterprise = getattr(world, who)
    signer = RsaSigner()
    register(enterprise, signer)
    message = sign(with_sender((samples / sample).read_bytes(), cop_code=enterprise.customs_code), signer)
    msg_type = sample.split("/")[1].removesuffix(".xml")

    answer = post(world.client(who), envelope(message, msg_type=msg_type, cop_msg_id="COP-SAMPLE-1"))

    assert answer.status_code == 200, answer.content[:600]
    root = assert_valid_dxp(answer.content)
    verify_portal_envelope(answer.content, portal_certificate)
    export = sample.startswith("export/")
    assert dxp_text(root, "TransInfo/SenderId") == ("DXPEDCCEB0000003" if export else "DXPEDCCEB0000002")
    assert dxp_text(root, "TransInfo/ReceiverIds/ReceiverId") == "DXPENT0000000001"
    assert dxp_text(root, "TransInfo/MsgType") == receipt_type
    assert dxp_text(root, "TransInfo/CopMsgId") not in ("", "COP-SAMPLE-1")
    receipt = unwrap(root)
    assert_valid_ceb(receipt)
    receipt_root = etree.fromstring(receipt)
    assert etree.QName(receipt_root).localname == receipt_type
    statuses = {e.text for e in receipt_root.iter(f"{{{ceb.CEB_NS}}}returnStatus")}
    infos = " ".join(e.text or "" for e in receipt_root.iter(f"{{{ceb.CEB_NS}}}returnInfo"))
    # Past the signature check: whatever the documents' fate, it is not the signature's.
    assert statuses and not statuses & SIGNATURE_CODES, infos
    assert "签名" not in infos


def test_a_bare_message_gets_a_bare_receipt_signed_in_a_header(world, required, samples, portal_certificate):
    signer = RsaSigner()
    register(world.platform, signer)
    sample = (samples / "import/CEB311Message.xml").read_bytes()
    message = sign(with_sender(sample, cop_code=world.platform.customs_code), signer)
    answer = post(world.client("platform"), message)
    assert answer.status_code == 200
    assert etree.QName(etree.fromstring(answer.content)).localname == "CEB312Message"
    assert_valid_ceb(answer.content)
    verify_portal_header(answer, portal_certificate)
    # A receipt changed on the way no longer verifies.
    answer.content = answer.content.replace(b"<ceb:returnStatus>", b"<ceb:returnStatus>1")
    with pytest.raises(InvalidSignature):
        verify_portal_header(answer, portal_certificate)


def test_without_required_signatures_the_receipt_says_it_was_not_checked(world, samples):
    message = (samples / "import/CEB311Message.xml").read_bytes()
    answer = post(world.client("platform"), envelope(message, msg_type="CEB311Message"))
    assert answer.status_code == 200
    receipt = etree.fromstring(unwrap(assert_valid_dxp(answer.content)))
    infos = [e.text for e in receipt.iter(f"{{{ceb.CEB_NS}}}returnInfo")]
    assert infos and all("未验证签名" in info for info in infos)


def test_the_portal_certificate_is_public_and_matches_its_key(api):
    body = api.get("/api/v1/ceb/certificate/").json()
    assert body["signature_method"] == "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    assert body["certificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert body["public_key"].startswith("-----BEGIN PUBLIC KEY-----")
    assert body["key_name"]


ORDER = "import/CEB311Message.xml"


@pytest.mark.parametrize(
    ("change", "code", "words"),
    [
        # Data is xs:base64Binary: the DXP XSD refuses what is not base64
        ({"data": "this is not base64!"}, "0002", "dxp:Data"),
        ({"data": base64.b64encode(b"plain text, no XML").decode()}, "0001", "not XML"),
        ({"msg_type": "CEB411Message"}, "0001", "MsgType"),
        ({"sender_id": "S" * 20}, "0002", "SenderId"),
    ],
    ids=["bad-base64", "data-not-xml", "msgtype-mismatch", "envelope-xsd"],
)
def test_a_malformed_envelope_gets_a_ceb900_naming_its_copmsgid(world, samples, change, code, words):
    kwargs = {"msg_type": "CEB311Message", "cop_msg_id": "COP-BROKEN-7", **change}
    body = envelope((samples / ORDER).read_bytes(), **kwargs)
    answer = post(world.client("platform"), body)
    assert answer.status_code == 400
    root = assert_valid_dxp(answer.content)
    assert dxp_text(root, "TransInfo/MsgType") == "CEB900Message"
    receipt = format_return(unwrap(root))
    assert receipt["oriCopMsgId"] == "COP-BROKEN-7"
    assert receipt["returnStatus"] == f"-{code}"
    assert receipt["returnInfo"].startswith(code) and words in receipt["returnInfo"]


def test_a_payload_the_xsd_refuses_is_answered_0002_naming_the_envelope(world, samples):
    message = (samples / ORDER).read_bytes().replace(b"<ceb:orderNo>", b"<ceb:orderNumber>", 1)
    message = message.replace(b"</ceb:orderNo>", b"</ceb:orderNumber>", 1)
    answer = post(world.client("platform"), envelope(message, msg_type="CEB311Message", cop_msg_id="COP-XSD"))
    assert answer.status_code == 400
    receipt = format_return(unwrap(assert_valid_dxp(answer.content)))
    assert receipt["oriCopMsgId"] == "COP-XSD"
    assert receipt["returnStatus"] == "-0002"
    assert receipt["oriMessageType"] == "CEB311Message"


def test_a_bare_message_the_xsd_refuses_is_named_by_its_guid(world, samples):
    message = (samples / ORDER).read_bytes().replace(b"<ceb:orderNo>", b"<ceb:orderNumber>", 1)
    message = message.replace(b"</ceb:orderNo>", b"</ceb:orderNumber>", 1)
    answer = post(world.client("platform"), message)
    assert answer.status_code == 400
    receipt = format_return(answer.content)
    assert receipt["oriCopMsgId"] == etree.fromstring(message).get("guid")


def test_the_reply_envelope_is_addressed_back_to_the_sender(world, samples):
    body = envelope((samples / ORDER).read_bytes(), msg_type="CEB311Message", sender_id="DXPENT0000000777")
    root = assert_valid_dxp(post(world.client("platform"), body).content)
    assert dxp_text(root, "TransInfo/ReceiverIds/ReceiverId") == "DXPENT0000000777"
    assert root.tag == f"{{{DXP}}}DxpMsg" and root.get("ver") == "1.0"
