"""PostgreSQL: duty records partitioned by month (docs/partitions.md). The table's primary key becomes
(id, month) and the unique client_uuid (client_uuid, month): an offline submission sent twice carries
the same month, so it still creates one record. The clue's reference to a duty record has no database
constraint any more (petitions 0009). SQLite keeps its plain table."""

from django.db import migrations

from jijian.partitions import partition_by_month, unpartition

TABLE, COLUMN = "reports_dutyrecord", "month"


def forward(apps, schema_editor):
    partition_by_month(schema_editor, TABLE, COLUMN)


def backward(apps, schema_editor):
    unpartition(schema_editor, TABLE, COLUMN)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_report_counts_note"),
        # The clue's foreign key is dropped there first (state and database agree).
        ("petitions", "0010_clue_duty_record_no_db_constraint"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
