"""Test data: factory_boy factories for users, enterprises and memberships, officials by agency, and
ClearanceWorld, the approved parties with keys, licence and guarantee a declaration needs, and the
helpers to declare and clear their documents (the `world` fixture of tests/conftest.py is one)."""

import factory
from django.contrib.auth import get_user_model

from sharing.choices import EnterpriseRole, EnterpriseStatus, MemberRole
from sharing.identifiers import uscc_with_check_character
from sharing.models import Agency, Enterprise, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-for-tests-1")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    customs_code = factory.Sequence(lambda n: f"33019{n:05d}")
    uscc = factory.LazyAttribute(lambda e: uscc_with_check_character(f"91330100MA2T{e.customs_code[-5:]}"))
    name_zh = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    name_en = factory.Sequence(lambda n: f"Test Enterprise {n} Co.")
    roles = factory.LazyFunction(lambda: [EnterpriseRole.ECOMMERCE])
    status = EnterpriseStatus.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    enterprise = factory.SubFactory(EnterpriseFactory)
    role = MemberRole.ADMIN


def official(agency_code: str, username: str | None = None):
    """A user who is an official of the agency with this code."""
    user = UserFactory(username=username or f"{agency_code}-official")
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency_code), role=MemberRole.STAFF)
    return user


class ClearanceWorld:
    """Approved parties of every role with keys, a licence and a guarantee: what a declaration needs."""

    def __init__(self, guarantee: str = "100000.00"):
        from datetime import date

        from finance.models import TaxGuarantee
        from sharing.models import PaymentLicence
        from sharing.services import api_key_issue
        from singlewindow.generator import Parties

        self.platform = EnterpriseFactory(roles=["platform"], name_zh="测试平台")
        self.seller = EnterpriseFactory(roles=["ecommerce"], name_zh="测试电商")
        self.logistics = EnterpriseFactory(roles=["logistics"], name_zh="测试物流")
        self.payment = EnterpriseFactory(roles=["payment"], name_zh="测试支付")
        self.warehouse = EnterpriseFactory(roles=["warehouse"], name_zh="测试保税仓")
        PaymentLicence.objects.create(
            pay_code=self.payment.customs_code, licence_no="Z2026001", valid_until=date(2099, 12, 31)
        )
        self.guarantee = TaxGuarantee.objects.create(assure_code=self.seller.customs_code, amount=guarantee)
        self.keys = {}
        for name in ("platform", "seller", "logistics", "payment", "warehouse"):
            _key, plain = api_key_issue(enterprise=getattr(self, name), name="tests")
            self.keys[name] = plain
        self.parties = Parties(
            platform=(self.platform.customs_code, self.platform.name_zh),
            seller=(self.seller.customs_code, self.seller.name_zh),
            logistics=(self.logistics.customs_code, self.logistics.name_zh),
            payment=(self.payment.customs_code, self.payment.name_zh),
            warehouse=(self.warehouse.customs_code, self.warehouse.name_zh),
        )

    def client(self, name: str):
        from rest_framework.test import APIClient

        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {self.keys[name]}")
        return client

    def declaration(self, number: int, **kwargs) -> dict[str, dict]:
        from django.utils import timezone

        from finance import selectors
        from singlewindow.generator import declaration

        today = timezone.localdate()
        return declaration(
            number,
            self.parties,
            rates=selectors.rates_in_force(today),
            limits=selectors.limits_in_force(today),
            **kwargs,
        )

    POSTER = {
        "order": ("platform", "/api/v1/orders/"),
        "payment": ("payment", "/api/v1/payments/"),
        "waybill": ("logistics", "/api/v1/waybills/"),
        "inventory": ("seller", "/api/v1/inventories/"),
    }

    def post(self, kind: str, documents):
        who, url = self.POSTER[kind]
        return self.client(who).post(url, documents, format="json")

    def declare(self, docs: dict[str, dict], order=("order", "payment", "waybill", "inventory")) -> dict:
        return {kind: self.post(kind, docs[kind]) for kind in order}

    def clear(self, docs: dict[str, dict], capture, order=("order", "payment", "waybill", "inventory")):
        """Declare the documents and run what their commits send (pass `django_capture_on_commit_callbacks`,
        Celery is eager): the list as the pipeline left it."""
        from declarations.models import InventoryList

        with capture(execute=True):
            self.declare(docs, order=order)
        return InventoryList.objects.get(cop_no=docs["inventory"]["cop_no"])

    def declare_restricted(self, number: int, capture):
        """A list whose goods are on the watch list (RESTRICTED_GOODS, weight 60 = the hold threshold).

        The watch list is widened to the generator's goods, so the held list is otherwise clean and the
        agencies release it once an official lets it go on.
        """
        from risk.models import RiskRule

        RiskRule.objects.filter(code="RESTRICTED_GOODS", current=True).update(
            parameters={"prefixes": ["33", "04", "19", "42", "61", "64", "85", "95", "96"]}
        )
        return self.clear(self.declaration(number, lines=1), capture)

    EXPORT_URLS = {
        "export_order": "/api/v1/export-orders/",
        "receipt_of_payment": "/api/v1/receipts-of-payment/",
        "export_waybill": "/api/v1/export-waybills/",
        "export_inventory": "/api/v1/export-inventories/",
    }

    def export(self, number: int, **kwargs) -> dict[str, dict]:
        from singlewindow.generator import export_declaration

        return export_declaration(number, self.parties, **kwargs)

    def declare_export(self, docs: dict[str, dict], kinds=tuple(EXPORT_URLS)) -> dict:
        """Post an export's documents, each by the party that files it (B2B orders by the exporter)."""
        who = {
            "export_order": "platform" if docs["export_order"]["order_type"] == "E" else "seller",
            "receipt_of_payment": "payment",
            "export_waybill": "logistics",
            "export_inventory": "seller",
        }
        return {
            kind: self.client(who[kind]).post(self.EXPORT_URLS[kind], docs[kind], format="json")
            for kind in kinds
            if kind in docs
        }
