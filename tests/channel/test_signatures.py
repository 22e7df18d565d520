"""Signatures of CEB messages (DOMAIN 1.6): RSA-SHA1 and SM2-SM3 (both URIs) verified against the
certificate the sending enterprise registered; tampering, missing signatures, expired or retired
certificates and another enterprise's identity refused with their codes; certificates registered,
listed and retired by page and API, audited, each enterprise seeing only its own."""

import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from lxml import etree

from declarations import ceb, dxp
from sharing.certificates import CertificateError, parse_key
from sharing.models import AuditEvent, EnterpriseCertificate
from tests.factories import EnterpriseFactory, MembershipFactory

from ..conftest import assert_valid_ceb
from .conftest import register
from .signing import (
    SM2_SM3_CHINAPORT,
    SM2_SM3_W3,
    RsaSigner,
    Sm2Signer,
    dxp_text,
    envelope,
    sign,
    unwrap,
    with_sender,
)

LIST = "import/CEB621Message.xml"


def post(client, body: bytes):
    return client.post("/api/v1/ceb/", body, content_type="application/xml")


def receipts(xml: bytes) -> list[tuple[str, str]]:
    assert_valid_ceb(xml)
    root = etree.fromstring(xml)
    return [
        (r.findtext(f"{{{ceb.CEB_NS}}}returnStatus"), r.findtext(f"{{{ceb.CEB_NS}}}returnInfo"))
        for r in root
        if r.find(f"{{{ceb.CEB_NS}}}returnStatus") is not None
    ]


def ceb900(answer) -> dict[str, str]:
    assert answer.status_code == 400, answer.content[:500]
    root = etree.fromstring(answer.content)
    if root.tag == f"{{{dxp.DXP_NS}}}DxpMsg":
        root = etree.fromstring(unwrap(root))
    assert_valid_ceb(etree.tostring(root))
    return {etree.QName(child).localname: child.text or "" for child in root[0]}


@pytest.fixture
def inventory(world, samples) -> bytes:
    """The official CEB621 sample as the world's seller sends it (unsigned: its sample signature gone)."""
    return with_sender((samples / LIST).read_bytes(), cop_code=world.seller.customs_code)


def expire(certificate, ago: timedelta) -> None:
    """Time passes: the certificate's validity ended `ago`."""
    EnterpriseCertificate.objects.filter(pk=certificate.pk).update(not_after=timezone.now() - ago)


def statuses_of(answer) -> set[str]:
    assert answer.status_code == 200, answer.content[:500]
    return {status for status, _info in receipts(answer.content)}


# --- verification -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: RsaSigner(),
        lambda: Sm2Signer(method=SM2_SM3_CHINAPORT),
        lambda: Sm2Signer(method=SM2_SM3_W3),
    ],
    ids=["rsa-sha1", "sm2-sm3-chinaport", "sm2-sm3-w3"],
)
def test_a_signed_list_passes_the_signature_check(world, required, inventory, make):
    signer = make()
    register(world.seller, signer)
    statuses = statuses_of(post(world.client("seller"), sign(inventory, signer)))
    assert statuses and not statuses & {"-621028", "-621029", "-10102"}


def test_an_sm2_public_key_without_certificate_verifies_by_its_keyname(world, required, inventory):
    signer = Sm2Signer()
    register(world.seller, signer, pem=signer.public_pem, key_name="CARD-0001")
    signer.key_name = "CARD-0001"
    statuses = statuses_of(post(world.client("seller"), sign(inventory, signer, with_certificate=False)))
    assert statuses and not statuses & {"-621028", "-621029"}


def test_a_sha1_digest_under_the_sm3_uri_is_read_as_real_messages_use_it(world, required, inventory):
    signer = Sm2Signer()
    register(world.seller, signer)
    signer.digest_method = "http://www.w3.org/2000/09/xmldsig#sha1"  # computed as SHA-1 ...
    signed = sign(inventory, signer)
    # ... and labelled SM3, as the 2023 message the e-port accepted was
    signed = signed.replace(
        b"http://www.w3.org/2000/09/xmldsig#sha1", b"http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
    )
    # (the label is inside SignedInfo, so sign SignedInfo again over the relabelled digest method)
    root = etree.fromstring(signed)
    signature = root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    signed_info = signature.find("{http://www.w3.org/2000/09/xmldsig#}SignedInfo")
    signature.find("{http://www.w3.org/2000/09/xmldsig#}SignatureValue").text = base64.b64encode(
        signer.sign_value(etree.tostring(signed_info, method="c14n"))
    ).decode()
    statuses = statuses_of(post(world.client("seller"), etree.tostring(root)))
    assert statuses and not statuses & {"-621028", "-621029"}


def test_a_list_changed_after_signing_is_refused_621028(world, required, inventory):
    signer = RsaSigner()
    register(world.seller, signer)
    tampered = sign(inventory, signer).replace(b"<ceb:buyerName>", b"<ceb:buyerName>X", 1)
    answer = post(world.client("seller"), tampered)
    assert statuses_of(answer) == {"-621028"}
    assert all("1004" in info for _status, info in receipts(answer.content))


def test_a_forged_signature_value_is_refused_621029(world, required, inventory):
    signer, forger = RsaSigner(), RsaSigner()
    register(world.seller, signer)
    forger.der, forger.key_name = signer.der, signer.key_name  # names the registered certificate
    assert statuses_of(post(world.client("seller"), sign(inventory, forger))) == {"-621029"}


def test_an_sm2_signature_by_another_key_is_refused_621029(world, required, inventory):
    signer, forger = Sm2Signer(), Sm2Signer()
    register(world.seller, signer)
    forger.der, forger.key_name = signer.der, signer.key_name
    assert statuses_of(post(world.client("seller"), sign(inventory, forger))) == {"-621029"}


def test_an_unsigned_list_is_refused_when_signatures_are_required(world, required, inventory):
    from declarations.models import InventoryList

    answer = post(world.client("seller"), inventory)
    assert statuses_of(answer) == {"-621029"}
    assert not InventoryList.objects.exists()


def test_an_unregistered_certificate_is_refused(world, required, inventory):
    assert statuses_of(post(world.client("seller"), sign(inventory, RsaSigner()))) == {"-621029"}


def test_an_expired_or_retired_certificate_is_refused(world, required, inventory):
    signer = RsaSigner()
    certificate = register(world.seller, signer)
    expire(certificate, timedelta(days=1))
    answer = post(world.client("seller"), sign(inventory, signer))
    assert statuses_of(answer) == {"-621029"}
    assert all("1002" in info for _status, info in receipts(answer.content))


def test_a_copcode_of_another_enterprise_is_refused_10102(world, required, samples):
    signer = RsaSigner()
    register(world.seller, signer)
    message = sign(with_sender((samples / LIST).read_bytes(), cop_code=world.platform.customs_code), signer)
    assert statuses_of(post(world.client("seller"), message)) == {"-10102"}


def test_another_enterprises_certificate_is_refused_10102(world, required, inventory):
    signer = RsaSigner()
    register(world.platform, signer)  # the platform's card, used by the seller's system
    assert statuses_of(post(world.client("seller"), sign(inventory, signer))) == {"-10102"}


# --- the envelope's own signature and address ------------------------------------------------------------


def test_a_signed_envelope_verifies_and_a_tampered_one_gets_a_ceb900(world, required, inventory):
    signer = RsaSigner()
    register(world.seller, signer)
    body = envelope(sign(inventory, signer), msg_type="CEB621Message", signer=signer, cop_msg_id="COP-ENV")
    answer = post(world.client("seller"), body)
    assert answer.status_code == 200
    assert dxp_text(etree.fromstring(answer.content), "TransInfo/MsgType") == "CEB622Message"

    changed = body.replace(b"<dxp:FileName>test.xml", b"<dxp:FileName>other.xml")
    receipt = ceb900(post(world.client("seller"), changed))
    assert receipt["returnStatus"] == "-1004" and receipt["oriCopMsgId"] == "COP-ENV"

    forger = RsaSigner()
    forger.der, forger.key_name = signer.der, signer.key_name
    forged = envelope(sign(inventory, signer), msg_type="CEB621Message", signer=forger, cop_msg_id="COP-ENV")
    assert ceb900(post(world.client("seller"), forged))["returnStatus"] == "-1001"


def test_an_envelope_signed_with_an_expired_certificate_gets_1002(world, required, inventory):
    signer = RsaSigner()
    certificate = register(world.seller, signer)
    body = envelope(sign(inventory, signer), msg_type="CEB621Message", signer=signer)
    expire(certificate, timedelta(hours=1))
    assert ceb900(post(world.client("seller"), body))["returnStatus"] == "-1002"


def test_a_senderid_not_registered_for_the_enterprise_gets_2002(world, required, inventory):
    signer = RsaSigner()
    register(world.seller, signer, dxp_id="DXPENT0000000042")
    dxp_id = "DXPENT0000000042"
    message = sign(with_sender(inventory, cop_code=world.seller.customs_code, dxp_id=dxp_id), signer)
    good = post(world.client("seller"), envelope(message, msg_type="CEB621Message", sender_id=dxp_id))
    assert good.status_code == 200
    stranger = envelope(message, msg_type="CEB621Message", sender_id="DXPENT0000000999")
    bad = post(world.client("seller"), stranger)
    receipt = ceb900(bad)
    assert receipt["returnStatus"] == "-2002" and "SenderId" in receipt["returnInfo"]


# --- certificates: parsing ---------------------------------------------------------------------------------


def test_certificates_and_public_keys_of_both_algorithms_are_read():
    rsa_signer, sm2_signer = RsaSigner(serial=0xABC), Sm2Signer(serial=0x123)
    rsa_cert = parse_key(rsa_signer.pem)
    assert (rsa_cert.algorithm, rsa_cert.serial, rsa_cert.is_certificate) == ("rsa", "ABC", True)
    sm2_cert = parse_key(sm2_signer.pem)
    assert (sm2_cert.algorithm, sm2_cert.serial) == ("sm2", "123")
    assert sm2_cert.public_key == sm2_signer.point and sm2_cert.not_after is not None
    sm2_key = parse_key(sm2_signer.public_pem)
    assert (sm2_key.algorithm, sm2_key.is_certificate, sm2_key.public_key) == ("sm2", False, sm2_signer.point)
    with pytest.raises(CertificateError):
        parse_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(CertificateError):
        parse_key("not a certificate")


# --- certificates: API and page --------------------------------------------------------------------------


def test_the_api_registers_lists_and_retires_certificates_audited_and_scoped(world):
    seller, platform = world.client("seller"), world.client("platform")
    signer = Sm2Signer()
    data = {"certificate": signer.pem, "dxp_id": "DXPENT0000000042"}
    created = seller.post("/api/v1/certificates/", data, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["algorithm"], body["key_name"], body["status"]) == ("sm2", signer.key_name, "active")
    assert AuditEvent.objects.filter(action="certificate.registered", object_id=str(body["id"])).exists()

    again = seller.post("/api/v1/certificates/", {"certificate": signer.pem}, format="json")
    assert again.status_code == 400 and "key_name" in again.json()["fields"]
    bad = seller.post("/api/v1/certificates/", {"certificate": "garbage"}, format="json")
    assert bad.status_code == 400 and "certificate" in bad.json()["fields"]
    keyless = seller.post("/api/v1/certificates/", {"certificate": signer.public_pem}, format="json")
    assert keyless.status_code == 400 and "key_name" in keyless.json()["fields"]

    assert [c["id"] for c in seller.get("/api/v1/certificates/").json()["results"]] == [body["id"]]
    # another enterprise neither sees nor retires it
    assert platform.get("/api/v1/certificates/").json()["results"] == []
    assert platform.get(f"/api/v1/certificates/{body['id']}/").status_code == 404
    assert platform.post(f"/api/v1/certificates/{body['id']}/retire/").status_code == 404

    retired = seller.post(f"/api/v1/certificates/{body['id']}/retire/")
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert AuditEvent.objects.filter(action="certificate.retired", object_id=str(body["id"])).exists()
    # the same key may be registered again once the old one is retired (rotation back)
    assert seller.post("/api/v1/certificates/", {"certificate": signer.pem}, format="json").status_code == 201


def test_the_api_refuses_anonymous_callers(api):
    assert api.get("/api/v1/certificates/").status_code in (401, 403)


def test_a_retired_certificate_no_longer_verifies(world, required, inventory):
    signer = RsaSigner()
    certificate = register(world.seller, signer)
    world.client("seller").post(f"/api/v1/certificates/{certificate.pk}/retire/")
    answer = post(world.client("seller"), sign(inventory, signer))
    assert statuses_of(answer) == {"-621029"}
    assert all("1002" in info for _status, info in receipts(answer.content))


def test_the_page_registers_and_retires_in_both_languages(client, enterprise_admin, enterprise):
    client.force_login(enterprise_admin)
    other = EnterpriseFactory()
    other_certificate = register(other, RsaSigner(serial=0x777777))
    signer = RsaSigner()
    page = client.get("/enterprise/certificates/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "Signing certificates" in page.content.decode()
    form = {"certificate": signer.pem, "key_name": "", "dxp_id": ""}
    answer = client.post("/enterprise/certificates/", form)
    assert answer.status_code == 302
    certificate = EnterpriseCertificate.objects.get(enterprise=enterprise)
    page = client.get("/enterprise/certificates/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "签名证书" in page.content.decode() and signer.key_name in page.content.decode()
    assert "777777" not in page.content.decode()  # another enterprise's certificate is not listed
    bad = client.post("/enterprise/certificates/", {"certificate": "garbage"})
    assert bad.status_code == 200 and "证书" in bad.content.decode()
    assert client.post(f"/enterprise/certificates/{other_certificate.pk}/retire/").status_code == 404
    assert client.post(f"/enterprise/certificates/{certificate.pk}/retire/").status_code == 302
    certificate.refresh_from_db()
    other_certificate.refresh_from_db()
    assert (certificate.status, other_certificate.status) == ("retired", "active")


def test_a_member_who_is_not_an_administrator_cannot_open_the_page(client, enterprise):
    member = MembershipFactory(enterprise=enterprise, role="staff").user
    client.force_login(member)
    assert client.get("/enterprise/certificates/").status_code in (302, 403)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
        "-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----",
        "-----BEGIN PUBLIC KEY-----\nMAMGAQA=\n-----END PUBLIC KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----",
        "MIIB" + "A" * 40,
        "证书",
    ],
)
def test_broken_certificates_are_refused_naming_the_field_never_a_server_error(world, text):
    answer = world.client("seller").post("/api/v1/certificates/", {"certificate": text}, format="json")
    assert answer.status_code == 400
    assert "certificate" in answer.json()["fields"]


def test_truncated_der_of_real_certificates_is_refused(world):
    for der in (RsaSigner().der, Sm2Signer().der):
        for cut in (3, 40, len(der) // 2, len(der) - 5):
            with pytest.raises(CertificateError):
                parse_key(base64.b64encode(der[:cut]).decode())


def test_an_sm2_signed_envelope_around_an_sm2_signed_list_verifies(world, required, inventory):
    signer = Sm2Signer(method=SM2_SM3_W3)
    register(world.seller, signer)
    body = envelope(sign(inventory, signer), msg_type="CEB621Message", signer=signer)
    answer = post(world.client("seller"), body)
    assert answer.status_code == 200, answer.content[:500]
    statuses = {s for s, _info in receipts(unwrap(etree.fromstring(answer.content)))}
    assert statuses and not statuses & {"-621028", "-621029", "-10102"}


def test_rotation_the_new_certificate_verifies_before_and_after_the_old_is_retired(
    world, required, inventory
):
    old, new = RsaSigner(serial=0x01), Sm2Signer(serial=0x02)
    old_certificate = register(world.seller, old)
    register(world.seller, new)
    for signer in (old, new):  # both active during the change-over
        assert "-621029" not in statuses_of(post(world.client("seller"), sign(inventory, signer)))
    world.client("seller").post(f"/api/v1/certificates/{old_certificate.pk}/retire/")
    assert statuses_of(post(world.client("seller"), sign(inventory, old))) == {"-621029"}
    assert "-621029" not in statuses_of(post(world.client("seller"), sign(inventory, new)))
