# Issue #16: notification settings per kind group, and notifications waiting for a person's digest.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0006_constraint_messages"),
        ("accounts", "0004_profile_position_notification_language"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NotificationSetting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "group",
                    models.CharField(
                        choices=[
                            ("decisions", "Keputusan atas praktik saya"),
                            ("reviews", "Tinjauan dan persetujuan yang menunggu saya"),
                            ("reminders", "Pengingat dan tenggat waktu"),
                            ("questions", "Pertanyaan untuk instansi saya"),
                            ("replication", "Replikasi praktik saya"),
                            ("follows", "Praktik baru dari yang saya ikuti"),
                            ("digests", "Ringkasan harian dan mingguan"),
                        ],
                        max_length=20,
                        verbose_name="kelompok",
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("in_app", "Hanya di portal"),
                            ("immediate", "Di portal dan email segera"),
                            ("daily", "Di portal dan email ringkasan harian"),
                            ("weekly", "Di portal dan email ringkasan mingguan"),
                        ],
                        max_length=10,
                        verbose_name="cara menerima",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "pengaturan notifikasi",
                "verbose_name_plural": "pengaturan notifikasi",
                "ordering": ["user", "group"],
            },
        ),
        migrations.AddField(
            model_name="notification",
            name="digest",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="digested",
                to="notifications.notification",
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="digest_frequency",
            field=models.CharField(blank=True, max_length=10),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                condition=models.Q(models.Q(("digest_frequency", ""), _negated=True), ("digest__isnull", True)),
                fields=["digest_frequency", "recipient"],
                name="notification_digest_waiting",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("digest_frequency__in", ["", "daily", "weekly"]),
                    models.Q(("digest_frequency", ""), ("recipient__isnull", False), _connector="OR"),
                ),
                name="notification_digest_frequency_known",
                violation_error_message="Hanya notifikasi untuk pengguna yang dapat menunggu ringkasan harian atau mingguan.",
            ),
        ),
        migrations.AddField(
            model_name="notificationsetting",
            name="user",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="notification_settings",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationsetting",
            constraint=models.UniqueConstraint(
                fields=("user", "group"),
                name="notificationsetting_once_per_group",
                violation_error_message="Kelompok notifikasi ini sudah punya pengaturan untuk pengguna ini.",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationsetting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "group__in",
                        ["decisions", "reviews", "reminders", "questions", "replication", "follows", "digests"],
                    )
                ),
                name="notificationsetting_group_known",
                violation_error_message="Kelompok notifikasi tidak dikenal.",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationsetting",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("channel__in", ["in_app", "immediate"]),
                    models.Q(
                        ("channel__in", ["daily", "weekly"]),
                        models.Q(("group__in", ["follows", "digests"]), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="notificationsetting_channel_known",
                violation_error_message="Cara menerima ini tidak tersedia untuk kelompok notifikasi ini.",
            ),
        ),
    ]
