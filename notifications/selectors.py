from django.db.models import QuerySet

from .models import Follow, Notification


def notification_list(*, user) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).only("id", "subject", "body", "target_url", "created_at", "read_at")


def notification_unread_count(*, user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.for_user(user).unread().count()


def follows_for_user(*, user) -> QuerySet[Follow]:
    return Follow.objects.for_user(user).select_related("theme", "province", "agency").order_by("kind", "id")


def follow_by_token(*, token: str) -> Follow | None:
    return Follow.objects.select_related("theme", "province", "agency").filter(token=token).first()


def follow_for_target(*, user, kind: str, target) -> Follow | None:
    """The user's follow of a target (for the follow button); None for anonymous visitors."""
    if target is None or not user.is_authenticated:
        return None
    return Follow.objects.filter(user=user, kind=kind, **{kind: target}).first()
