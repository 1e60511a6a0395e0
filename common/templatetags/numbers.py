from django import template

from common.formatting import number_display

register = template.Library()


@register.filter
def num(value) -> str:
    """A number in the active language's format, without trailing zeros (see `common.formatting`)."""
    return number_display(value)
