"""Reference data of the risk system: the rules' first versions and reference prices [I: indicative]."""

# SPLIT_ORDERS as first shipped: only lists between 4,500 and 5,000 counted, so four lists of 4,450 for
# one buyer (17,800 in all) went through. The rule now counts any list within the limit by default.
SPLIT_ORDERS_FIRST = {"window_hours": 24, "lower": "4500", "limit": "5000", "min_lists": 3}

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


def split_orders_widen(apps) -> None:
    """Give SPLIT_ORDERS its new defaults where it still has the first ones (idempotent).

    The seed as shipped, never changed by an official, takes them in place: it was no one's decision.
    A rule an official re-versioned with the first band kept gets a new version (weight and switch kept);
    a band an official chose stays as it is.
    """
    from risk.rules import REGISTRY

    RiskRule = apps.get_model("risk", "RiskRule")
    spec = REGISTRY["SPLIT_ORDERS"]
    current = RiskRule.objects.filter(code=spec.code, current=True).first()
    if current is None or current.parameters != SPLIT_ORDERS_FIRST:
        return
    if current.version == 1 and current.changed_by_id is None:
        current.parameters, current.description = spec.parameters, spec.description
        current.save(update_fields=["parameters", "description"])
        return
    RiskRule.objects.filter(pk=current.pk).update(current=False)
    RiskRule.objects.create(
        code=spec.code,
        version=current.version + 1,
        name=current.name,
        description=spec.description,
        weight=current.weight,
        enabled=current.enabled,
        parameters=spec.parameters,
        current=True,
    )
