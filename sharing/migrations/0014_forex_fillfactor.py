# Rows updated once or twice soon after their insert: with room on the page the update is HOT.

from django.db import migrations

from singlewindow.core.db import fillfactor


class Migration(migrations.Migration):
    dependencies = [("sharing", "0013_notification_kinds")]

    operations = [
        fillfactor("sharing", "ForexPurchase", 50),
    ]
