from django.db import migrations

AGENCIES = [
    ("customs", "海关", "Customs"),
    ("inspection", "检验检疫", "Inspection and Quarantine"),
    ("tax", "税务", "Tax"),
    ("forex", "外汇管理", "Foreign Exchange Administration"),
    ("commerce", "商务", "Commerce"),
]


def load_agencies(apps, schema_editor):
    Agency = apps.get_model("sharing", "Agency")
    for code, zh, en in AGENCIES:
        Agency.objects.update_or_create(code=code, defaults={"name_zh": zh, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [migrations.RunPython(load_agencies, migrations.RunPython.noop)]
