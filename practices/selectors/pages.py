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

from ..models import Practice, PracticePage, PracticePageGeneration, PracticePageVersion, PracticeRevision

# What the page shows of the practice's row (p), its live revision (r) and its source (s), digested in the lookup.
FINGERPRINT_SQL = """md5(concat_ws('|', p.updated_at, p.title, p.summary, p.evidence_level, p.replication_count,
    p.reached_target, p.stopped_at, p.last_confirmed_at, p.not_recently_confirmed, p.published_at,
    p.primary_theme_id, p.cover::text, p.live_revision_id, r.updated_at, s.id, s.status, s.title, s.updated_at))"""
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
    rendering is to be stored under. One query by the practice's slug (unique) and the page's key."""
    practices, pages = Practice._meta.db_table, PracticePage._meta.db_table
    versions, generations = PracticePageVersion._meta.db_table, PracticePageGeneration._meta.db_table
    revisions = PracticeRevision._meta.db_table
    # Table names of the models only; the values are parameters.
    sql = f"""
        SELECT p.id, COALESCE(v.version, 0), g.value, f.fingerprint, pp.title, pp.summary, pp.head_html,
            pp.body_html
        FROM {practices} p
        JOIN {generations} g ON g.id = 1
        LEFT JOIN {versions} v ON v.practice_id = p.id
        LEFT JOIN {revisions} r ON r.id = p.live_revision_id
        LEFT JOIN {practices} s ON s.id = p.source_id
        CROSS JOIN LATERAL (SELECT {FINGERPRINT_SQL} AS fingerprint) f
        LEFT JOIN {pages} pp ON pp.practice_id = p.id AND pp.language = %s
            AND pp.version = COALESCE(v.version, 0) AND pp.generation = g.value AND pp.render_key = %s
            AND pp.fingerprint = f.fingerprint
        WHERE p.slug = %s AND p.status = %s
    """  # noqa: S608
    with connections[router.db_for_read(PracticePage)].cursor() as cursor:
        cursor.execute(sql, [language, render_key(), slug, Practice.Status.PUBLISHED])
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
