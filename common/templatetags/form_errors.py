from django import template

from common.forms import error_summary_items

register = template.Library()


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_or_formsets):
    """`{% error_summary form formset ... %}`: the box at the top of a page listing every error, each a link to
    its field (forms.js moves the focus to the box when the page loads, and to the field when a link is used)."""
    return {"errors": error_summary_items(*forms_or_formsets)}
