# A practice page's similar practices and "agencies like you", stored when they change (practices.services.neighbours).
import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("practices", "0018_facet_counts")]

    operations = [
        migrations.CreateModel(
            name="PracticeNeighbours",
            fields=[
                (
                    "practice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="neighbours",
                        serialize=False,
                        to="practices.practice",
                    ),
                ),
                (
                    "related",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), blank=True, default=list, size=None
                    ),
                ),
                (
                    "like_you",
                    django.contrib.postgres.fields.ArrayField(
                        base_field=models.BigIntegerField(), blank=True, default=list, size=None
                    ),
                ),
                ("computed_at", models.DateTimeField(db_index=True)),
            ],
            options={
                "verbose_name": "practice neighbours",
                "verbose_name_plural": "practice neighbours",
                "indexes": [
                    django.contrib.postgres.indexes.GinIndex(fields=["related"], name="practice_neighbours_related"),
                    django.contrib.postgres.indexes.GinIndex(fields=["like_you"], name="practice_neighbours_like_you"),
                ],
            },
        ),
    ]
