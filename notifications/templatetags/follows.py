from django import template

from ..models import Follow
from ..selectors import follow_for_target

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_current(context, kind: str, target) -> Follow | None:
    """The logged-in user's follow of `target` (one query), None for anonymous visitors (cached pages)."""
    request = context.get("request")
    if request is None:
        return None
    return follow_for_target(user=request.user, kind=kind, target=target)


@register.simple_tag
def follow_frequencies(*, public: bool = False):
    return [c for c in Follow.Frequency.choices if not (public and c[0] == Follow.Frequency.OFF)]
