"""The benchmark's world: approved parties with API keys, a licence, a guarantee and a stocked bonded
warehouse."""


def seed() -> tuple[object, dict[str, str]]:
    """Approved parties with keys, a licence and a large guarantee; returns the world and the keys."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from datetime import date

    from finance.models import TaxGuarantee
    from sharing.models import Enterprise, PaymentLicence
    from singlewindow.generator import stocked_bonded_warehouse

    def enterprise(code: str, name: str, role: str) -> Enterprise:
        from sharing.identifiers import uscc_with_check_character

        return Enterprise.objects.create(
            customs_code=code,
            uscc=uscc_with_check_character(f"91330100MA2B{code[-5:]}"),
            name_zh=name,
            roles=[role],
            status="approved",
        )

    platform = enterprise("3301970001", "基准平台", "platform")
    seller = enterprise("3301970002", "基准电商", "ecommerce")
    logistics = enterprise("3301970003", "基准物流", "logistics")
    payment = enterprise("3301970004", "基准支付", "payment")
    warehouse = enterprise("3301970005", "基准保税仓", "warehouse")
    PaymentLicence.objects.create(
        pay_code=payment.customs_code, licence_no="BENCH", valid_until=date(2099, 1, 1)
    )
    TaxGuarantee.objects.create(assure_code=seller.customs_code, amount="1000000000.00")
    # A bonded warehouse stocked with every SKU the generator sells, under the generator's account book.
    stocked_bonded_warehouse(
        warehouse, seller.customs_code, code="WBENCH01", name="基准保税仓", quantity=10**7
    )
    return with_keys(platform, seller, logistics, payment, warehouse)


def with_keys(platform, seller, logistics, payment, warehouse) -> tuple[object, dict[str, str]]:
    """The generator's parties of these enterprises, and a new API key for each party that declares."""
    from sharing.services import api_key_issue
    from singlewindow.generator import Parties

    keys = {
        name: api_key_issue(enterprise=e, name="bench")[1]
        for name, e in (
            ("platform", platform),
            ("seller", seller),
            ("logistics", logistics),
            ("payment", payment),
        )
    }
    parties = Parties(
        platform=(platform.customs_code, platform.name_zh),
        seller=(seller.customs_code, seller.name_zh),
        logistics=(logistics.customs_code, logistics.name_zh),
        payment=(payment.customs_code, payment.name_zh),
        warehouse=(warehouse.customs_code, warehouse.name_zh),
    )
    return parties, keys
