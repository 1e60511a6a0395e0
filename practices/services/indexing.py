"""Writes of what search reads: practices' search vectors and the vocabulary that typos are corrected to."""

from __future__ import annotations

from django.db import connection, transaction

from common.cache import public_cache_invalidate

from ..search import PRACTICE_VECTOR_SQL

# The words of a practice `p` with live revision `r` that a misspelt query word may be corrected to: the
# `simple` lexemes (lower-case words) of the texts people search for, letters only, of a sensible length.
_PRACTICE_WORDS_SQL = """
    SELECT DISTINCT lexeme AS word FROM unnest(tsvector_to_array(to_tsvector('simple',
        concat_ws(' ', r.title, r.summary, r.problem, r.approach, r.impact)))) AS lexeme
    WHERE length(lexeme) BETWEEN 3 AND 60 AND lexeme ~ '^[[:alpha:]]+$'
"""
# Words of names and the glossary: found even when no published practice contains them yet (a glossary word
# leads to the practices of the other language).
_NAME_WORDS_SQL = """
    SELECT DISTINCT lexeme AS word FROM (
        SELECT name AS t FROM agencies_agency UNION ALL SELECT acronym FROM agencies_agency
        UNION ALL SELECT name FROM agencies_region
        UNION ALL SELECT name_id FROM practices_theme UNION ALL SELECT name_en FROM practices_theme
        UNION ALL SELECT indonesian FROM practices_glossaryterm UNION ALL SELECT english FROM practices_glossaryterm
    ) texts, unnest(tsvector_to_array(to_tsvector('simple', texts.t))) AS lexeme
    WHERE length(lexeme) BETWEEN 3 AND 60 AND lexeme ~ '^[[:alpha:]]+$'
"""


def practice_search_vector_update(*, practice_id: int) -> None:
    """Rewrite one practice's search vector from its live revision and names (the publish transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE practices_practice p SET search_vector = {PRACTICE_VECTOR_SQL}
            FROM practices_practicerevision r WHERE r.id = p.live_revision_id AND p.id = %s
            """,  # noqa: S608 - a constant of the code, no user input
            [practice_id],
        )


@transaction.atomic
def practice_search_vectors_refresh(*, agency_ids: list[int] | None = None, theme_ids: list[int] | None = None) -> int:
    """Rewrite the search vectors of the agencies' practices, or of the practices in the themes (all practices
    with neither): after an agency or a region was renamed, or a theme's names changed. Returns the number of
    practices rewritten.

    One UPDATE; harmless when repeated (a retried task writes the same vectors). The public cache version is
    bumped so that kept search decisions and pages are computed again."""
    where, params = "", []
    if agency_ids is not None:
        where, params = "AND p.agency_id = ANY(%s)", [list(agency_ids)]
    elif theme_ids is not None:
        where = "AND p.id IN (SELECT practice_id FROM practices_practice_themes WHERE theme_id = ANY(%s))"
        params = [list(theme_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE practices_practice p SET search_vector = {PRACTICE_VECTOR_SQL}
            FROM practices_practicerevision r WHERE r.id = p.live_revision_id {where}
            """,  # noqa: S608 - constants of the code; the ids are parameters
            params,
        )
        count = cursor.rowcount
    transaction.on_commit(public_cache_invalidate)
    return count


def search_vocabulary_add(*, practice_id: int) -> None:
    """Add the words of a practice just published to the vocabulary (its frequencies approximate until the next
    rebuild: a re-publication counts its words again)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO practices_searchword (word, frequency)
            SELECT w.word, 1 FROM practices_practice p
            JOIN practices_practicerevision r ON r.id = p.live_revision_id,
            LATERAL ({_PRACTICE_WORDS_SQL}) w
            WHERE p.id = %s
            ON CONFLICT (word) DO UPDATE SET frequency = practices_searchword.frequency + 1
            """,  # noqa: S608 - constants of the code
            [practice_id],
        )


def search_vocabulary_names_add() -> None:
    """Add the words of agency, region and theme names and of the glossary (after a reference load or a glossary
    edit); words already there keep their frequency."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO practices_searchword (word, frequency) SELECT word, 0 FROM ({_NAME_WORDS_SQL}) names
            ON CONFLICT (word) DO NOTHING
            """  # noqa: S608 - constants of the code
        )


@transaction.atomic
def search_vocabulary_rebuild() -> int:
    """Recount the vocabulary from the published practices, names and glossary; words no longer anywhere go.

    Run by `load_reference_data`, the benchmark seed and the nightly jobs (a few seconds at 100,000 practices);
    idempotent. Returns the number of words."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM practices_searchword")
        cursor.execute(
            f"""
            INSERT INTO practices_searchword (word, frequency)
            SELECT word, sum(n)::int FROM (
                SELECT w.word, 1 AS n FROM practices_practice p
                JOIN practices_practicerevision r ON r.id = p.live_revision_id,
                LATERAL ({_PRACTICE_WORDS_SQL}) w
                WHERE p.status = 'published'
                UNION ALL
                SELECT word, 0 FROM ({_NAME_WORDS_SQL}) names
            ) counted GROUP BY word
            """  # noqa: S608 - constants of the code
        )
        cursor.execute("SELECT count(*) FROM practices_searchword")
        return cursor.fetchone()[0]


def glossary_changed() -> None:
    """After ministry staff edited the glossary: its words join the vocabulary and the kept search decisions
    (which hold the expanded queries) are computed again."""
    search_vocabulary_names_add()
    public_cache_invalidate()
