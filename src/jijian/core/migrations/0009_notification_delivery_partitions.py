"""PostgreSQL: notification deliveries partitioned by month of created_at (docs/partitions.md).
SQLite keeps its plain table."""

from django.db import migrations

from jijian.partitions import partition_by_month, unpartition

TABLE, COLUMN = "core_notificationdelivery", "created_at"


def forward(apps, schema_editor):
    partition_by_month(schema_editor, TABLE, COLUMN)


def backward(apps, schema_editor):
    unpartition(schema_editor, TABLE, COLUMN)


class Migration(migrations.Migration):
    dependencies = [("core", "0008_notification_delivery_created_at")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
