# The API token moved into core (jijian.core.api.models) with the auth code: this app forgets the
# model, core/migrations/0005_apitoken.py takes it over. The table api_apitoken stays as it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('api', '0002_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='ApiToken',
                ),
            ],
            database_operations=[],
        ),
    ]
