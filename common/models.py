"""The one table the shared layer keeps: API responses stored under the client's Idempotency-Key."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentResponse(models.Model):
    """The answer to one write request, kept 24 h so that a retry with the same key gets it again.

    `user_id` is a plain integer (common sits below accounts); `fingerprint` is the SHA-256 of method, path and
    body, so a key reused for a different request is refused rather than answered with someone else's response.
    A row exists from the moment the request starts (`status` 0) so that a concurrent retry waits on it.
    """

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.BinaryField(default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "key"],
                name="idempotent_response_unique_key",
                violation_error_message=_("Anda sudah memakai Idempotency-Key ini."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key} → {self.status}"
