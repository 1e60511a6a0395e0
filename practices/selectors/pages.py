"""Reading a stored practice page (practices.models.pages): one query says whether a valid page is kept for
this practice and language, and, if not, under which version and generation a fresh rendering is to be kept."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections, router
from django.utils.safestring import SafeString, mark_safe

from ..models import Practice, PracticePage

# What a render key digests: what draws a page (templates, template tags and the code they call) and its words.
_RENDER_SUFFIXES = (".html", ".py", ".mo")


@dataclass(frozen=True)
class StoredPageParts:
    title: str
    summary: str
    head_html: SafeString
    body_html: SafeString


@dataclass(frozen=True)
class StoredPageLookup:
    """`practice_id` is None when no published practice has the slug (the live path answers 404)."""

    practice_id: int | None
    version: int = 0
    generation: int = 0
    fingerprint: str = ""
    parts: StoredPageParts | None = None


@functools.cache
def render_key() -> str:
    """A digest of this release's templates, translations and Python code (and the settings that shape URLs in
    a page), read once per process: a page stored by another release never matches."""
    digest = hashlib.blake2b(digest_size=16)
    base = Path(settings.BASE_DIR).resolve()
    roots = {base / "templates", base / "locale"}
    app_paths = (Path(app.path).resolve() for app in apps.get_app_configs())
    roots.update(path for path in app_paths if path.is_relative_to(base))
    for root in sorted(roots):
        for path in sorted(root.rglob("*")):
            if path.suffix in _RENDER_SUFFIXES and "migrations" not in path.parts and path.is_file():
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    manifest = Path(settings.STATIC_ROOT or base / "var" / "staticfiles") / "staticfiles.json"
    if manifest.is_file():
        digest.update(manifest.read_bytes())
    digest.update(repr((settings.STATIC_URL, settings.MEDIA_URL, getattr(settings, "STORAGES", None))).encode())
    return digest.hexdigest()


def practice_page_stored(*, slug: str, language: str) -> StoredPageLookup:
    """The kept page of the published practice `slug` in `language` if it is still valid, else what a new
    rendering is to be stored under. One query by the practice's slug (unique) and the page's key, through the
    function `practices_page_lookup` (migration practices/0022), which also digests what the page shows of the
    practice, its live revision and its source (the fingerprint)."""
    # The function keeps its plan per connection: planning the statement each time cost more than running it.
    with connections[router.db_for_read(PracticePage)].cursor() as cursor:
        cursor.execute(
            "SELECT * FROM practices_page_lookup(%s, %s, %s, %s)",
            [slug, language, render_key(), Practice.Status.PUBLISHED],
        )
        row = cursor.fetchone()
    if row is None:
        return StoredPageLookup(practice_id=None)
    practice_id, version, generation, fingerprint, title, summary, head_html, body_html = row
    parts = None
    if body_html is not None:
        # Rendered by this release's templates from the portal's own data (escaped there): kept as it was drawn.
        head_html, body_html = mark_safe(head_html), mark_safe(body_html)  # noqa: S308
        parts = StoredPageParts(title=title, summary=summary, head_html=head_html, body_html=body_html)
    return StoredPageLookup(
        practice_id=practice_id, version=version, generation=generation, fingerprint=fingerprint, parts=parts
    )
