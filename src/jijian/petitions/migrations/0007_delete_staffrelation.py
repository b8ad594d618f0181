# StaffRelation moved to core (core/migrations/0006_staffrelation.py); its table stays: state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0006_report_archive'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='StaffRelation')],
        ),
    ]
