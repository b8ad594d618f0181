from django.db import migrations, models
import django.utils.timezone


def record_index_fingerprint(apps, schema_editor):
    # The index key in use when the table is created: the one a new instance writes its indexes with,
    # and the one an upgraded instance has been serving with. A restore or a start-up under another key
    # is refused from now on (core.sensitive.keys.key_check also samples the indexes themselves).
    from jijian.core.sensitive.crypto import index_key_fingerprint

    KeyFingerprint = apps.get_model("core", "KeyFingerprint")
    KeyFingerprint.objects.using(schema_editor.connection.alias).update_or_create(
        name="index", defaults={"digest": index_key_fingerprint()}
    )


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0010_resident_groups"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeyFingerprint",
            fields=[
                ("name", models.CharField(max_length=32, primary_key=True, serialize=False, verbose_name="密钥")),
                ("digest", models.CharField(max_length=64, verbose_name="指纹")),
                (
                    "recorded_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="记录时间"),
                ),
            ],
            options={
                "verbose_name": "密钥指纹",
                "verbose_name_plural": "密钥指纹",
            },
        ),
        migrations.RunPython(record_index_fingerprint, migrations.RunPython.noop),
    ]
