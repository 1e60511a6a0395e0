"""Counts of several chosen filters, kept as a cube (issue #20).

A list with two or more filters (a theme, a stage and a kind of agency, say) counted its facets from the facet
rows of the chosen theme, so its cost grew with the practices: 43 ms of SQL at 100,000, 126 ms at 300,000.
`practices_facetcube` keeps the counts per cell of five groupings (`mask`, the same numbers as `CUBE_MASKS` in
practices/selectors/facets.py), each a set of the dimensions theme, agency, stage, evidence level and primary
theme; a dimension a grouping does not keep holds 0 or ''. A trigger on the facet rows adds and subtracts each
row's cells in the writing transaction, under the facet writers' advisory lock (0018), and
`practices_facets_rebuild()` (as in 0023, with the cube) recomputes them with the other kept counts.
"""

import importlib

from django.db import migrations, models

kept_replications = importlib.import_module("practices.migrations.0023_kept_replications")
LOCK = kept_replications.LOCK

# The cells of one facet row: (mask, theme, agency, stage, evidence level, primary theme) and its measures.
CELLS = """
-- The instant before which a listed, not flagged practice counts as stale in the cube (its `stale` measure):
-- the freshness cutoff when the cube was last brought up to it (practices_facets_restale); the list counts the
-- few practices confirmed between it and today's cutoff from their facet rows.
-- Not a model (one row, read by SQL only); IF NOT EXISTS: a test's migrator drops the models' tables only.
CREATE TABLE IF NOT EXISTS practices_facetcube_stale (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    before timestamptz NOT NULL
);
INSERT INTO practices_facetcube_stale (before) VALUES (date_trunc('day', now()) - interval '184 days')
ON CONFLICT (one) DO NOTHING;

CREATE OR REPLACE FUNCTION practices_facetcube_stale_before() RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT COALESCE((SELECT before FROM practices_facetcube_stale), '-infinity')
$$;

CREATE OR REPLACE FUNCTION practices_facet_cells(r practices_practicefacets)
RETURNS TABLE(mask smallint, theme_id int, agency_id int, stage text, evidence_level text, primary_theme_id int,
              n int, reached int, replicated int, stopped int, nrc int, stale int)
LANGUAGE sql STABLE AS $$
    WITH m(n, reached, replicated, stopped, nrc, stale) AS (
        SELECT (NOT r.stopped)::int, (NOT r.stopped AND r.reached_target)::int,
            (NOT r.stopped AND r.replicated)::int, r.stopped::int, (NOT r.stopped AND r.not_recently_confirmed)::int,
            (NOT r.stopped AND NOT r.not_recently_confirmed
             AND r.confirmed_since < practices_facetcube_stale_before())::int
    ), themed(id) AS (SELECT unnest(r.theme_ids))
    SELECT 1::smallint, t.id, r.agency_id, r.stage::text, r.evidence_level::text, COALESCE(r.primary_theme_id, 0), m.*
        FROM themed t, m
    UNION ALL SELECT 2::smallint, 0, r.agency_id, r.stage, r.evidence_level, COALESCE(r.primary_theme_id, 0), m.*
        FROM m
    UNION ALL SELECT 3::smallint, t.id, r.agency_id, r.stage, '', 0, m.* FROM themed t, m
    UNION ALL SELECT 4::smallint, t.id, r.agency_id, '', r.evidence_level, 0, m.* FROM themed t, m
    UNION ALL SELECT 5::smallint, 0, r.agency_id, r.stage, r.evidence_level, 0, m.* FROM m
$$;
"""

CUBE_REBUILD = """
    DELETE FROM practices_facetcube;
    INSERT INTO practices_facetcube (mask, theme_id, agency_id, stage, evidence_level, primary_theme_id,
                                     n, reached, replicated, stopped, nrc, stale)
    SELECT c.mask, c.theme_id, c.agency_id, c.stage, c.evidence_level, c.primary_theme_id,
        sum(c.n), sum(c.reached), sum(c.replicated), sum(c.stopped), sum(c.nrc), sum(c.stale)
    FROM practices_practicefacets f, practices_facet_cells(f) c GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 2, 4, 5, 3, 6;  -- in key order: a grouping's slice of a theme and stage lies on few pages"""

TRIGGER = f"""
CREATE OR REPLACE FUNCTION practices_facetcube_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF practices_facets_bulk() THEN RETURN NULL; END IF;
    PERFORM pg_advisory_xact_lock({LOCK});
    -- one statement, in key order: the same order in every transaction
    INSERT INTO practices_facetcube AS cube (mask, theme_id, agency_id, stage, evidence_level, primary_theme_id,
                                             n, reached, replicated, stopped, nrc, stale)
    SELECT k.mask, k.theme_id, k.agency_id, k.stage, k.evidence_level, k.primary_theme_id,
        sum(k.d * k.n), sum(k.d * k.reached), sum(k.d * k.replicated), sum(k.d * k.stopped), sum(k.d * k.nrc),
        sum(k.d * k.stale)
    FROM (
        SELECT o.*, -1 AS d FROM practices_facet_cells(OLD) o WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT c.*, 1 FROM practices_facet_cells(NEW) c WHERE TG_OP <> 'DELETE'
    ) k GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(k.d * k.n) <> 0 OR sum(k.d * k.reached) <> 0 OR sum(k.d * k.replicated) <> 0
        OR sum(k.d * k.stopped) <> 0 OR sum(k.d * k.nrc) <> 0 OR sum(k.d * k.stale) <> 0
    ORDER BY 1, 2, 4, 5, 3, 6
    ON CONFLICT (mask, theme_id, stage, evidence_level, agency_id, primary_theme_id) DO UPDATE SET
        n = cube.n + EXCLUDED.n, reached = cube.reached + EXCLUDED.reached,
        replicated = cube.replicated + EXCLUDED.replicated, stopped = cube.stopped + EXCLUDED.stopped,
        nrc = cube.nrc + EXCLUDED.nrc, stale = cube.stale + EXCLUDED.stale;
    RETURN NULL;
END $$;

-- Bring the cube's stale measure to the cutoff `upto`: the listed, not flagged practices confirmed between the
-- kept instant and `upto` become stale (or, if `upto` is earlier, stop being so), in one statement.
CREATE OR REPLACE FUNCTION practices_facets_restale(upto timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    kept timestamptz;
    moved integer;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
    kept := practices_facetcube_stale_before();
    IF upto = kept THEN RETURN 0; END IF;
    INSERT INTO practices_facetcube AS cube (mask, theme_id, agency_id, stage, evidence_level, primary_theme_id,
                                             n, reached, replicated, stopped, nrc, stale)
    SELECT c.mask, c.theme_id, c.agency_id, c.stage, c.evidence_level, c.primary_theme_id, 0, 0, 0, 0, 0,
        count(*) * sign(extract(epoch FROM upto - kept))::int
    FROM practices_practicefacets f, practices_facet_cells(f) c
    WHERE NOT f.stopped AND NOT f.not_recently_confirmed
        AND f.confirmed_since >= LEAST(kept, upto) AND f.confirmed_since < GREATEST(kept, upto)
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 4, 5, 3, 6
    ON CONFLICT (mask, theme_id, stage, evidence_level, agency_id, primary_theme_id) DO UPDATE SET
        stale = cube.stale + EXCLUDED.stale;
    GET DIAGNOSTICS moved = ROW_COUNT;
    INSERT INTO practices_facetcube_stale (before) VALUES (upto) ON CONFLICT (one) DO UPDATE SET before = upto;
    RETURN moved;
END $$;

CREATE TRIGGER practices_practicefacets_cube AFTER INSERT OR UPDATE OR DELETE ON practices_practicefacets
    FOR EACH ROW EXECUTE FUNCTION practices_facetcube_trg();
"""  # noqa: S608 - constants of the code, no input

REBUILD = kept_replications.REBUILD.format(lock=LOCK, replications=kept_replications.REPLICATIONS + CUBE_REBUILD)
# Room on each page for the trigger's updates of a cell (HOT updates stay on its page, in key order).
FILL = "ALTER TABLE practices_facetcube SET (fillfactor = 70);"
FORWARD = f"{CELLS}{TRIGGER}{REBUILD}\n{FILL}\nSELECT practices_facets_rebuild();\n"

BACKWARD = """
DROP FUNCTION IF EXISTS practices_facets_restale(timestamptz);
DROP TRIGGER IF EXISTS practices_practicefacets_cube ON practices_practicefacets;
DROP FUNCTION IF EXISTS practices_facetcube_trg();
DROP FUNCTION IF EXISTS practices_facet_cells(practices_practicefacets);
DROP FUNCTION IF EXISTS practices_facetcube_stale_before();
DROP TABLE IF EXISTS practices_facetcube_stale;
""" + kept_replications.REBUILD.format(lock=LOCK, replications=kept_replications.REPLICATIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0024_listed_agency_title"),
    ]

    operations = [
        migrations.CreateModel(
            name="FacetCube",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("mask", models.SmallIntegerField()),
                ("theme_id", models.IntegerField(default=0)),
                ("agency_id", models.IntegerField()),
                ("stage", models.CharField(blank=True, max_length=12)),
                ("evidence_level", models.CharField(blank=True, max_length=20)),
                ("primary_theme_id", models.IntegerField(default=0)),
                ("n", models.IntegerField(default=0)),
                ("reached", models.IntegerField(default=0)),
                ("replicated", models.IntegerField(default=0)),
                ("stopped", models.IntegerField(default=0)),
                ("nrc", models.IntegerField(default=0)),
                ("stale", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "practices_facetcube",
                "indexes": [
                    models.Index(fields=["mask", "stage", "evidence_level"], name="facetcube_stage"),
                    models.Index(fields=["mask", "agency_id"], name="facetcube_agency"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("mask", "theme_id", "stage", "evidence_level", "agency_id", "primary_theme_id"),
                        name="facetcube_cell",
                        violation_error_message="Sel hitungan saringan ini sudah ada.",
                    )
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
