# Every report has a receiving and a holding commission (0002 filled them for earlier rows).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_alter_userrole_role"),
        ("petitions", "0003_clue_step_sanction"),
    ]

    operations = [
        migrations.AlterField(
            model_name="petitionreport",
            name="received_unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="受理机关",
            ),
        ),
        migrations.AlterField(
            model_name="petitionreport",
            name="holder",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.orgunit",
                verbose_name="承办机关",
            ),
        ),
    ]
