"""What search knows besides the practices: the bilingual glossary and the vocabulary typos are corrected to."""

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class GlossaryTerm(models.Model):
    """One pair of reform vocabulary, Indonesian and English (`kemiskinan` / `poverty`), kept by ministry staff.

    A query containing either side is also searched with the other (practices.search). A word may appear in
    several pairs (`izin` / `permit`, `perizinan` / `licensing`): every pair applies."""

    indonesian = models.CharField(_("istilah Indonesia"), max_length=120)
    english = models.CharField(_("istilah Inggris"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indonesian", "english"]
        verbose_name = _("istilah glosarium")
        verbose_name_plural = _("glosarium pencarian")
        constraints = [
            models.UniqueConstraint(
                Lower("indonesian"),
                Lower("english"),
                name="glossary_term_pair_unique",
                violation_error_message=_("Pasangan istilah ini sudah ada di glosarium."),
            ),
            models.CheckConstraint(
                condition=~models.Q(indonesian="") & ~models.Q(english=""),
                name="glossary_term_both_sides",
                violation_error_message=_("Isi istilah dalam bahasa Indonesia dan bahasa Inggris."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indonesian} ↔ {self.english}"


class SearchWord(models.Model):
    """A word of the searched text (published practices, glossary, agency, region and theme names), with the
    number of published practices containing it: a query word found nowhere is corrected to the most similar
    of these (trigram similarity, served by the GIN trigram index), the more frequent one on a tie.

    Maintained by practices.services.vocabulary: publishing adds its words; a rebuild drops stale ones."""

    word = models.CharField(max_length=60, primary_key=True)
    frequency = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [GinIndex(name="searchword_trgm", fields=["word"], opclasses=["gin_trgm_ops"])]

    def __str__(self) -> str:
        return self.word
