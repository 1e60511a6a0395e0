from django.utils.functional import SimpleLazyObject

from agencies.models import Membership
from agencies.selectors import membership_for_user


def review_nav(request):
    """Whether the navigation shows "Tinjauan": moderators (no query) and agency admins (one query, lazily)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_review_nav": False}

    def _can() -> bool:
        if user.is_moderator:
            return True
        membership = membership_for_user(user=user)
        return membership is not None and membership.role == Membership.Role.ADMIN

    return {"can_review_nav": SimpleLazyObject(_can)}
