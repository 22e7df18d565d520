from django.db import migrations


def load(apps, schema_editor):
    from sharing import code_tables

    code_tables.load(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0015_code_table_entries")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
