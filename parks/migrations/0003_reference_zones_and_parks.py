from django.db import migrations


def load_reference(apps, schema_editor):
    from parks import reference

    reference.load(apps)


class Migration(migrations.Migration):
    dependencies = [("parks", "0002_initial")]

    operations = [migrations.RunPython(load_reference, migrations.RunPython.noop)]
