from django.utils.functional import SimpleLazyObject

from .roles import portal_permissions
from .selectors import membership_for_user


def permissions(request):
    """`can` in every template: what the navigation and pages may offer (`can.manage`, `can.review`, ...), from
    the access layer, and `my_membership` (the person's active membership with its agency, or None: the account
    page shows it). Lazy: a page that never asks costs no query; one that does costs one (memoised)."""
    user = getattr(request, "user", None)
    return {
        "can": SimpleLazyObject(lambda: portal_permissions(user=user)),
        "my_membership": SimpleLazyObject(lambda: membership_for_user(user=user) if user else None),
    }
