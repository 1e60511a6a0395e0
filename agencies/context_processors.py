from django.utils.functional import SimpleLazyObject

from .roles import portal_permissions


def permissions(request):
    """`can` in every template: what the navigation and pages may offer (`can.manage`, `can.review`, ...), from
    the access layer. Lazy: a page that never asks costs no query; one that does costs one (memoised)."""
    user = getattr(request, "user", None)
    return {"can": SimpleLazyObject(lambda: portal_permissions(user=user))}
