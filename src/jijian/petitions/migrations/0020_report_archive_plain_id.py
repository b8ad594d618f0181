"""PetitionReport.archive, a foreign key to archives.IntegrityArchive, becomes the plain id
`archive_id`, as Clue.archive_id: the two platforms meet through core.links, not a cross-app key.

The column (archive_id) and its index stay as they are, with their data: the database loses only the
foreign-key constraint (the field altered to db_constraint=False), and the migration state swaps the
foreign key for a BigIntegerField on the same column."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0001_initial"),
        ("petitions", "0019_clue_archive"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="petitionreport",
                    name="archive",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="archives.integrityarchive",
                        verbose_name="廉情档案",
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="petitionreport", name="archive"),
                migrations.AddField(
                    model_name="petitionreport",
                    name="archive_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True, verbose_name="廉情档案"),
                ),
            ],
        ),
    ]
