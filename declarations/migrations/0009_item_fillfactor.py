# Rows updated once or twice soon after their insert: with room on the page the update is HOT.

from django.db import migrations

from singlewindow.core.db import fillfactor


class Migration(migrations.Migration):
    dependencies = [("declarations", "0008_consignee_address_index")]

    operations = [
        fillfactor("declarations", "InventoryItem", 50),
    ]
