"""Search people can trust (issue #17): the bilingual glossary, the vocabulary typos are corrected to, and the
published practices' vectors rewritten with the names they are known by (agency, region, themes)."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations, models


# A copy of practices.search.PRACTICE_VECTOR_SQL as of this migration (the code's may later read columns that
# do not exist yet at this point of the history).
VECTOR_SQL = """
    setweight(to_tsvector('indonesian', r.title), 'A')
    || setweight(to_tsvector('simple', r.title), 'A')
    || setweight(to_tsvector('english', r.title), 'A')
    || setweight(to_tsvector('indonesian', r.summary), 'B')
    || setweight(to_tsvector('simple', r.summary), 'B')
    || setweight(to_tsvector('english', r.summary), 'B')
    || setweight(to_tsvector('indonesian', r.problem || ' ' || r.approach || ' ' || r.impact), 'C')
    || setweight(to_tsvector('indonesian', r.challenges || ' ' || r.failures || ' ' || r.do_differently), 'D')
    || setweight(to_tsvector('english', r.problem || ' ' || r.approach || ' ' || r.impact), 'D')
    || setweight(to_tsvector('simple', r.problem || ' ' || r.approach || ' ' || r.impact), 'D')
    || coalesce((
        SELECT setweight(to_tsvector('simple', n.names), 'B')
            || setweight(to_tsvector('simple', n.names_id), 'B')
            || setweight(to_tsvector('indonesian', n.names_id), 'B')
            || setweight(to_tsvector('simple', n.names_en), 'B') || setweight(to_tsvector('english', n.names_en), 'B')
        FROM (
            -- Region names carry their "Kabupaten"/"Kota", so both "Sidoarjo" and "Kabupaten Sidoarjo" match.
            SELECT concat_ws(' ', a.name, a.acronym, reg.name, prov.name) AS names,
                   coalesce(th.names_id, '') AS names_id, coalesce(th.names_en, '') AS names_en
            FROM agencies_agency a
            LEFT JOIN agencies_region reg ON reg.id = a.region_id
            LEFT JOIN agencies_region prov ON prov.id = reg.province_id
            CROSS JOIN LATERAL (
                SELECT string_agg(t.name_id, ' ') AS names_id, string_agg(t.name_en, ' ') AS names_en
                FROM practices_practice_themes pt JOIN practices_theme t ON t.id = pt.theme_id
                WHERE pt.practice_id = p.id
            ) th
            WHERE a.id = p.agency_id
        ) n
    ), ''::tsvector)
"""


def vectors_rewrite(apps, schema_editor):
    schema_editor.execute(
        "UPDATE practices_practice p SET search_vector = "  # noqa: S608 - constants
        + VECTOR_SQL
        + " FROM practices_practicerevision r WHERE r.id = p.live_revision_id"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('practices', '0014_revision_section_versions'),
    ]

    operations = [
        migrations.CreateModel(
            name='GlossaryTerm',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('indonesian', models.CharField(max_length=120, verbose_name='istilah Indonesia')),
                ('english', models.CharField(max_length=120, verbose_name='istilah Inggris')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'istilah glosarium',
                'verbose_name_plural': 'glosarium pencarian',
                'ordering': ['indonesian', 'english'],
                'constraints': [models.UniqueConstraint(django.db.models.functions.text.Lower('indonesian'), django.db.models.functions.text.Lower('english'), name='glossary_term_pair_unique', violation_error_message='Pasangan istilah ini sudah ada di glosarium.'), models.CheckConstraint(condition=models.Q(models.Q(('indonesian', ''), _negated=True), models.Q(('english', ''), _negated=True)), name='glossary_term_both_sides', violation_error_message='Isi istilah dalam bahasa Indonesia dan bahasa Inggris.')],
            },
        ),
        migrations.CreateModel(
            name='SearchWord',
            fields=[
                ('word', models.CharField(max_length=60, primary_key=True, serialize=False)),
                ('frequency', models.PositiveIntegerField(default=0)),
            ],
            options={
                'indexes': [django.contrib.postgres.indexes.GinIndex(fields=['word'], name='searchword_trgm', opclasses=['gin_trgm_ops'])],
            },
        ),
        migrations.RunPython(vectors_rewrite, migrations.RunPython.noop, elidable=True),
    ]
