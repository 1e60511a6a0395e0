"""What a practice page shows of other practices, computed when something changes, never per view."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models


class PracticeNeighbours(models.Model):
    """The similar practices ("Praktik terkait": same primary theme, closest titles) and those of agencies like
    the practice's ("Dari instansi seperti Anda") of one practice, as ordered lists of practice ids.

    Written by `practices.services.neighbours` after a publish or a withdrawal (a task queued after commit) and by
    a sweep that fills missing rows and refreshes the oldest; a page reads the row and the practices it names
    (two indexed lookups). A practice without a row shows neither list; ids of practices withdrawn since are
    skipped when read."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, primary_key=True, related_name="neighbours"
    )
    related = ArrayField(models.BigIntegerField(), default=list, blank=True)
    like_you = ArrayField(models.BigIntegerField(), default=list, blank=True)
    computed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "practice neighbours"
        verbose_name_plural = "practice neighbours"
        indexes = [
            # Whose lists show a practice (recomputed when it is withdrawn or changes): `related @> ARRAY[id]`.
            GinIndex(fields=["related"], name="practice_neighbours_related"),
            GinIndex(fields=["like_you"], name="practice_neighbours_like_you"),
        ]

    def __str__(self) -> str:
        return f"neighbours of practice {self.practice_id}"
