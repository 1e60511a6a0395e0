"""schema.org JSON-LD of a practice page (`{% practice_jsonld practice %}`): search engines and data portals
read the practice as a `CreativeWork` by a `GovernmentOrganization`, with its licence, theme and region.

The JSON goes inside a `<script type="application/ld+json">` data block: `<`, `>` and `&` are written as
`\\u003c`-style escapes (as Django's `json_script` does), so no title can close the element or open a comment.
A data block is never executed, so the Content-Security-Policy's `script-src` does not concern it (no nonce,
which would also differ between a cached page and its headers).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from common.opendata import LICENSE_URL, PUBLISHER_NAME, PUBLISHER_URL
from practices.models import Practice
from practices.selectors.translations import TRANSLATED_LANGUAGES, PracticeContent

from .exports import iso_datetime

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


def _path(name: str, *args, language: str = settings.LANGUAGE_CODE) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def practice_structured_data(*, practice: Practice, request=None, content: PracticeContent | None = None) -> dict:
    """The practice as schema.org data. Reads only what `practice_public_get` already selected (agency,
    region, province, primary theme): no query of its own.

    With `content` (the page's `practice_content`), the text is the one the page shows: a verified English
    version is its own `CreativeWork` in English, the `translationOfWork` of the Indonesian page, which in turn
    names it as its `workTranslation`."""
    agency = practice.agency
    author = {
        "@type": "GovernmentOrganization",
        "name": agency.name,
        "url": _absolute(request, _path("agencies:detail", agency.slug)),
    }
    if agency.acronym:
        author["alternateName"] = agency.acronym
    region = agency.region
    if region is not None:
        coverage = {"@type": "AdministrativeArea", "name": region.name, "identifier": region.code}
        if region.province_id:
            coverage["containedInPlace"] = {"@type": "AdministrativeArea", "name": region.province.name}
    else:
        coverage = {"@type": "Country", "name": "Indonesia", "identifier": "ID"}
    source_url = _absolute(request, _path("practices:detail", practice.slug))
    language = content.language if content is not None else settings.LANGUAGE_CODE
    url = (
        source_url
        if language == settings.LANGUAGE_CODE
        else _absolute(request, _path("practices:detail", practice.slug, language=language))
    )
    data = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "@id": url,
        "url": url,
        "identifier": str(practice.pk),
        "name": content.title if content is not None else practice.title,
        "description": content.summary if content is not None else practice.summary,
        "author": author,
        "publisher": {"@type": "GovernmentOrganization", "name": PUBLISHER_NAME, "url": PUBLISHER_URL},
        "inLanguage": language,  # Indonesian, or the language of the verified translation shown
        "license": LICENSE_URL,
        "isAccessibleForFree": True,
        "spatialCoverage": coverage,
    }
    if language != settings.LANGUAGE_CODE:
        data["translationOfWork"] = {"@id": source_url, "inLanguage": settings.LANGUAGE_CODE}
    elif content is not None and content.other_language_available:
        for code in TRANSLATED_LANGUAGES:
            other = _absolute(request, _path("practices:detail", practice.slug, language=code))
            data["workTranslation"] = {"@id": other, "inLanguage": code}
    if practice.published_at:
        data["datePublished"] = iso_datetime(practice.published_at)
    if practice.updated_at:
        data["dateModified"] = iso_datetime(practice.updated_at)
    if practice.primary_theme_id:
        theme = practice.primary_theme
        data["about"] = {
            "@type": "DefinedTerm",
            "name": theme.name,
            "termCode": theme.code,
            "url": _absolute(request, _path("practices:theme", theme.code)),
        }
    return data


def json_ld_script(data: dict) -> SafeString:
    """A `<script type="application/ld+json">` element that no value inside `data` can break out of."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
