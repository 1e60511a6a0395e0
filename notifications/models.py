from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(email=""), name="notification_has_recipient"
            ),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

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
        SENT = "sent", _("Terkirim")
        FAILED = "failed", _("Gagal")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("pengiriman")
        verbose_name_plural = _("pengiriman")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["pending", "sent", "failed"]), name="delivery_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False), name="delivery_sent_has_time"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"], name="delivery_pending")]

    def __str__(self) -> str:
        return self.key
