from django.db import migrations, models
from django.db.models import F


def opened_before_counts_as_learnt(apps, schema_editor):
    """Until now opening a material counted as learning it, and the course page said so (✔ 已学习):
    what learners opened under that rule stays learnt; from now on only a studied material counts."""
    apps.get_model("training", "MaterialView").objects.update(learnt_at=F("viewed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="materialview",
            name="learnt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="学完时间"),
        ),
        migrations.RunPython(opened_before_counts_as_learnt, migrations.RunPython.noop),
    ]
