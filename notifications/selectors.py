from django.db.models import QuerySet

from .models import Notification


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).only("id", "subject", "body", "target_url", "created_at", "read_at")


def notification_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()
