# Each receipt hash names the Argon2id cost and the salt it was made with (receipt.scheme_id). Every
# hash made before this migration used the one cost there was (1,65536,1: no setting changed it) and
# the salt of the current index key (assumed: a changed index key had already orphaned the others).

from django.db import migrations, models

EARLIER_COST = "argon2id:1,65536,1"


def name_earlier_hashes(apps, schema_editor):
    PetitionReport = apps.get_model("petitions", "PetitionReport")
    earlier = PetitionReport.objects.filter(receipt_hash__isnull=False, receipt_scheme="")
    if not earlier.exists():
        return  # a new database: no key needed
    from jijian.core.sensitive.crypto import hmac_sm3_hex, keyring, sm3_hex

    salt = bytes.fromhex(hmac_sm3_hex(keyring().index_key, b"jijian.petitions.receipt-salt.v1"))  # not a module path
    earlier.update(receipt_scheme=f"{EARLIER_COST}:{sm3_hex(salt)[:8]}")


class Migration(migrations.Migration):
    dependencies = [
        ("petitions", "0004_holder_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="petitionreport",
            name="receipt_scheme",
            field=models.CharField(blank=True, default="", editable=False, max_length=40),
        ),
        migrations.RunPython(name_earlier_hashes, migrations.RunPython.noop),
    ]
