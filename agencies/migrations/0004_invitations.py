# Issue #16: invitations to an agency or to the ministry (only a hash of the link's token is stored).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import common.constraints


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_constraint_messages"),
        ("accounts", "0004_profile_position_notification_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='email')),
                ('role', models.CharField(blank=True, choices=[('member', 'Anggota'), ('admin', 'Admin instansi')], max_length=10, verbose_name='peran')),
                ('ministry_role', models.CharField(blank=True, choices=[('moderator', 'Moderator kementerian'), ('lead', 'Moderator utama')], max_length=16, verbose_name='peran kementerian')),
                ('language', models.CharField(choices=[('id', 'Bahasa Indonesia'), ('en', 'English')], default='id', max_length=5, verbose_name='bahasa email')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='dibuat')),
                ('expires_at', models.DateTimeField(verbose_name='berlaku sampai')),
                ('sent_count', models.PositiveSmallIntegerField(default=1, verbose_name='jumlah kiriman')),
                ('last_sent_at', models.DateTimeField(verbose_name='terakhir dikirim')),
                ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='diterima')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='dibatalkan')),
                ('accepted_user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations_accepted', to=settings.AUTH_USER_MODEL, verbose_name='diterima oleh')),
                ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='invitations', to='agencies.agency', verbose_name='instansi')),
                ('invited_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations_sent', to=settings.AUTH_USER_MODEL, verbose_name='diundang oleh')),
            ],
            options={
                'verbose_name': 'undangan',
                'verbose_name_plural': 'undangan',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['agency', 'created_at'], name='invitation_agency_created')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('agency__isnull', False), ('ministry_role', ''), ('role__in', ['member', 'admin'])), models.Q(('agency__isnull', True), ('ministry_role__in', ['moderator', 'lead']), ('role', '')), _connector='OR'), name='invitation_agency_xor_ministry', violation_error_message='Undangan ditujukan ke instansi dengan peran anggota/admin, atau ke kementerian dengan peran moderator.'), models.UniqueConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True)), fields=('email', 'agency'), name='invitation_one_open_per_email_agency', nulls_distinct=False, violation_error_code='email', violation_error_message='Alamat ini sudah punya undangan yang belum diterima. Kirim ulang undangan itu dari daftar.'), models.CheckConstraint(condition=models.Q(('email__regex', '[A-Z]'), _negated=True), name='invitation_email_lowercase', violation_error_code='email', violation_error_message='Alamat email harus ditulis dengan huruf kecil.'), models.CheckConstraint(condition=models.Q(('accepted_at__isnull', True), ('revoked_at__isnull', True), _connector='OR'), name='invitation_not_accepted_and_revoked', violation_error_message='Undangan tidak bisa diterima sekaligus dibatalkan.'), models.CheckConstraint(condition=models.Q(models.Q(('accepted_at__isnull', True), ('accepted_user__isnull', True)), ('accepted_at__isnull', False), _connector='OR'), name='invitation_accepted_user_needs_time', violation_error_message='Penerima undangan hanya dicatat bersama waktu penerimaannya.')],
            },
            bases=(common.constraints.ConstraintErrorsOnFields, models.Model),
        ),
    ]
