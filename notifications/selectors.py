from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from .models import DEFAULT_CHANNELS, Delivery, Follow, Notification, NotificationSetting, PublishFanOut


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


def notification_settings_for(*, user) -> dict[str, str]:
    """The user's channel for every kind group (group → channel), the defaults filled in."""
    chosen = dict(NotificationSetting.objects.filter(user=user).values_list("group", "channel"))
    return {group: chosen.get(group, default) for group, default in DEFAULT_CHANNELS.items()}


def notification_channels(*, user_ids, group: str) -> dict[int, str]:
    """The users' channel for one group, in one query (user id → channel; the default for users without a row)."""
    ids = list(user_ids)
    chosen = dict(NotificationSetting.objects.filter(user_id__in=ids, group=group).values_list("user_id", "channel"))
    return {pk: chosen.get(pk, DEFAULT_CHANNELS[group]) for pk in ids}


def follows_for_email(*, email: str) -> QuerySet[Follow]:
    """An email-only follower's follows (the follower page reached by the signed link in their emails)."""
    return (
        Follow.objects.filter(user=None, email=email)
        .select_related("theme", "province", "agency")
        .order_by("kind", "id")
    )


def outbox_backlog() -> dict:
    """What the outbox still has to do, for /metrics: emails pending or being sent, publish fan-outs pending, and
    the age in seconds of the oldest email still pending (0 when none). Two queries on partial-index columns."""
    waiting = (Delivery.State.PENDING, Delivery.State.SENDING, Delivery.State.UNCERTAIN)
    deliveries = Delivery.objects.filter(state__in=waiting).aggregate(n=Count("id"), oldest=Min("created_at"))
    oldest = deliveries["oldest"]
    return {
        "deliveries_pending": deliveries["n"],
        "fanouts_pending": PublishFanOut.objects.filter(state=PublishFanOut.State.PENDING).count(),
        "oldest_pending_delivery_seconds": (timezone.now() - oldest).total_seconds() if oldest else 0.0,
    }
