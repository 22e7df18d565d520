# Rows updated once or twice soon after their insert: with room on the page the update is HOT.

from django.db import migrations

from singlewindow.core.db import fillfactor


class Migration(migrations.Migration):
    dependencies = [("finance", "0004_consolidation_guarantees_forex_financing")]

    operations = [
        fillfactor("finance", "BuyerQuota", 50),
        fillfactor("finance", "QuotaUse", 50),
    ]
