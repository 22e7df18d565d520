"""Reference data of the risk system: the rules' first versions and reference prices [I: indicative]."""

REFERENCE_PRICES = [
    ("3304", "Skin care and make-up", "180.00"),
    ("0402", "Milk powder", "200.00"),
    ("1901", "Infant food", "80.00"),
    ("6109", "T-shirts", "90.00"),
    ("6403", "Leather shoes", "450.00"),
    ("8518", "Headphones", "500.00"),
    ("9503", "Toys", "250.00"),
    ("9619", "Diapers", "120.00"),
    ("4202", "Handbags", "900.00"),
    ("9102", "Wrist watches", "2000.00"),
]


def load(apps) -> None:
    from risk.rules import REGISTRY

    RiskRule = apps.get_model("risk", "RiskRule")
    ReferencePrice = apps.get_model("risk", "ReferencePrice")
    for spec in REGISTRY.values():
        if not RiskRule.objects.filter(code=spec.code).exists():
            RiskRule.objects.create(
                code=spec.code,
                version=1,
                name=spec.name,
                description=spec.description,
                weight=spec.weight,
                parameters=spec.parameters,
                enabled=True,
                current=True,
            )
    for prefix, description, price in REFERENCE_PRICES:
        ReferencePrice.objects.update_or_create(
            hs_prefix=prefix, defaults={"description": description, "unit_price": price}
        )
