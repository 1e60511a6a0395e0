"""The replications of the listed practices, kept as one count (issue #20).

The home page's headline "replications" is the sum of `replication_count` over the listed practices (published,
not stopped): summed per request, it read every listed practice (88 ms at 300,000). A trigger on practices now
keeps that sum in `practices_facetcount` as the row ('replications', ''), under the facet writers' advisory lock,
and `practices_facets_rebuild()` recomputes it with the other kept counts (the same function as in 0018, with
that one row added).
"""

from django.db import migrations

LOCK = 2026020  # the facet writers' pg_advisory_xact_lock key (0018)

REBUILD = """
CREATE OR REPLACE FUNCTION practices_facets_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({lock});
    PERFORM set_config('rbx.facets_bulk', 'on', true);
    DELETE FROM practices_practicefacets;
    DELETE FROM practices_facetcount;
    DELETE FROM practices_facetpair;
    INSERT INTO practices_practicefacets
    SELECT p.id, p.agency_id, p.primary_theme_id, COALESCE(t.ids, '{{}}'),
        p.stage, p.evidence_level, p.start_year, p.reached_target, p.replication_count > 0,
        p.stopped_at IS NOT NULL, p.not_recently_confirmed, COALESCE(p.last_confirmed_at, p.published_at),
        p.published_at
    FROM practices_practice p
    LEFT JOIN (SELECT practice_id, array_agg(theme_id ORDER BY theme_id) AS ids
               FROM practices_practice_themes GROUP BY practice_id) t ON t.practice_id = p.id
    WHERE p.status = 'published';
    INSERT INTO practices_facetcount (facet, value, n)
    SELECT k.facet, k.value, count(*) FROM practices_practicefacets f, practices_facet_keys(f) k
    GROUP BY k.facet, k.value;
    INSERT INTO practices_facetpair (f1, v1, f2, v2, n)
    SELECT k.f1, k.v1, k.f2, k.v2, count(*) FROM practices_practicefacets f, practices_facet_pairs(f) k
    GROUP BY k.f1, k.v1, k.f2, k.v2;{replications}
    PERFORM set_config('rbx.facets_bulk', '', true);
END $$;
"""
REPLICATIONS = """
    INSERT INTO practices_facetcount (facet, value, n)
    SELECT 'replications', '', COALESCE(sum(p.replication_count), 0) FROM practices_practice p
    WHERE p.status = 'published' AND p.stopped_at IS NULL;"""

FORWARD = (
    REBUILD.format(lock=LOCK, replications=REPLICATIONS)  # noqa: S608 - constants of the code, no input
    + f"""
CREATE OR REPLACE FUNCTION practices_replications_trg() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    d bigint := 0;
BEGIN
    IF practices_facets_bulk() THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'published' AND OLD.stopped_at IS NULL THEN
        d := d - OLD.replication_count;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'published' AND NEW.stopped_at IS NULL THEN
        d := d + NEW.replication_count;
    END IF;
    IF d <> 0 THEN
        PERFORM pg_advisory_xact_lock({LOCK});
        INSERT INTO practices_facetcount (facet, value, n) VALUES ('replications', '', d)
        ON CONFLICT (facet, value) DO UPDATE SET n = practices_facetcount.n + EXCLUDED.n;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER practices_practice_replications
    AFTER INSERT OR UPDATE OF status, stopped_at, replication_count OR DELETE ON practices_practice
    FOR EACH ROW EXECUTE FUNCTION practices_replications_trg();
{REPLICATIONS.strip()}
"""  # noqa: S608 - constants of the code, no input
)

BACKWARD = """
DROP TRIGGER IF EXISTS practices_practice_replications ON practices_practice;
DROP FUNCTION IF EXISTS practices_replications_trg();
DELETE FROM practices_facetcount WHERE facet = 'replications';
""" + REBUILD.format(lock=LOCK, replications="")


class Migration(migrations.Migration):
    dependencies = [("practices", "0022_practice_page_lookup")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
