"""The clue's duty record without a database constraint: on PostgreSQL duty records are partitioned
by month (reports 0009) and a foreign key cannot reference their id alone."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0009_conclusion_approval_urging'),
        ('reports', '0008_report_counts_note'),
    ]

    operations = [
        migrations.AlterField(
            model_name='clue',
            name='duty_record',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.dutyrecord', verbose_name='来源履职纪实'),
        ),
    ]
