"""A practice's public page as rendered for anonymous visitors, stored in the database (issue #20).

A practice page shows its live revision, its indicators and files, who replicated it, its FAQ, collections and
expert notes, and its neighbours: a dozen queries and most of the page's template work. None of it changes
between the changes that the services already announce (`common.cache.public_cache_invalidate_tags` and
`public_cache_invalidate`), so the part of the page below the header is kept here, per practice and language,
and a view of a kept page is one indexed lookup (`practices.selectors.pages`).

A kept page is valid while three numbers match those it was rendered under: the practice's version
(`PracticePageVersion`, bumped in the transaction of any change announced for the practice, its agency, its
source or a practice its neighbour lists name), the global generation (`PracticePageGeneration`, bumped by an
"everything may have changed" invalidation) and the render key (a digest of the templates, translations and
code, so a deploy never serves a page drawn by the previous release). A page rendered from data read before a
change commits is stored under the version read before it, which the change has already bumped: it never
matches, however the two interleave. A fingerprint of what the page shows of the practice's row, its live
revision and its source, computed in the same lookup, must match too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PracticePageVersion(models.Model):
    """How many times a practice's page has changed; a missing row is version 0."""

    practice = models.OneToOneField(
        "practices.Practice", on_delete=models.CASCADE, primary_key=True, related_name="page_version"
    )
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "practice page version"

    def __str__(self) -> str:
        return f"{self.practice_id} v{self.version}"


class PracticePageGeneration(models.Model):
    """One row (id 1, made by the migration): bumped when every practice page may have changed."""

    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "practice page generation"

    def __str__(self) -> str:
        return str(self.value)


class PracticePage(models.Model):
    """The rendered parts of one practice's page in one language, for anonymous visitors."""

    practice = models.ForeignKey("practices.Practice", on_delete=models.CASCADE, related_name="pages")
    language = models.CharField(max_length=8)
    version = models.BigIntegerField()
    generation = models.BigIntegerField()
    render_key = models.CharField(max_length=32)
    # What the page shows of the practice's own row, its live revision and the practice it replicates, as read in
    # the lookup (`practices_page_lookup`, migration practices/0022): a change made without an announcement (a
    # script, a shell) is shown too.
    fingerprint = models.CharField(max_length=32)
    title = models.TextField()
    summary = models.TextField()
    head_html = models.TextField()
    body_html = models.TextField()
    rendered_at = models.DateTimeField()

    class Meta:
        verbose_name = "practice page"
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "language"],
                name="practice_page_one_per_language",
                violation_error_message=_("Satu halaman tersimpan per praktik dan bahasa."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} ({self.language}) v{self.version}.{self.generation}"
