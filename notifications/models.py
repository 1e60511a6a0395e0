from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.signals import SECURITY_KINDS
from common.constraints import ConstraintErrorsOnFields


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Notification(models.Model):
    """A message to one person, rendered once in their language when the change happened.

    The recipient is a user, or only an email address (a confirmed public follower). `dedupe_key`, when set,
    makes a scheduled job unable to send the same reminder twice (unique in the database).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    email = models.EmailField(_("email"), blank=True)
    kind = models.CharField(_("jenis"), max_length=40)
    language = models.CharField(max_length=5, default="id")
    subject = models.CharField(_("subjek"), max_length=255)
    body = models.TextField(_("isi"))
    target_url = models.CharField(_("tautan"), max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    # Emails to followers: the one-click unsubscribe address (path), also sent as List-Unsubscribe (RFC 8058).
    unsubscribe_url = models.CharField(max_length=300, blank=True)
    # "daily" / "weekly": the recipient reads this kind in a digest (NotificationSetting), no email of its own;
    # `digest` is the digest notification that carried it (set in the transaction that writes the digest).
    digest_frequency = models.CharField(max_length=10, blank=True)
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="digested")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""),
                name="notification_has_recipient",
                violation_error_message=_("Notifikasi perlu penerima: pengguna atau alamat email."),
            ),
            models.CheckConstraint(
                condition=Q(digest_frequency__in=["", "daily", "weekly"])
                & (Q(digest_frequency="") | Q(recipient__isnull=False)),
                name="notification_digest_frequency_known",
                violation_error_message=_(
                    "Hanya notifikasi untuk pengguna yang dapat menunggu ringkasan harian atau mingguan."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(
                fields=["digest_frequency", "recipient"],
                condition=~Q(digest_frequency="") & Q(digest__isnull=True),
                name="notification_digest_waiting",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """The outbox row for sending one notification through one channel.

    Written in the same transaction as the change; `delivery_send` sends it and marks it sent under a row lock,
    so a redelivered or duplicated task finds it sent and does nothing. `key` is unique per notification and
    channel.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        SENDING = "sending", _("Sedang dikirim")
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")
        # Rows written before deliveries were resent after a lost hand-over; the sweeper resends them too.
        UNCERTAIN = "uncertain", _("Diserahkan, tanpa jawaban server")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # While `sending`: the claim expires at lease_until; handed_over_at is set just before the final "." of
    # the SMTP DATA, after which the server may hold the message (see services.delivery.delivery_send_now).
    lease_until = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    # Times it was sent again after a sender was lost past the hand-over (the server may hold a copy, with the
    # same Message-ID): the possible duplicates, counted.
    resends = models.PositiveSmallIntegerField(_("dikirim ulang setelah serah terima"), default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "uncertain"]),
                name="delivery_state_known",
                violation_error_message=_("Status pengiriman tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(state="sending") | Q(lease_until__isnull=False),
                name="delivery_sending_has_lease",
                violation_error_message=_("Pengiriman yang sedang berjalan perlu batas waktu klaimnya."),
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="delivery_sent_has_time",
                violation_error_message=_("Pengiriman yang terkirim perlu waktu kirimnya."),
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="delivery_pending")]

    def __str__(self) -> str:
        return self.key


class FollowQuerySet(models.QuerySet):
    def active(self):
        """Confirmed follows that send something (public email follows count only after the link is clicked)."""
        return self.filter(confirmed_at__isnull=False).exclude(frequency=Follow.Frequency.OFF)

    def for_user(self, user):
        return self.filter(user=user)


class Follow(ConstraintErrorsOnFields, models.Model):
    """A person following a theme, a province or an agency: a logged-in user, or an email address (public).

    Email follows start unconfirmed and are active only after the link sent to the address is clicked (double
    opt-in); `token` is in that link and in every email's unsubscribe link, so both work without logging in.
    Exactly one target is set, matching `kind`; a follower follows a target at most once (both in the database).
    """

    class Kind(models.TextChoices):
        THEME = "theme", _("Tema")
        PROVINCE = "province", _("Provinsi")
        AGENCY = "agency", _("Instansi")

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("Segera")
        DAILY = "daily", _("Ringkasan harian")
        WEEKLY = "weekly", _("Ringkasan mingguan")
        OFF = "off", _("Tidak dikirim")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="follows"
    )
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("bahasa"), max_length=5, default="id")
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices)
    theme = models.ForeignKey("practices.Theme", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey("agencies.Region", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("frekuensi"), max_length=10, choices=Frequency.choices, default=Frequency.IMMEDIATE)
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowQuerySet.as_manager()

    # A constraint about one field puts its message there (common.constraints).
    constraint_error_fields = {"email": "email"}

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("langganan")
        verbose_name_plural = _("langganan")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="follow_user_xor_email",
                violation_error_message=_("Langganan perlu tepat satu pengikut: pengguna atau alamat email."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="theme", theme__isnull=False, province__isnull=True, agency__isnull=True)
                    | Q(kind="province", theme__isnull=True, province__isnull=False, agency__isnull=True)
                    | Q(kind="agency", theme__isnull=True, province__isnull=True, agency__isnull=False)
                ),
                name="follow_one_target",
                violation_error_message=_(
                    "Langganan perlu tepat satu sasaran yang sesuai dengan jenisnya: tema, provinsi, atau instansi."
                ),
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=["immediate", "daily", "weekly", "off"]),
                name="follow_frequency_valid",
                violation_error_message=_("Frekuensi langganan tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(email__regex=r"[A-Z]"),
                name="follow_email_lowercase",
                violation_error_code="email",
                violation_error_message=_("Alamat email harus ditulis dengan huruf kecil."),
            ),
            # One follow per (follower, target); NULLS NOT DISTINCT so the empty sides compare equal.
            models.UniqueConstraint(
                fields=["user", "email", "theme", "province", "agency"],
                nulls_distinct=False,
                name="follow_unique_per_follower_target",
                violation_error_message=_("Anda sudah mengikuti ini."),
            ),
        ]
        indexes = [
            models.Index(fields=["theme"], name="follow_theme"),
            models.Index(fields=["province"], name="follow_province"),
            models.Index(fields=["agency"], name="follow_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.follower_label} → {self.target}"

    @property
    def target(self):
        return {"theme": self.theme, "province": self.province, "agency": self.agency}[self.kind]

    @property
    def follower_label(self) -> str:
        return self.user.email if self.user_id else self.email

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class DigestEntry(models.Model):
    """A published practice waiting for a follower's next daily or weekly digest (the follow's frequency).

    One row per follower and practice (a practice reached through several follows is listed once);
    `notification` is the digest that carried it, set in the same transaction the digest is written. A practice
    withdrawn before the digest takes its waiting rows with it (`services.fanout.publish_fanout_withdraw`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True)
    # The follow whose frequency decides which digest carries it (and whose token unsubscribes).
    follow = models.ForeignKey(Follow, on_delete=models.CASCADE, related_name="digest_entries")
    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    # What the digest shows of it, as the fan-out was told (its context, e.g. title and agency, and its link).
    context = models.JSONField(default=dict, blank=True)
    target_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="digest_entries"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("entri ringkasan")
        verbose_name_plural = _("entri ringkasan")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="digestentry_user_xor_email",
                violation_error_message=_("Entri ringkasan perlu tepat satu penerima: pengguna atau alamat email."),
            ),
            models.UniqueConstraint(
                fields=["user", "email", "practice"],
                nulls_distinct=False,
                name="digestentry_once_per_practice",
                violation_error_message=_("Praktik ini sudah menunggu di ringkasan penerima ini."),
            ),
        ]
        indexes = [models.Index(fields=["notification"], name="digestentry_pending")]

    def __str__(self) -> str:
        return f"{self.user_id or self.email}: {self.practice_id}"


class PublishFanOut(models.Model):
    """The outbox row of "tell the followers": written in the publish transaction, done by a worker task.

    One row per published revision (unique). `notifications.tasks.publish_fanout_send` writes the followers'
    notifications and digest entries in batches, each batch in its own transaction together with the counters
    below; the rows it writes are unique per person and practice, so a second run or a run resumed after a
    crash tells nobody twice. A row still pending after a while (broker or worker was down) is queued again by
    `publish_fanouts_requeue`.

    The publishing app writes, with the row, all the worker needs: the follows to tell (`targets`, follow kind →
    ids) and the notification they get (`kind`, `context`, `target_url`); notifications read nothing else of the
    practice. `withdrawn_at`: the practice was withdrawn before everyone was told; the rest are not.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Menunggu")
        DONE = "done", _("Selesai")

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="+")
    revision = models.OneToOneField("practices.PracticeRevision", on_delete=models.CASCADE, related_name="+")
    targets = models.JSONField(default=dict, blank=True)
    kind = models.CharField(max_length=40, blank=True)
    context = models.JSONField(default=dict, blank=True)
    target_url = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # Last handed to the broker, and last batch committed: the sweeper leaves a row alone while either is recent.
    queued_at = models.DateTimeField(null=True, blank=True)
    worked_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # People told at once and digest entries written, counted in the transaction of each batch.
    notified = models.PositiveIntegerField(default=0)
    digested = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pemberitahuan ke pengikut")
        verbose_name_plural = _("pemberitahuan ke pengikut")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "done"]),
                name="publishfanout_state_known",
                violation_error_message=_("Status pemberitahuan ke pengikut tidak dikenal."),
            ),
            models.CheckConstraint(
                condition=~Q(state="done") | Q(done_at__isnull=False),
                name="publishfanout_done_has_time",
                violation_error_message=_("Pemberitahuan ke pengikut yang selesai perlu waktu selesainya."),
            ),
        ]
        indexes = [models.Index(fields=["created_at"], condition=Q(state="pending"), name="publishfanout_pending")]

    def __str__(self) -> str:
        return f"{self.practice_id} r{self.revision_id}: {self.state}"


# Notification settings per kind group ------------------------------------------------------------------------

# Never switched off and always emailed at once: the security notices and the follow-by-email confirmation.
# "objection_confirm": the confirmation link emailed to someone who filed an objection to a call (issue #18).
MANDATORY_KINDS = frozenset(SECURITY_KINDS | {"follow_confirm", "objection_confirm"})
# What the settings page calls them (shown fixed, with why).
MANDATORY_KIND_LABELS = {
    "invitation": _("Undangan bergabung"),
    "password_reset": _("Atur ulang kata sandi"),
    "two_factor_reset": _("Atur ulang verifikasi dua langkah"),
    "follow_confirm": _("Konfirmasi langganan lewat email"),
    "objection_confirm": _("Konfirmasi sanggahan lewat email"),
}


class NotificationSetting(models.Model):
    """How one person wants one group of notification kinds: a row only where they differ from the default.

    Every kind a user can receive belongs to exactly one group (`KIND_GROUPS`) or is mandatory
    (`MANDATORY_KINDS`, no group, so no row can switch it off). `services.notify.notify` reads the setting for
    each user recipient: the in-app notification is always written; an email at once only for "immediate";
    "daily"/"weekly" leave it waiting for the person's next digest (`services.digests.digests_send`).
    """

    class Group(models.TextChoices):
        DECISIONS = "decisions", _("Keputusan atas praktik saya")
        REVIEWS = "reviews", _("Tinjauan dan persetujuan yang menunggu saya")
        REMINDERS = "reminders", _("Pengingat dan tenggat waktu")
        QUESTIONS = "questions", _("Pertanyaan untuk instansi saya")
        REPLICATION = "replication", _("Replikasi praktik saya")
        FOLLOWS = "follows", _("Praktik baru dari yang saya ikuti")
        DIGESTS = "digests", _("Ringkasan harian dan mingguan")

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("Hanya di portal")
        IMMEDIATE = "immediate", _("Di portal dan email segera")
        DAILY = "daily", _("Di portal dan email ringkasan harian")
        WEEKLY = "weekly", _("Di portal dan email ringkasan mingguan")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    group = models.CharField(_("kelompok"), max_length=20, choices=Group.choices)
    channel = models.CharField(_("cara menerima"), max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "group"]
        verbose_name = _("pengaturan notifikasi")
        verbose_name_plural = _("pengaturan notifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "group"],
                name="notificationsetting_once_per_group",
                violation_error_message=_("Kelompok notifikasi ini sudah punya pengaturan untuk pengguna ini."),
            ),
            models.CheckConstraint(
                condition=Q(
                    group__in=["decisions", "reviews", "reminders", "questions", "replication", "follows", "digests"]
                ),
                name="notificationsetting_group_known",
                violation_error_message=_("Kelompok notifikasi tidak dikenal."),
            ),
            # Followed topics keep their own frequency per follow, and a digest cannot wait for a digest:
            # for those two groups the choice is only "in the portal only" or "also by email".
            models.CheckConstraint(
                condition=Q(channel__in=["in_app", "immediate"])
                | (Q(channel__in=["daily", "weekly"]) & ~Q(group__in=["follows", "digests"])),
                name="notificationsetting_channel_known",
                violation_error_message=_("Cara menerima ini tidak tersedia untuk kelompok notifikasi ini."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.group} → {self.channel}"


G = NotificationSetting.Group
# Every kind template in templates/notifications/kinds/ is here or in MANDATORY_KINDS (a test lists them).
KIND_GROUPS: dict[str, str] = {
    "published": G.DECISIONS,
    "rejected": G.DECISIONS,
    "changes_requested": G.DECISIONS,
    "archived": G.DECISIONS,
    "agency_returned": G.DECISIONS,
    "review_assigned": G.REVIEWS,
    "submitted": G.REVIEWS,
    "agency_review": G.REVIEWS,
    "sla_reminder": G.REMINDERS,
    "sla_escalation": G.REMINDERS,
    "changes_reminder": G.REMINDERS,
    "question_reminder": G.REMINDERS,
    "freshness_request": G.REMINDERS,
    "freshness_lapsed": G.REMINDERS,
    "question_asked": G.QUESTIONS,
    "question_answered": G.QUESTIONS,
    "replication_started": G.REPLICATION,
    "replication_stage": G.REPLICATION,
    "replication_response": G.REPLICATION,
    "follow_published": G.FOLLOWS,
    "digest_daily": G.DIGESTS,
    "digest_weekly": G.DIGESTS,
    # Calls (issue #18, COMP-B): finalists, objections sent to the agency, results.
    "call_finalist": G.DECISIONS,
    "objection_received": G.QUESTIONS,
    "call_results": G.DECISIONS,
    # Calls and competitions (issue #18, COMP-A): entries closed, a stage's outcome; a reviewer's invitation
    # and assignments.
    "call_entries_closed": G.DECISIONS,
    "call_stage_outcome": G.DECISIONS,
    "call_reviewer_invited": G.REVIEWS,
    "call_review_assigned": G.REVIEWS,
}
# Without a row, everything is emailed at once, as before settings existed (people opt into digests).
DEFAULT_CHANNELS: dict[str, str] = {group: NotificationSetting.Channel.IMMEDIATE for group in G.values}
GROUP_CHANNELS: dict[str, list[str]] = {
    group: (["in_app", "immediate"] if group in (G.FOLLOWS, G.DIGESTS) else ["in_app", "immediate", "daily", "weekly"])
    for group in G.values
}
