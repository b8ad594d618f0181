"""Clue.duty_record, a foreign key to reports.DutyRecord without a database constraint, becomes the
plain id `duty_record_id`: petitions and reports meet through core.links, not a cross-app key.

Nothing changes in the database (the column, its index and its data stay; there was no constraint);
only the migration state swaps the foreign key for a BigIntegerField on the same column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0020_report_archive_plain_id"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="clue", name="duty_record"),
                migrations.AddField(
                    model_name="clue",
                    name="duty_record_id",
                    field=models.BigIntegerField(
                        blank=True, db_index=True, null=True, verbose_name="来源履职纪实"
                    ),
                ),
            ],
        ),
    ]
