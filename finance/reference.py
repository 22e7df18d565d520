"""Reference tax data shipped with the project: the retail import limits of the 2016 and 2019 regimes,
import VAT / consumption tax / MFN duty rates for the HS headings most sold through the zone, and the
tolerance on the platform's pre-collected tax.

Loaded by a data migration; officials keep them current in the admin (DOMAIN "rules are data").

Grades as in DOMAIN.md. VAT rates follow the 2019-04-01 reform (13 % general, 9 % low rate) [S];
which headings take the low rate is [S]/[I] per row. Consumption tax rates are the statutory ad valorem
rates [S], but the tax applies only to the *high-end* goods of a heading (cosmetics at or above CNY 10
per ml or g, watches at or above CNY 10,000 each) and to precious jewellery: a prefix row cannot tell
them apart, so the portal charges every item of such a heading [I]. All duty rates are indicative MFN
rates [I]: they are used only for single items taxed in full and must be checked against the tariff.
"""

import datetime
from decimal import Decimal

VAT_REFORM = datetime.date(2019, 4, 1)
# 16 % / 10 % VAT from 2018-05-01 until the reform; a few prefixes carry it to exercise effective dates.
PREVIOUS_FROM = datetime.date(2018, 5, 1)
PREVIOUS_TO = datetime.date(2019, 3, 31)

# (valid_from, single_limit, annual_limit, note)
LIMITS = [
    (datetime.date(2016, 4, 8), "2000.00", "20000.00", "财关税〔2016〕18号 [S]"),
    (datetime.date(2019, 1, 1), "5000.00", "26000.00", "财关税〔2018〕49号 [S]"),
]

# (valid_from, share, source): how far a non-zero pre-collected tax (CEB311 taxTotal) may be from
# customs' figure. The checklist is of 2021, but it states practice, not a new rule: the row applies from
# the start of the retail import tax.
TAX_TOTAL_TOLERANCES = [
    (
        datetime.date(2016, 4, 8),
        "0.05",
        "R12, industry checklist https://www.so.plus/20210515/827.html, unverified",
    ),
]

# (hs_prefix, description, VAT, consumption tax, MFN duty [I]) valid from the 2019 VAT reform.
RATES = [
    ("0401", "Milk and cream, not concentrated (low-rate agricultural product) [S]", "0.09", "0", "0.15"),
    ("0402", "Milk and cream, concentrated: milk powder [S]", "0.13", "0", "0.10"),
    ("1901", "Food preparations of milk or flour: infant formula [S]", "0.13", "0", "0.15"),
    ("2106", "Food preparations n.e.s.: dietary supplements [I]", "0.13", "0", "0.12"),
    ("2204", "Wine of fresh grapes (consumption tax: other alcoholic drinks) [S]", "0.13", "0.10", "0.14"),
    ("3004", "Medicaments in measured doses [I]", "0.13", "0", "0.03"),
    ("33", "Essential oils, perfumery, cosmetic or toilet preparations", "0.13", "0", "0.05"),
    ("3303", "Perfumes and toilet waters (high-end cosmetics) [I]", "0.13", "0.15", "0.03"),
    ("3304", "Beauty, make-up and skin-care preparations (high-end cosmetics) [I]", "0.13", "0.15", "0.05"),
    ("3305", "Preparations for use on the hair", "0.13", "0", "0.05"),
    ("3401", "Soap and organic surface-active washing products", "0.13", "0", "0.06"),
    ("42", "Articles of leather, handbags and travel goods", "0.13", "0", "0.10"),
    ("61", "Apparel and clothing accessories, knitted or crocheted", "0.13", "0", "0.06"),
    ("62", "Apparel and clothing accessories, not knitted", "0.13", "0", "0.06"),
    ("64", "Footwear", "0.13", "0", "0.10"),
    ("7113", "Articles of jewellery of precious metal (precious jewellery) [I]", "0.13", "0.10", "0.08"),
    ("84", "Machinery and mechanical appliances, computers", "0.13", "0", "0"),
    ("85", "Electrical machinery and equipment, consumer electronics", "0.13", "0", "0"),
    ("8517", "Telephone sets, smartphones", "0.13", "0", "0"),
    ("9101", "Wrist watches, case of precious metal (high-end watches) [I]", "0.13", "0.20", "0.08"),
    ("9102", "Wrist watches, other (high-end watches) [I]", "0.13", "0.20", "0.08"),
    ("9503", "Toys, scale models and puzzles", "0.13", "0", "0"),
    ("9619", "Sanitary towels and napkins, diapers", "0.13", "0", "0.02"),
]

# (hs_prefix, description, VAT, consumption tax, MFN duty [I]) valid 2018-05-01 .. 2019-03-31.
PREVIOUS_RATES = [
    ("0401", "Milk and cream, not concentrated (low-rate agricultural product) [S]", "0.10", "0", "0.15"),
    ("0402", "Milk and cream, concentrated: milk powder [S]", "0.16", "0", "0.10"),
    ("33", "Essential oils, perfumery, cosmetic or toilet preparations", "0.16", "0", "0.05"),
    ("3304", "Beauty, make-up and skin-care preparations (high-end cosmetics) [I]", "0.16", "0.15", "0.05"),
    ("85", "Electrical machinery and equipment, consumer electronics", "0.16", "0", "0"),
]


def load(apps) -> None:
    """Create or update the reference rows (idempotent)."""
    TaxRate = apps.get_model("finance", "TaxRate")
    RetailLimit = apps.get_model("finance", "RetailLimit")
    for valid_from, single, annual, note in LIMITS:
        RetailLimit.objects.update_or_create(
            valid_from=valid_from,
            defaults={"single_limit": Decimal(single), "annual_limit": Decimal(annual), "note": note},
        )
    periods = [(RATES, VAT_REFORM, None), (PREVIOUS_RATES, PREVIOUS_FROM, PREVIOUS_TO)]
    for rows, valid_from, valid_to in periods:
        for prefix, description, vat, consumption, duty in rows:
            TaxRate.objects.update_or_create(
                hs_prefix=prefix,
                valid_from=valid_from,
                defaults={
                    "description": description,
                    "vat_rate": Decimal(vat),
                    "consumption_rate": Decimal(consumption),
                    "duty_rate": Decimal(duty),
                    "valid_to": valid_to,
                },
            )


def load_tolerances(apps) -> None:
    """Create or update the pre-collected tax tolerances (idempotent); a migration of their own, as the
    model came after the rates."""
    TaxTotalTolerance = apps.get_model("finance", "TaxTotalTolerance")
    for valid_from, share, source in TAX_TOTAL_TOLERANCES:
        TaxTotalTolerance.objects.update_or_create(
            valid_from=valid_from, defaults={"share": Decimal(share), "source": source}
        )
