"""Template helpers for the public pages: language alternates and evidence badges."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag(takes_context=True)
def alternate_links(context) -> str:
    """<link rel="alternate" hreflang> for each interface language, pointing at this page in that language."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.get_full_path()
    links = [(code, request.build_absolute_uri(translate_url(path, code))) for code, _name in settings.LANGUAGES]
    default = request.build_absolute_uri(translate_url(path, settings.LANGUAGE_CODE))
    return format_html_join("\n", '<link rel="alternate" hreflang="{}" href="{}">', links) + format_html(
        '\n<link rel="alternate" hreflang="x-default" href="{}">', default
    )


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str = "") -> str:
    request = context.get("request")
    return request.build_absolute_uri(path or request.get_full_path()) if request else path
