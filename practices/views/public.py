"""Public pages: anyone may read them, and they show only published practices."""

from __future__ import annotations

import functools
from dataclasses import asdict

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from common.cache import public_cache_page
from common.htmx import htmx_partial, varies_on_htmx
from common.ratelimit import ratelimit

from .. import cache_tags
from ..access import attachment_get_for_user, practice_can_see_contact
from ..charts import indicator_chart
from ..images import COVER_MIME, qr_svg
from ..models import Attachment
from ..panels import panels_for
from ..selectors import history
from ..selectors import public as selectors
from ..selectors.pages import StoredPageParts, practice_page_stored, render_key
from ..selectors.translations import practice_content, practices_shown_text
from ..services.pages import practice_page_store


@require_safe
@public_cache_page(tags=cache_tags.home_tags)
def home(request):
    panels = panels_for(slot="home", request=request)  # the apps above practices (practices/panels.py)
    return render(request, "practices/home.html", {**selectors.home_overview(), "panels": panels})


def _is_search(request) -> bool:
    return bool(request.GET.get("q", "").strip())


@require_safe
@varies_on_htmx
@ratelimit(key="search", rate="60/m", when=_is_search)  # before the page cache, so cached answers count too
@public_cache_page(tags=cache_tags.list_tags)
def practice_list(request):
    result = selectors.practice_list(data=request.GET, page_number=request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"result": result, "page_obj": result.page, "querystring": params.urlencode()}
    if result.plan.text and result.plan.mode == "none":
        context["suggested_themes"] = [t for t in selectors.theme_list_with_counts() if t.practice_count]
    if htmx_partial(request):
        return render(request, "practices/public/practice_list.html#browser", context)
    return render(request, "practices/public/practice_list.html", context)


@require_safe
@public_cache_page(tags=cache_tags.practice_page_tags)
def practice_detail(request, slug):
    language = get_language()
    # Anonymous visitors all see the same page: its parts are kept in the database until a change announced for
    # the practice makes them stale (practices.models.pages), so a view of a kept page is one query.
    anonymous = not request.user.is_authenticated
    stored = practice_page_stored(slug=slug, language=language) if anonymous else None
    if stored is not None and stored.parts is not None:
        return render(request, "practices/public/practice_detail.html", {"page": stored.parts})
    practice = selectors.practice_public_get(slug=slug)
    # The text in the reader's language when a verified translation exists, else the Indonesian original.
    content = practice_content(practice=practice, language=language)
    revision = content.revision
    body = functools.cache(lambda: selectors.practice_public_body(practice=practice))
    related, like_you = selectors.practice_neighbours_kept(practice=practice)
    # Their titles in the reader's language: one query on /en/ for both lists (kept lists carry no language).
    practices_shown_text([*related, *like_you, practice.source])
    context = {
        "practice": practice,
        "revision": revision,
        "content": content,
        "content_key": content.cache_key,
        # Called by the template only when the revision's part of the page is not kept as a fragment.
        "charts": lambda: [indicator_chart(indicator) for indicator in body().indicators],
        "attachments": lambda: body().attachments,
        "source_key": repr(
            (practice.source_id, practice.source and (practice.source.status, practice.source.shown_title))
        ),
        "related": related,
        "show_contact_email": practice_can_see_contact(user=request.user),
        "region": practice.agency.region,
        "like_you": like_you,
        "panels": panels_for(slot="practice", request=request, practice=practice),  # practices/panels.py
    }
    parts = StoredPageParts(
        title=content.title,
        summary=content.summary,
        head_html=render_to_string("practices/public/_practice_head.html", context, request),
        body_html=render_to_string("practices/public/_practice_page.html", context, request),
    )
    if stored is not None and stored.practice_id == practice.pk:
        practice_page_store(
            practice_id=practice.pk,
            language=language,
            version=stored.version,
            generation=stored.generation,
            render_key=render_key(),
            fingerprint=stored.fingerprint,
            **asdict(parts),
        )
    return render(request, "practices/public/practice_detail.html", {"page": parts})


@require_safe
@public_cache_page
def theme_index(request):
    return render(request, "practices/public/theme_index.html", {"themes": selectors.theme_list_with_counts()})


@require_safe
@public_cache_page(tags=cache_tags.theme_page_tags)
def theme_detail(request, code):
    theme = selectors.theme_public_get(code=code)
    return render(
        request, "practices/public/theme_detail.html", {"theme": theme, **selectors.theme_overview(theme=theme)}
    )


@require_safe
@public_cache_page(tags=cache_tags.practice_page_tags)
def practice_history(request, slug):
    practice = selectors.practice_public_get(slug=slug)
    return render(
        request,
        "practices/public/practice_history.html",
        {"practice": practice, "entries": history.practice_history(practice=practice)},
    )


@require_safe
@public_cache_page(tags=cache_tags.practice_page_tags)
def practice_handout(request, slug):
    """A one-page handout to print: key facts, indicators, the agency's contact, the page's URL and its QR code."""
    practice = selectors.practice_public_get(slug=slug)
    content = practice_content(practice=practice, language=get_language())  # as the practice page shows it
    url = request.build_absolute_uri(reverse("practices:detail", kwargs={"slug": practice.slug}))
    indicators = selectors.practice_public_body(practice=practice).indicators
    for indicator in indicators:
        values = list(indicator.values.all())  # prefetched, in date order
        indicator.latest_value = values[-1] if values else None
    context = {
        "practice": practice,
        "revision": content.revision,
        "content": content,
        "indicators": indicators,
        "region": practice.agency.region,
        "show_contact_email": practice_can_see_contact(user=request.user),
        "page_url": url,
        "qr_svg": qr_svg(url),
    }
    return render(request, "practices/public/practice_handout.html", context)


@require_safe
def cover_image(request, pk: int, width: int):
    """One resized variant of a cover image, with the access rule of every download.

    A cover that a published revision showed is public (`attachment_get_for_user`) and cached by browsers and
    proxies for a day; one still being written is seen only by those who may see the draft, and not kept."""
    attachment = attachment_get_for_user(user=request.user, pk=pk)
    name = next((v["name"] for v in attachment.variants if v["width"] == width), None)
    if attachment.purpose != Attachment.Purpose.COVER or name is None:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=COVER_MIME)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    practice = attachment.practice
    shown = practice.status == practice.Status.PUBLISHED and (practice.cover or {}).get("id") == attachment.pk
    # A variant's bytes never change (a new cover is a new attachment with new URLs), so a long lifetime is safe.
    response["Cache-Control"] = "public, max-age=86400, immutable" if shown else "private, no-store"
    return response
