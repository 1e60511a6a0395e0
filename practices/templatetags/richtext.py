from django import template

from common.richtext import richtext_render

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str):
    """Render stored Markdown as sanitised HTML: `{{ revision.problem|markdown }}`."""
    return richtext_render(value or "")
