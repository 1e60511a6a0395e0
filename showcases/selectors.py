"""Reads of collections and expert notes, each with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Count, Prefetch, Q, QuerySet

from practices.models import Practice

from .models import Collection, CollectionItem, Expert, ExpertNote

SHOWN_ITEMS = Count("items", filter=Q(items__practice__status=Practice.Status.PUBLISHED))
HOME_COLLECTIONS = 4


def collection_public_list() -> QuerySet[Collection]:
    """Published collections, newest first, with the number of practices each shows (one query)."""
    return Collection.objects.published().annotate(item_count=SHOWN_ITEMS).order_by("-published_at", "-id")


def collection_items(*, collection: Collection) -> list[CollectionItem]:
    """The collection's shown items with what a practice card reads (one query)."""
    return list(
        CollectionItem.objects.filter(collection=collection)
        .shown()
        .select_related("practice__agency", "practice__primary_theme")
    )


def home_collections() -> list[Collection]:
    """The collections featured on the home page, with their practice counts (one query)."""
    return list(Collection.objects.featured().annotate(item_count=SHOWN_ITEMS)[:HOME_COLLECTIONS])


@dataclass
class PracticeShowcase:
    awards: list[CollectionItem] = field(default_factory=list)
    collections: list[CollectionItem] = field(default_factory=list)


def practice_showcase(*, practice: Practice) -> PracticeShowcase:
    """Where a practice is shown: its awards (items of published award collections, with their label) and the
    curated collections it is in. One query for both."""
    shown = PracticeShowcase()
    items = (
        CollectionItem.objects.filter(practice=practice, collection__is_published=True)
        .select_related("collection")
        .order_by("-collection__decree_date", "-collection__published_at", "collection_id")
    )
    for item in items:
        (shown.awards if item.collection.is_award else shown.collections).append(item)
    return shown


def practice_expert_notes(*, practice: Practice) -> list[ExpertNote]:
    """The published expert notes on a practice with their authors (one query)."""
    return list(
        ExpertNote.objects.published().filter(practice=practice).select_related("author").order_by("published_at")
    )


# Management -------------------------------------------------------------------------------------------------


def collection_manage_list() -> QuerySet[Collection]:
    """Every collection for the curators, with all its items counted (shown or not)."""
    return Collection.objects.annotate(item_count=Count("items")).order_by("-updated_at", "-id")


def collection_manage_items(*, collection: Collection) -> list[CollectionItem]:
    """All items (an archived practice's too, marked by its status) for the curators' ordering page."""
    return list(collection.items.select_related("practice__agency").order_by("position", "id"))


def practice_candidates(*, text: str, exclude_ids: list[int], limit: int = 10) -> list[Practice]:
    """Published practices to add to a collection: by slug, or whose title resembles `text`."""
    text = (text or "").strip()[:200]
    if not text:
        return []
    return list(
        Practice.objects.published()
        .exclude(pk__in=exclude_ids)
        .annotate(similarity=TrigramSimilarity("title", text))
        .filter(Q(slug=text) | Q(title__icontains=text) | Q(similarity__gte=0.2))
        .select_related("agency")
        .order_by("-similarity", "-published_at")[:limit]
    )


def expert_list() -> QuerySet[Expert]:
    return Expert.objects.select_related("user").annotate(
        note_count=Count("user__expert_notes", filter=Q(user__expert_notes__status=ExpertNote.Status.PUBLISHED))
    )


def note_author_list(*, user) -> QuerySet[ExpertNote]:
    """The user's own notes, newest first, with their practices."""
    return ExpertNote.objects.filter(author_id=user.pk).select_related("practice").order_by("-updated_at", "-id")


def note_moderation_queue() -> QuerySet[ExpertNote]:
    """Notes waiting for a moderator, oldest first, with the practice and the author."""
    return (
        ExpertNote.objects.filter(status=ExpertNote.Status.PENDING)
        .select_related("practice", "author")
        .order_by("updated_at", "id")
    )


def collection_api_list() -> QuerySet[Collection]:
    return collection_public_list()


def collection_api_detail() -> QuerySet[Collection]:
    """Published collections with their shown items and the practices' agencies (two queries)."""
    return collection_public_list().prefetch_related(
        Prefetch("items", queryset=CollectionItem.objects.shown().select_related("practice__agency"), to_attr="shown")
    )
