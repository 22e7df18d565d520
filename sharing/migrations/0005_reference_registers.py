from django.db import migrations


def load(apps, schema_editor):
    from sharing import reference

    reference.load_registers(apps)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0004_exchange_overseasproducer_paymentlicence_and_more")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
