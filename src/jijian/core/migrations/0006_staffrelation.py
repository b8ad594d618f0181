# StaffRelation moved from petitions to core (declared relations are a fact about people that every
# platform reads for recusal). The table keeps its name and rows: state only, no database change.

import django.db.models.deletion
import django.utils.timezone
import jijian.core.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_apitoken'),
        ('petitions', '0007_delete_staffrelation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
        migrations.CreateModel(
            name='StaffRelation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('relative_name', jijian.core.fields.EncryptedTextField(context='petitions.staffrelation.relative_name', verbose_name='亲属姓名')),
                ('relative_name_index', jijian.core.fields.BlindIndexField(blank=True, db_index=True, default='', editable=False, max_length=64, source='relative_name')),
                ('relative_unit', jijian.core.fields.EncryptedTextField(blank=True, context='petitions.staffrelation.relative_unit', default='', verbose_name='工作单位')),
                ('kind', models.CharField(choices=[('spouse', '夫妻关系'), ('direct', '直系血亲关系'), ('collateral', '三代以内旁系血亲'), ('in_law', '近姻亲关系'), ('other', '其他可能影响公正办理的关系')], max_length=20, verbose_name='关系')),
                ('is_active', models.BooleanField(default=True, verbose_name='有效')),
                ('declared_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='申报时间')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='declared_relations', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '回避关系',
                'verbose_name_plural': '回避关系',
                'db_table': 'petitions_staffrelation',
                'ordering': ['-declared_at', '-pk'],
                'indexes': [models.Index(fields=['user', 'relative_name_index'], name='relation_user_name')],
            },
        ),
            ],
        ),
    ]
