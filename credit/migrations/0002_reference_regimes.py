from django.db import migrations


def load(apps, schema_editor):
    from credit import reference

    reference.load(apps)


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
