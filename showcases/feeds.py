"""Atom feeds: every published collection, and the practices of one collection in its order."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from common.richtext import richtext_render
from common.text import control_characters_strip

from .models import Collection
from .selectors import collection_items, collection_public_list

FEED_SIZE = 50


class CollectionsFeed(Feed):
    feed_type = Atom1Feed
    title = _("RBX Portal: koleksi praktik baik")
    subtitle = _("Koleksi pilihan dan pemenang penghargaan praktik baik reformasi birokrasi.")

    def link(self, obj=None):
        return reverse("showcases:list")

    def items(self, obj=None):
        return collection_public_list()[:FEED_SIZE]

    def item_title(self, item):
        return control_characters_strip(item.title)

    def item_description(self, item):
        return control_characters_strip(str(richtext_render(item.introduction)))

    def item_link(self, item):
        return reverse("showcases:detail", args=[item.slug])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class CollectionPracticesFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug):
        collection = Collection.objects.published().filter(slug=slug).first()
        if collection is None:
            raise Http404
        return collection

    def title(self, obj):
        return _("RBX Portal: koleksi %(title)s") % {"title": control_characters_strip(obj.title)}

    def link(self, obj):
        return reverse("showcases:detail", args=[obj.slug])

    def items(self, obj):
        return collection_items(collection=obj)[:FEED_SIZE]

    def item_title(self, item):
        title = control_characters_strip(item.practice.title)
        return f"{item.label}: {title}" if item.label else title

    def item_description(self, item):
        return control_characters_strip(item.note or item.practice.summary)

    def item_link(self, item):
        return reverse("practices:detail", args=[item.practice.slug])

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.practice.agency.name
