"""Public pages of collections: the list, a collection's page and its decree (PDF)."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.cache import public_cache_page
from practices.selectors.translations import practices_shown_text

from ..access import collection_can_curate, collection_get_for_user
from ..selectors import collection_items, collection_public_list


@require_safe
@public_cache_page
def collection_list(request):
    return render(request, "showcases/collection_list.html", {"collections": list(collection_public_list())})


@require_safe
@public_cache_page
def collection_detail(request, slug):
    collection = collection_get_for_user(user=request.user, slug=slug)
    items = collection_items(collection=collection)
    practices_shown_text([item.practice for item in items])  # the cards' titles in the reader's language
    context = {
        "collection": collection,
        "items": items,
        "can_curate": request.user.is_authenticated and collection_can_curate(user=request.user),
    }
    return render(request, "showcases/collection_detail.html", context)


@require_safe
def decree_download(request, slug):
    """The decree of an award collection: a download, never shown inline (the attachments' headers)."""
    collection = collection_get_for_user(user=request.user, slug=slug)
    if not collection.decree_file:
        raise Http404
    try:
        handle = collection.decree_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=f"sk-{collection.slug}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if not collection.is_published:
        response["Cache-Control"] = "private, no-store"
    return response
