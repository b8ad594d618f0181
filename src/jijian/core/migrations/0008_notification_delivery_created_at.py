"""A delivery carries its notification's created_at: the month partition key on PostgreSQL (0009)."""

import django.utils.timezone
from django.db import migrations, models

BACKFILL = """
UPDATE core_notificationdelivery SET created_at = (
    SELECT n.created_at FROM core_notification n WHERE n.id = core_notificationdelivery.notification_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_calendaryear_confirmed_arrangements"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationdelivery",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="通知时间"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
    ]
