"""`{% practice_jsonld practice content %}`: schema.org JSON-LD for a practice page (loaded by the practices
template, which imports nothing of insights), and `{% data_catalogue_link %}` for the page head."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..schemaorg import json_ld_script, practice_structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def practice_jsonld(context, practice, content=None):
    """`content`: the page's `practice_content` (its language and text), so the data says what the page shows."""
    return json_ld_script(practice_structured_data(practice=practice, request=context.get("request"), content=content))


@register.simple_tag
def data_catalogue_link():
    """`<link rel="alternate">` to the DCAT-AP catalogue, for harvesters that start from a page."""
    return format_html(
        '<link rel="alternate" type="application/ld+json" href="{}" title="{}">',
        reverse("exports:catalogue"),
        _("Katalog data terbuka (DCAT-AP, JSON-LD)"),
    )
