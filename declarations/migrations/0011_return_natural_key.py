# A list may have several returns (CEB625), each keyed by its guid and the lines it returns; each names the
# one enterprise that confirms its goods are back (the 9610 carrier, the 1210 warehouse's operator).

import hashlib

import django.db.models.deletion
from django.db import migrations, models


def _lines_key(lines) -> str:
    # declarations.models.amendments.return_lines_key, as of this migration.
    text = ";".join(f"{gnum}:{qty.normalize():f}" for gnum, qty in sorted(lines))
    return hashlib.sha256(text.encode()).hexdigest()


def keys_and_receivers(apps, schema_editor):
    InventoryRefund = apps.get_model("declarations", "InventoryRefund")
    Enterprise = apps.get_model("sharing", "Enterprise")
    Warehouse = apps.get_model("logistics", "Warehouse")
    for refund in InventoryRefund.objects.select_related("inventory").iterator():
        inventory = refund.inventory
        refund.lines_key = _lines_key(refund.lines.values_list("gnum", "qty"))
        if inventory.trade_mode == "1210":
            found = Warehouse.objects.filter(ems_no=inventory.ems_no, kind="bonded").exclude(ems_no="")
            refund.goods_receiver_id = found.values_list("operator_id", flat=True).first()
        else:
            code = inventory.logistics_code
            found = Enterprise.objects.filter(models.Q(customs_code=code) | models.Q(uscc=code))
            refund.goods_receiver_id = found.values_list("pk", flat=True).first()
        refund.save(update_fields=["lines_key", "goods_receiver"])


class Migration(migrations.Migration):
    dependencies = [
        ("declarations", "0010_one_live_list"),
        ("logistics", "0002_warehouses_bonded_stock"),
        ("sharing", "0014_forex_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="inventoryrefund",
            name="goods_receiver",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sharing.enterprise",
                verbose_name="goods come back to",
            ),
        ),
        migrations.AddField(
            model_name="inventoryrefund",
            name="lines_key",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="inventoryrefund",
            name="inventory",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunds",
                to="declarations.inventorylist",
            ),
        ),
        migrations.AddConstraint(
            model_name="inventoryrefund",
            constraint=models.UniqueConstraint(
                fields=("inventory", "guid", "lines_key"), name="return_natural_key"
            ),
        ),
        # Last: on PostgreSQL no ALTER TABLE may follow the update of a deferred foreign key in one
        # transaction. The key is unique already, with one return per list until now.
        migrations.RunPython(keys_and_receivers, migrations.RunPython.noop),
    ]
