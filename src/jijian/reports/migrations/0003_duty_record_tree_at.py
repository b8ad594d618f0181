# Duty records get the village's ancestors as of their month, like MonthlyReport: existing records take
# them from their month's expected row, or (no row) from where the village stands now.

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

LEVELS = ("city_id", "county_id", "township_id")


def fill_tree_at(apps, schema_editor):
    DutyRecord = apps.get_model("reports", "DutyRecord")
    MonthlyReport = apps.get_model("reports", "MonthlyReport")
    OrgUnit = apps.get_model("core", "OrgUnit")
    row = MonthlyReport.objects.filter(village_id=OuterRef("village_id"), month=OuterRef("month"))
    DutyRecord.objects.filter(city_id_at__isnull=True).update(
        **{f"{level}_at": Subquery(row.values(f"{level}_at")[:1]) for level in LEVELS}
    )
    village = OrgUnit.objects.filter(pk=OuterRef("village_id"))
    DutyRecord.objects.filter(city_id_at__isnull=True, county_id_at__isnull=True, township_id_at__isnull=True).update(
        **{f"{level}_at": Subquery(village.values(level)[:1]) for level in LEVELS}
    )


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_alter_userrole_role'),
        ('reports', '0002_month_city_covering_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dutyrecord',
            name='city_id_at',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='dutyrecord',
            name='county_id_at',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='dutyrecord',
            name='township_id_at',
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(fill_tree_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='dutyrecord',
            index=models.Index(fields=['month', 'county_id_at'], name='duty_month_county_at'),
        ),
        migrations.AddIndex(
            model_name='dutyrecord',
            index=models.Index(fields=['month', 'township_id_at'], name='duty_month_township_at'),
        ),
        migrations.AddIndex(
            model_name='dutyrecord',
            index=models.Index(fields=['month', 'city_id_at'], name='duty_month_city_at'),
        ),
    ]
