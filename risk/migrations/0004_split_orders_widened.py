# SPLIT_ORDERS counts every list of a buyer within the single limit, not only those of 4,500 to 5,000.

from django.db import migrations


def widen(apps, schema_editor):
    from risk import reference

    reference.split_orders_widen(apps)


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_reason_code_length")]

    operations = [migrations.RunPython(widen, migrations.RunPython.noop)]
