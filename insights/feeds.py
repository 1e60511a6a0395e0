"""Atom feeds of newly published practices: overall, per theme, per province and per agency."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from common.text import control_characters_strip
from practices.models import Practice, Theme
from practices.selectors.translations import shown_text_annotate

FEED_SIZE = 30


class LatestPracticesFeed(Feed):
    feed_type = Atom1Feed
    title = _("RBX Portal: praktik baik terbaru")
    subtitle = _("Praktik baik reformasi birokrasi yang baru terbit.")

    def link(self, obj=None):
        return reverse("practices:list")

    def practices(self, obj):
        return Practice.objects.listed()

    def items(self, obj=None):
        practices = self.practices(obj).select_related("agency").order_by("-published_at", "-id")
        return shown_text_annotate(practices)[:FEED_SIZE]

    # The feed's xml:lang is its URL's language (Django's default); on /en/ an entry is the verified English
    # version where there is one, else the Indonesian original.
    # Stripped: a control character written before they were refused at input must not break the XML.
    def item_title(self, item):
        return control_characters_strip(item.shown_title)

    def item_description(self, item):
        return control_characters_strip(item.shown_summary)

    def item_link(self, item):
        return reverse("practices:detail", args=[item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.last_confirmed_at or item.published_at

    def item_author_name(self, item):
        return item.agency.name


class ThemePracticesFeed(LatestPracticesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Theme, code=code)

    def title(self, obj):
        return _("RBX Portal: praktik baik tema %(theme)s") % {"theme": obj.name}

    def link(self, obj=None):
        return reverse("practices:theme", args=[obj.code])

    def practices(self, obj):
        return Practice.objects.listed().filter(themes=obj)


class ProvincePracticesFeed(LatestPracticesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Region, code=code, level=Region.Level.PROVINCE)

    def title(self, obj):
        return _("RBX Portal: praktik baik di %(province)s") % {"province": obj.name}

    def link(self, obj=None):
        return reverse("practices:list") + f"?province={obj.code}"

    def practices(self, obj):
        return Practice.objects.listed().filter(Q(agency__region=obj) | Q(agency__region__province=obj))


class AgencyPracticesFeed(LatestPracticesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Agency, slug=slug)

    def title(self, obj):
        return _("RBX Portal: praktik baik %(agency)s") % {"agency": obj.name}

    def link(self, obj=None):
        return reverse("agencies:detail", args=[obj.slug])

    def practices(self, obj):
        return Practice.objects.listed().filter(agency=obj)
