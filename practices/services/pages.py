"""Keeping the stored practice pages valid (practices.models.pages): versions bumped in the transaction of the
change that makes a page stale, and the upsert of a page a view has just rendered.

The changes are those the services already announce to the page cache (`common.cache`): this module listens to
the same announcements (`page_invalidation_listen`, connected in `PracticesConfig.ready`), so a service that
keeps the cached pages fresh keeps the stored ones fresh too, with no second call to forget.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable

from django.db import DatabaseError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from ..cache_tags import practice_slug_from_tag
from ..models import Practice, PracticeNeighbours, PracticePage, PracticePageGeneration, PracticePageVersion

logger = logging.getLogger(__name__)


def practice_pages_on_invalidate(tags: list[str] | None) -> None:
    """The listener of `common.cache`'s invalidations: `None` ("everything may have changed") bumps the
    generation; tags naming practices bump those practices' versions (other tags show on no practice page)."""
    if tags is None:
        practice_pages_invalidate_all()
        return
    slugs = [slug for slug in map(practice_slug_from_tag, tags) if slug]
    if slugs:
        practice_pages_invalidate(slugs=slugs)


def practice_pages_invalidate_all() -> None:
    """Every stored page stale at once: one row updated, the pages are rendered again when next viewed."""
    PracticePageGeneration.objects.filter(pk=1).update(value=F("value") + 1)


def practice_pages_invalidate(*, slugs: Iterable[str]) -> None:
    """Bump the page version of the practices `slugs`, of the practices replicating them (their page shows the
    source's title and state) and of those whose neighbour lists name them (their cards show on those pages)."""
    slugs = sorted(set(slugs))
    if not slugs:
        return
    practices, versions = Practice._meta.db_table, PracticePageVersion._meta.db_table
    neighbours = PracticeNeighbours._meta.db_table
    # Table names of the models only; the slugs are a parameter. Rows in id order: two bumps never deadlock.
    sql = f"""
        WITH changed AS (SELECT array_agg(id) AS ids FROM {practices} WHERE slug = ANY(%s)),
        affected AS (
            SELECT unnest(ids) AS id FROM changed
            UNION SELECT p.id FROM {practices} p, changed WHERE p.source_id = ANY(changed.ids)
            UNION SELECT n.practice_id FROM {neighbours} n, changed
                WHERE n.related && changed.ids OR n.like_you && changed.ids
        )
        INSERT INTO {versions} (practice_id, version)
        SELECT id, 1 FROM affected WHERE id IS NOT NULL ORDER BY id
        ON CONFLICT (practice_id) DO UPDATE SET version = {versions}.version + 1
    """  # noqa: S608
    with connections[router.db_for_write(PracticePageVersion)].cursor() as cursor:
        cursor.execute(sql, [slugs])


def practice_page_version_bump(*, practice_ids: Iterable[int]) -> None:
    """Bump the page version of these practices alone (their neighbour lists changed)."""
    ids = sorted(set(practice_ids))
    if not ids:
        return
    versions = PracticePageVersion._meta.db_table
    with connections[router.db_for_write(PracticePageVersion)].cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {versions} (practice_id, version) SELECT unnest(%s::bigint[]), 1
                ON CONFLICT (practice_id) DO UPDATE SET version = {versions}.version + 1""",  # noqa: S608
            [ids],
        )


def practice_page_store(
    *,
    practice_id: int,
    language: str,
    version: int,
    generation: int,
    render_key: str,
    fingerprint: str,
    title: str,
    summary: str,
    head_html: str,
    body_html: str,
) -> bool:
    """Keep a page a view has rendered, under the version and generation it read before rendering (a change
    committed since has bumped them: the page is then never served). A database that refuses the write (a
    read-only replica, a failover) costs only the next view's rendering; returns whether it was kept."""
    table = PracticePage._meta.db_table
    using = router.db_for_write(PracticePage)
    # One statement is atomic on its own: in autocommit (a view) it needs no BEGIN and COMMIT. Inside a
    # transaction a savepoint keeps a refusal from breaking the rest of it.
    guard = transaction.atomic(using=using) if connections[using].in_atomic_block else contextlib.nullcontext()
    try:
        with guard, connections[using].cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (practice_id, language, version, generation, render_key, fingerprint,
                        title, summary, head_html, body_html, rendered_at)
                    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
                    ON CONFLICT (practice_id, language) DO UPDATE SET version = EXCLUDED.version,
                        generation = EXCLUDED.generation, render_key = EXCLUDED.render_key,
                        fingerprint = EXCLUDED.fingerprint,
                        title = EXCLUDED.title, summary = EXCLUDED.summary,
                        head_html = EXCLUDED.head_html, body_html = EXCLUDED.body_html,
                        rendered_at = EXCLUDED.rendered_at""",  # noqa: S608
                [
                    practice_id,
                    language,
                    version,
                    generation,
                    render_key,
                    fingerprint,
                    title,
                    summary,
                    head_html,
                    body_html,
                    timezone.now(),
                ],
            )
    except DatabaseError:
        logger.warning("practice page %s (%s) not stored", practice_id, language, exc_info=True)
        return False
    return True
