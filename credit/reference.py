"""The credit regimes shipped with the project (DOMAIN.md 10.3; inspection rates are the portal's
differentiated supervision [I], editable by officials)."""

REGIMES = [
    (
        "2021",
        "海关注册登记和备案企业信用管理办法 (Order No. 251)",
        "2021-11-01",
        [
            # code, zh, en, rank, min_score, inspection rate, held, dishonest
            ("advanced_certified", "高级认证企业", "Advanced certified", 1, None, "0.0050", False, False),
            ("regular", "其他企业", "All others", 2, "60", "0.0300", False, False),
            ("dishonest", "失信企业", "Dishonest", 3, "0", "1.0000", True, True),
        ],
    ),
    (
        "2026",
        "海关注册登记和备案企业信用管理办法 (Order No. 282)",
        "2026-04-01",
        [
            ("advanced_certified", "高级认证企业", "Advanced certified", 1, None, "0.0050", False, False),
            ("certified", "认证企业", "Certified", 2, None, "0.0100", False, False),
            ("regular", "常规企业", "Regular", 3, "60", "0.0300", False, False),
            ("dishonest", "失信企业", "Dishonest", 4, "30", "1.0000", True, True),
            ("seriously_dishonest", "严重失信企业", "Seriously dishonest", 5, "0", "1.0000", True, True),
        ],
    ),
]


def load(apps) -> None:
    CreditRegime = apps.get_model("credit", "CreditRegime")
    CreditLevel = apps.get_model("credit", "CreditLevel")
    for code, name, valid_from, levels in REGIMES:
        regime, _ = CreditRegime.objects.update_or_create(
            code=code, defaults={"name": name, "valid_from": valid_from}
        )
        for level_code, zh, en, rank, min_score, rate, held, dishonest in levels:
            CreditLevel.objects.update_or_create(
                regime=regime,
                code=level_code,
                defaults={
                    "name_zh": zh,
                    "name_en": en,
                    "rank": rank,
                    "min_score": min_score,
                    "inspection_rate": rate,
                    "held": held,
                    "dishonest": dishonest,
                },
            )
