from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """One of the 12 RB themes: 4 RB Tematik themes and 8 RB General change areas."""

    class Track(models.TextChoices):
        TEMATIK = "tematik", _("RB Tematik")
        GENERAL = "general", _("RB General")

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    track = models.CharField(_("jalur"), max_length=10, choices=Track.choices)
    name_id = models.CharField(_("nama (Indonesia)"), max_length=120)
    name_en = models.CharField(_("nama (Inggris)"), max_length=120)
    description_id = models.TextField(_("deskripsi (Indonesia)"), blank=True)
    description_en = models.TextField(_("deskripsi (Inggris)"), blank=True)
    order = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        # RB Tematik first ("tematik" > "general" alphabetically, hence descending), then the shipped order.
        ordering = ["-track", "order"]
        verbose_name = _("tema")
        verbose_name_plural = _("tema")
        constraints = [models.CheckConstraint(condition=Q(track__in=["tematik", "general"]), name="theme_track_valid")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_id

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_id
