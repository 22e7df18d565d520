"""Reference data shipped with the project: the agencies the window exchanges with."""

AGENCIES = [
    ("customs", "海关", "Customs"),
    ("inspection", "检验检疫", "Inspection and Quarantine"),
    ("tax", "税务", "Tax"),
    ("forex", "外汇管理", "Foreign Exchange Administration"),
    ("commerce", "商务", "Commerce"),
]


def load(apps) -> None:
    """Create or update the agencies (idempotent)."""
    Agency = apps.get_model("sharing", "Agency")
    for code, zh, en in AGENCIES:
        Agency.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})
