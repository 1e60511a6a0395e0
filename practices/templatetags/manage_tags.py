from django import template

from agencies.selectors import membership_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def has_agency_membership(context) -> bool:
    """True when the request's user has an active agency membership (shows the "Praktik saya" link)."""
    request = context.get("request")
    return bool(request and membership_for_user(user=request.user))
