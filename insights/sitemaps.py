"""sitemap.xml: published practices, themes and agencies, in both languages (with hreflang alternates)."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from agencies.models import Agency
from practices.models import Practice, Theme


class _I18nSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class PracticeSitemap(_I18nSitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Practice.objects.published().only("slug", "last_confirmed_at", "published_at").order_by("id")

    def location(self, item):
        return reverse("practices:detail", args=[item.slug])

    def lastmod(self, item):
        return item.last_confirmed_at or item.published_at


class ThemeSitemap(_I18nSitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Theme.objects.all()

    def location(self, item):
        return reverse("practices:theme", args=[item.code])


class AgencySitemap(_I18nSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Agency.objects.active().only("slug").order_by("id")

    def location(self, item):
        return reverse("agencies:detail", args=[item.slug])


SITEMAPS = {"practices": PracticeSitemap, "themes": ThemeSitemap, "agencies": AgencySitemap}
