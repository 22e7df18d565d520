from django.db import migrations


def load_agencies(apps, schema_editor):
    from sharing import reference

    reference.load(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [migrations.RunPython(load_agencies, migrations.RunPython.noop)]
