"""Reference data shipped with the project: the agencies the window exchanges with."""

AGENCIES = [
    ("customs", "海关", "Customs"),
    ("inspection", "检验检疫", "Inspection and Quarantine"),
    ("tax", "税务", "Tax"),
    ("forex", "外汇管理", "Foreign Exchange Administration"),
    ("commerce", "商务", "Commerce"),
    ("finance", "金融服务", "Financial Services"),
]


def load(apps) -> None:
    """Create or update the agencies (idempotent)."""
    Agency = apps.get_model("sharing", "Agency")
    for code, zh, en in AGENCIES:
        Agency.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})


# Inspection's positive list of CBEC retail import goods (a working subset by HS prefix [I]):
# food and cosmetics need a registered overseas producer.
POSITIVE_LIST = [
    ("0401", "Milk and cream", "food"),
    ("0402", "Milk powder", "food"),
    ("1901", "Infant formula, cereal food", "food"),
    ("2106", "Food preparations, supplements", "food"),
    ("2204", "Wine", "food"),
    ("3303", "Perfumes", "cosmetics"),
    ("3304", "Make-up and skin care", "cosmetics"),
    ("3305", "Hair preparations", "cosmetics"),
    ("3401", "Soap", ""),
    ("4202", "Handbags and cases", ""),
    ("61", "Knitted apparel", ""),
    ("62", "Woven apparel", ""),
    ("64", "Footwear", ""),
    ("7113", "Jewellery", ""),
    ("8509", "Household appliances", ""),
    ("8516", "Hair dryers, electric heaters", ""),
    ("8517", "Telephones", ""),
    ("8518", "Headphones and speakers", ""),
    ("9101", "Precious-metal watches", ""),
    ("9102", "Wrist watches", ""),
    ("9503", "Toys", ""),
    ("9619", "Diapers and sanitary products", ""),
]

# Registered overseas producers of foods and cosmetics, by GS1 company prefix [I: illustrative].
PRODUCERS = [
    ("OP-JP-0001", "Example Cosmetics K.K.", "116", "4901301", "cosmetics"),
    ("OP-FR-0001", "Exemple Beauté SA", "305", "3600541", "cosmetics"),
    ("OP-NZ-0001", "Example Dairy NZ Ltd", "609", "9421902", "food"),
    ("OP-AU-0001", "Example Nutrition Pty", "601", "9300601", "food"),
    ("OP-DE-0001", "Beispiel Milchwerke GmbH", "304", "4008400", "food"),
]

# CNY per unit, for forex's USD equivalent [I: indicative rates].
EXCHANGE_RATES = [
    ("502", "6.900000", "2019-01-01"),
    ("502", "7.100000", "2024-01-01"),
    # Export receipts are settled in the buyers' currencies too (DOMAIN 8.2 codes).
    ("300", "7.700000", "2024-01-01"),  # EUR
    ("303", "9.000000", "2024-01-01"),  # GBP
    ("116", "0.048000", "2024-01-01"),  # JPY
    ("110", "0.910000", "2024-01-01"),  # HKD
    ("601", "4.700000", "2024-01-01"),  # AUD
    ("142", "1.000000", "2019-01-01"),  # CNY
]


def load_registers(apps) -> None:
    PositiveListEntry = apps.get_model("sharing", "PositiveListEntry")
    OverseasProducer = apps.get_model("sharing", "OverseasProducer")
    ExchangeRate = apps.get_model("sharing", "ExchangeRate")
    for prefix, description, category in POSITIVE_LIST:
        PositiveListEntry.objects.update_or_create(
            hs_prefix=prefix, defaults={"description": description, "category": category}
        )
    for registration_no, name, country, prefix, categories in PRODUCERS:
        OverseasProducer.objects.update_or_create(
            registration_no=registration_no,
            defaults={"name": name, "country": country, "gs1_prefix": prefix, "categories": categories},
        )
    for currency, rate, valid_from in EXCHANGE_RATES:
        ExchangeRate.objects.update_or_create(
            currency=currency, valid_from=valid_from, defaults={"cny_per_unit": rate}
        )
