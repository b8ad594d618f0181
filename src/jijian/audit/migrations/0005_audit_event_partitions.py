"""PostgreSQL: audit entries partitioned by month of created_at (docs/partitions.md). The table's
primary key becomes (id, created_at) and the unique seq (seq, created_at): the sealer still hands out
each seq once, under its lock, and `audit verify` walks them in order across the partitions. The
append-only triggers of 0003/0004 move to the partitioned table. SQLite keeps its plain table."""

from django.db import migrations

from jijian.partitions import partition_by_month, unpartition

TABLE, COLUMN = "audit_auditevent", "created_at"


def forward(apps, schema_editor):
    partition_by_month(schema_editor, TABLE, COLUMN)


def backward(apps, schema_editor):
    unpartition(schema_editor, TABLE, COLUMN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_checkpoint")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
