from django.utils.functional import SimpleLazyObject

from .selectors import notification_unread_count


def notifications(request):
    """The unread count for the navigation: one query, and only when a template reads it."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user))}
