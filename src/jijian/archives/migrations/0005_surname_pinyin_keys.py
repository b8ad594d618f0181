from functools import reduce
from operator import or_

from django.db import migrations
from django.db.models import Q


def refill_surname_keys(apps, schema_editor):
    """The pinyin search keys of the archives whose surname pypinyin read with another reading
    (曾 ceng → zeng, 单 dan → shan…): only those rows are read and written."""
    from jijian.core.orgs.pinyin import SURNAMES, person_name_keys

    IntegrityArchive = apps.get_model("archives", "IntegrityArchive")
    starts = reduce(or_, (Q(name__startswith=s) for s in SURNAMES))
    for archive in IntegrityArchive.objects.filter(starts).only("pk", "name").iterator():
        initials, pinyin = person_name_keys(archive.name)
        IntegrityArchive.objects.filter(pk=archive.pk).update(
            name_initials=initials[:20], name_pinyin=pinyin[:100]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("archives", "0004_chinese_model_names"),
    ]

    operations = [
        migrations.RunPython(refill_surname_keys, migrations.RunPython.noop),
    ]
