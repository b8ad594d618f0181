# Failed sign-ins are forgotten LOGIN_FAILURE_WINDOW_MINUTES after the last one (core/accounts/security.py).
# The time of failures counted before this migration is unknown: they are dated to the migration, so
# they are forgotten one window after it, and an attack under way keeps its count (and its lock).

from django.db import migrations, models
from django.utils import timezone


def date_earlier_failures(apps, schema_editor):
    User = apps.get_model("core", "User")
    User.objects.filter(failed_login_count__gt=0).update(last_failed_login_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_alter_userrole_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="last_failed_login_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(date_earlier_failures, migrations.RunPython.noop),
    ]
