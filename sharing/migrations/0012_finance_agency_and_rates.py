from django.db import migrations


def load(apps, schema_editor):
    from sharing import reference

    reference.load(apps)  # adds the financial services office
    reference.load_registers(apps)  # adds the exchange rates of export currencies


class Migration(migrations.Migration):
    dependencies = [("sharing", "0011_finance_agency_code")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
