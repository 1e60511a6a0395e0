# The replication ledger's models, moved here from the practices app with their data: practices 0008 removed
# them from its migration state; this migration adds them to the ledger's state only (their tables, created by
# practices 0004/0005, keep their practices_* names and constraints), then moves their content types (and so
# the admin's permissions and log entries) to the ledger app.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["replication", "replicationstep", "replicationresult", "question"]


def content_types_move(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    taken = set(ContentType.objects.using(db).filter(app_label=new, model__in=MOVED).values_list("model", flat=True))
    ContentType.objects.using(db).filter(app_label=old, model__in=set(MOVED) - taken).update(app_label=new)


def content_types_to_ledger(apps, schema_editor):
    content_types_move(apps, schema_editor, old="practices", new="ledger")


def content_types_to_practices(apps, schema_editor):
    content_types_move(apps, schema_editor, old="ledger", new="practices")


STAGES = [
    ('interest', 'Minat'),
    ('study', 'Studi tiru atau pendampingan'),
    ('legal_basis', 'Dasar hukum'),
    ('launched', 'Diluncurkan'),
    ('results', 'Hasil'),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agencies', '0002_rb_index_score'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('practices', '0008_ledger_models_leave'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Replication',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(choices=STAGES, default='interest', max_length=12, verbose_name='tahap')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replications', to='agencies.agency', verbose_name='instansi replikator')),
                        ('became', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='replication_origin', to='practices.practice', verbose_name='menjadi praktik')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='replications', to='practices.practice', verbose_name='praktik asal')),
                        ('started_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'replikasi',
                        'verbose_name_plural': 'replikasi',
                        'db_table': 'practices_replication',
                        'ordering': ['created_at', 'id'],
                        'constraints': [
                            models.UniqueConstraint(fields=('source', 'agency'), name='replication_one_per_agency'),
                            models.CheckConstraint(condition=models.Q(('stage__in', ['interest', 'study', 'legal_basis', 'launched', 'results'])), name='replication_stage_valid'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='ReplicationStep',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('stage', models.CharField(choices=STAGES, max_length=12, verbose_name='tahap')),
                        ('date', models.DateField(verbose_name='tanggal')),
                        ('note', models.TextField(blank=True, verbose_name='catatan')),
                        ('evidence_url', models.URLField(blank=True, verbose_name='tautan bukti')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('response', models.TextField(blank=True, verbose_name='tanggapan instansi asal')),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('replication', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='ledger.replication')),
                        ('responded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'tahap replikasi',
                        'verbose_name_plural': 'tahap replikasi',
                        'db_table': 'practices_replicationstep',
                        'ordering': ['replication_id', 'created_at', 'id'],
                        'constraints': [
                            models.UniqueConstraint(fields=('replication', 'stage'), name='replication_step_once_per_stage'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='ReplicationResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('value', models.DecimalField(decimal_places=4, max_digits=18, verbose_name='nilai capaian')),
                        ('date', models.DateField(verbose_name='tanggal')),
                        ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='practices.indicator', verbose_name='indikator praktik asal')),
                        ('step', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='ledger.replicationstep')),
                    ],
                    options={
                        'verbose_name': 'hasil replikasi',
                        'verbose_name_plural': 'hasil replikasi',
                        'db_table': 'practices_replicationresult',
                        'ordering': ['step_id', 'indicator_id'],
                        'constraints': [
                            models.UniqueConstraint(fields=('step', 'indicator'), name='replication_result_once_per_indicator'),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name='Question',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(max_length=2000, verbose_name='pertanyaan')),
                        ('answer', models.TextField(blank=True, max_length=5000, verbose_name='jawaban')),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('is_public', models.BooleanField(default=False, verbose_name='tampilkan sebagai FAQ')),
                        ('reminded_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('answered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('asker', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('asker_agency', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='agencies.agency')),
                        ('practice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='practices.practice')),
                    ],
                    options={
                        'verbose_name': 'pertanyaan',
                        'verbose_name_plural': 'pertanyaan',
                        'db_table': 'practices_question',
                        'ordering': ['created_at', 'id'],
                        'constraints': [
                            models.CheckConstraint(condition=models.Q(('is_public', False), models.Q(('answered_at__isnull', False), models.Q(('answer', ''), _negated=True)), _connector='OR'), name='question_public_needs_answer'),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_to_ledger, content_types_to_practices),
    ]
