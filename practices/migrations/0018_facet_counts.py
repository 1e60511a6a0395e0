"""The facet table and facet counts of the public list (issue #20), kept by triggers, and their backfill.

`practices_facets_sync(id)` rewrites one practice's facet row (none unless published) and is called by the
triggers on practices and their theme links; the trigger on the facet rows adds and subtracts their
contributions to `practices_facetcount`. All facet writers of a transaction take one advisory lock, so that two
concurrent publishes never deadlock on the shared count rows. `practices_facets_rebuild()` recomputes both
tables from the practices in bulk (this migration's backfill; `seed_bench` after loading with the triggers
paused by `SET LOCAL rbx.facets_bulk = 'on'`).
"""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models

LOCK = 2026020  # pg_advisory_xact_lock key of the facet writers

FORWARD = f"""
CREATE OR REPLACE FUNCTION practices_facet_keys(r practices_practicefacets) RETURNS TABLE(facet text, value text)
LANGUAGE sql IMMUTABLE AS $$
    SELECT 'stopped', '' WHERE r.stopped
    UNION ALL SELECT 'total', '' WHERE NOT r.stopped
    UNION ALL SELECT 'theme', t::text FROM unnest(r.theme_ids) t WHERE NOT r.stopped
    UNION ALL SELECT 'agency', r.agency_id::text WHERE NOT r.stopped
    UNION ALL SELECT 'ptheme', COALESCE(r.primary_theme_id::text, '') WHERE NOT r.stopped
    UNION ALL SELECT 'stage', r.stage WHERE NOT r.stopped
    UNION ALL SELECT 'evidence', r.evidence_level WHERE NOT r.stopped
    UNION ALL SELECT 'reached', '' WHERE NOT r.stopped AND r.reached_target
    UNION ALL SELECT 'replicated', '' WHERE NOT r.stopped AND r.replicated
    UNION ALL SELECT 'nrc', '' WHERE NOT r.stopped AND r.not_recently_confirmed
    -- the day (UTC) since which a listed, not flagged practice is known to run: the stale ones are counted by day
    UNION ALL SELECT 'since', to_char(r.confirmed_since AT TIME ZONE 'UTC', 'YYYY-MM-DD')
        WHERE NOT r.stopped AND NOT r.not_recently_confirmed AND r.confirmed_since IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION practices_facet_pairs(r practices_practicefacets)
RETURNS TABLE(f1 text, v1 text, f2 text, v2 text)
LANGUAGE sql IMMUTABLE AS $$
    WITH chosen(facet, value) AS (
        SELECT 'theme', t::text FROM unnest(r.theme_ids) t
        UNION ALL SELECT 'stage', r.stage
        UNION ALL SELECT 'evidence', r.evidence_level
        UNION ALL SELECT 'reached', '' WHERE r.reached_target
        UNION ALL SELECT 'replicated', '' WHERE r.replicated
    )
    SELECT c.facet, c.value, k.facet, k.value FROM chosen c, practices_facet_keys(r) k
$$;

CREATE OR REPLACE FUNCTION practices_facets_bulk() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT COALESCE(current_setting('rbx.facets_bulk', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION practices_facet_counts_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF practices_facets_bulk() THEN RETURN NULL; END IF;
    PERFORM pg_advisory_xact_lock({LOCK});
    -- one statement, in key order: the same order in every transaction
    INSERT INTO practices_facetcount (facet, value, n)
    SELECT k.facet, k.value, sum(k.d)::int FROM (
        SELECT o.facet, o.value, -1 AS d FROM practices_facet_keys(OLD) o WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT n.facet, n.value, 1 FROM practices_facet_keys(NEW) n WHERE TG_OP <> 'DELETE'
    ) k GROUP BY k.facet, k.value HAVING sum(k.d) <> 0 ORDER BY k.facet, k.value
    ON CONFLICT (facet, value) DO UPDATE SET n = practices_facetcount.n + EXCLUDED.n;
    INSERT INTO practices_facetpair (f1, v1, f2, v2, n)
    SELECT k.f1, k.v1, k.f2, k.v2, sum(k.d)::int FROM (
        SELECT o.f1, o.v1, o.f2, o.v2, -1 AS d FROM practices_facet_pairs(OLD) o WHERE TG_OP <> 'INSERT'
        UNION ALL
        SELECT n.f1, n.v1, n.f2, n.v2, 1 FROM practices_facet_pairs(NEW) n WHERE TG_OP <> 'DELETE'
    ) k GROUP BY k.f1, k.v1, k.f2, k.v2 HAVING sum(k.d) <> 0 ORDER BY k.f1, k.v1, k.f2, k.v2
    ON CONFLICT (f1, v1, f2, v2) DO UPDATE SET n = practices_facetpair.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION practices_facets_row(pid bigint) RETURNS SETOF practices_practicefacets
LANGUAGE sql STABLE AS $$
    SELECT p.id, p.agency_id, p.primary_theme_id,
        COALESCE((SELECT array_agg(pt.theme_id ORDER BY pt.theme_id) FROM practices_practice_themes pt
                  WHERE pt.practice_id = p.id), '{{}}'),
        p.stage, p.evidence_level, p.start_year, p.reached_target, p.replication_count > 0,
        p.stopped_at IS NOT NULL, p.not_recently_confirmed, COALESCE(p.last_confirmed_at, p.published_at),
        p.published_at
    FROM practices_practice p WHERE p.id = pid AND p.status = 'published'
$$;

CREATE OR REPLACE FUNCTION practices_facets_sync(pid bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    old_row practices_practicefacets;
    new_row practices_practicefacets;
BEGIN
    SELECT * INTO old_row FROM practices_practicefacets WHERE practice_id = pid;
    SELECT * INTO new_row FROM practices_facets_row(pid);
    IF old_row IS NOT DISTINCT FROM new_row THEN RETURN; END IF;
    PERFORM pg_advisory_xact_lock({LOCK});
    IF old_row.practice_id IS NOT NULL AND new_row.practice_id IS NOT NULL THEN
        UPDATE practices_practicefacets f SET
            agency_id = new_row.agency_id, primary_theme_id = new_row.primary_theme_id,
            theme_ids = new_row.theme_ids, stage = new_row.stage, evidence_level = new_row.evidence_level,
            start_year = new_row.start_year, reached_target = new_row.reached_target,
            replicated = new_row.replicated, stopped = new_row.stopped,
            not_recently_confirmed = new_row.not_recently_confirmed,
            confirmed_since = new_row.confirmed_since, published_at = new_row.published_at
        WHERE f.practice_id = pid;
    ELSIF old_row.practice_id IS NOT NULL THEN
        DELETE FROM practices_practicefacets WHERE practice_id = pid;
    ELSE
        INSERT INTO practices_practicefacets SELECT new_row.*;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION practices_practice_facets_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF practices_facets_bulk() THEN RETURN NULL; END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM practices_facets_sync(OLD.id);
    ELSIF TG_OP = 'INSERT' THEN
        IF NEW.status = 'published' THEN PERFORM practices_facets_sync(NEW.id); END IF;
    ELSIF (OLD.status, OLD.agency_id, OLD.primary_theme_id, OLD.stage, OLD.evidence_level, OLD.start_year,
           OLD.reached_target, OLD.replication_count > 0, OLD.stopped_at IS NULL, OLD.not_recently_confirmed,
           OLD.last_confirmed_at, OLD.published_at)
          IS DISTINCT FROM
          (NEW.status, NEW.agency_id, NEW.primary_theme_id, NEW.stage, NEW.evidence_level, NEW.start_year,
           NEW.reached_target, NEW.replication_count > 0, NEW.stopped_at IS NULL, NEW.not_recently_confirmed,
           NEW.last_confirmed_at, NEW.published_at) THEN
        PERFORM practices_facets_sync(NEW.id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION practices_practice_themes_facets_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF practices_facets_bulk() THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM practices_facets_sync(OLD.practice_id); END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.practice_id <> OLD.practice_id) THEN
        PERFORM practices_facets_sync(NEW.practice_id);
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION practices_facets_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK});
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
    GROUP BY k.f1, k.v1, k.f2, k.v2;
    PERFORM set_config('rbx.facets_bulk', '', true);
END $$;

CREATE TRIGGER practices_practice_facets AFTER INSERT OR UPDATE OR DELETE ON practices_practice
    FOR EACH ROW EXECUTE FUNCTION practices_practice_facets_trg();
CREATE TRIGGER practices_practice_themes_facets AFTER INSERT OR UPDATE OR DELETE ON practices_practice_themes
    FOR EACH ROW EXECUTE FUNCTION practices_practice_themes_facets_trg();
CREATE TRIGGER practices_practicefacets_counts AFTER INSERT OR UPDATE OR DELETE ON practices_practicefacets
    FOR EACH ROW EXECUTE FUNCTION practices_facet_counts_trg();

SELECT practices_facets_rebuild();
"""  # noqa: S608 - constants of the code, no input

BACKWARD = """
DROP TRIGGER IF EXISTS practices_practicefacets_counts ON practices_practicefacets;
DROP TRIGGER IF EXISTS practices_practice_themes_facets ON practices_practice_themes;
DROP TRIGGER IF EXISTS practices_practice_facets ON practices_practice;
DROP FUNCTION IF EXISTS practices_facets_rebuild();
DROP FUNCTION IF EXISTS practices_practice_themes_facets_trg();
DROP FUNCTION IF EXISTS practices_practice_facets_trg();
DROP FUNCTION IF EXISTS practices_facets_sync(bigint);
DROP FUNCTION IF EXISTS practices_facets_row(bigint);
DROP FUNCTION IF EXISTS practices_facet_counts_trg();
DROP FUNCTION IF EXISTS practices_facets_bulk();
DROP FUNCTION IF EXISTS practices_facet_pairs(practices_practicefacets);
DROP FUNCTION IF EXISTS practices_facet_keys(practices_practicefacets);
"""


class Migration(migrations.Migration):
    dependencies = [("practices", "0017_english_versions")]

    operations = [
        migrations.CreateModel(
            name="PracticeFacets",
            fields=[
                (
                    "practice",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="practices.practice",
                    ),
                ),
                ("agency_id", models.IntegerField()),
                ("primary_theme_id", models.IntegerField(null=True)),
                (
                    "theme_ids",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.IntegerField(), default=list, size=None
                    ),
                ),
                ("stage", models.CharField(blank=True, max_length=12)),
                ("evidence_level", models.CharField(max_length=20)),
                ("start_year", models.SmallIntegerField(null=True)),
                ("reached_target", models.BooleanField()),
                ("replicated", models.BooleanField()),
                ("stopped", models.BooleanField()),
                ("not_recently_confirmed", models.BooleanField()),
                ("confirmed_since", models.DateTimeField(null=True)),
                ("published_at", models.DateTimeField(null=True)),
            ],
            options={
                "db_table": "practices_practicefacets",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["theme_ids"], name="practicefacets_themes_gin"),
                    models.Index(fields=["agency_id"], name="practicefacets_agency"),
                    models.Index(
                        condition=models.Q(("not_recently_confirmed", False), ("stopped", False)),
                        fields=["confirmed_since"],
                        name="practicefacets_since",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FacetCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("facet", models.CharField(max_length=16)),
                ("value", models.CharField(blank=True, max_length=40)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "practices_facetcount",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("facet", "value"),
                        name="facetcount_facet_value",
                        violation_error_message="Hitungan saring untuk nilai ini sudah ada.",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FacetPair",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("f1", models.CharField(max_length=16)),
                ("v1", models.CharField(blank=True, max_length=40)),
                ("f2", models.CharField(max_length=16)),
                ("v2", models.CharField(blank=True, max_length=40)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "practices_facetpair",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("f1", "v1", "f2", "v2"),
                        name="facetpair_keys",
                        violation_error_message="Hitungan pasangan saringan ini sudah ada.",
                    )
                ],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
