"""Writing collections: create, edit, set their items, publish, feature on the home page, delete.

Every write is one transaction, audited inside it (`collection.*`), and makes the public pages stale after
commit (`common.cache.public_cache_invalidate`). The competitions app publishes a call's winners through
`collection_create` (keep its signature).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from audit.services import audit_record
from common.cache import public_cache_invalidate
from common.richtext import richtext_clean_source
from practices.models import Practice
from practices.services.attachments import PDF, AttachmentRefused, attachment_check, attachment_max_bytes

from ..access import collection_curate_require
from ..models import Collection, CollectionItem

# Path segments of the app's own pages under /koleksi/ (and /en/collections/): never a collection's slug.
RESERVED_SLUGS = {"kelola", "pakar", "catatan-pakar", "feed", "manage", "experts", "expert-notes", "baru", "new"}

# An item as the callers give it: (practice, label) or (practice, label, note).
ItemSpec = tuple[Practice, str] | tuple[Practice, str, str]


def _curator_check(actor) -> None:
    # actor=None is a system job (e.g. a scheduled publication of results); people are always checked.
    if actor is not None:
        collection_curate_require(user=actor)


def _slug_for(title: str) -> str:
    base = slugify(title)[:120].strip("-") or "koleksi"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Collection.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def decree_file_check(uploaded) -> bytes:
    """The bytes of a decree upload that passed the attachments' checks (type from the content, size) and is
    a PDF; `AttachmentRefused` (a ValidationError) with a message for people otherwise."""
    name = (getattr(uploaded, "name", "") or "sk.pdf").rsplit("/", 1)[-1][:255]
    limit = attachment_max_bytes()
    if hasattr(uploaded, "seek"):
        uploaded.seek(0)
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise AttachmentRefused(
            _("Berkas “%(name)s” melebihi batas %(limit)s per berkas.")
            % {"name": name, "limit": filesizeformat(limit)},
            code="too_large",
        )
    checked = attachment_check(content=content, original_name=name)
    if checked.mime_type != PDF:
        raise AttachmentRefused(
            _("Surat keputusan harus berupa PDF; “%(name)s” bukan PDF.") % {"name": name}, code="decree_type"
        )
    return checked.content


def _decree_fields_check(*, kind: str, decree_number: str, decree_date, decree_file) -> None:
    if kind != Collection.Kind.AWARD and (decree_number or decree_date or decree_file):
        raise ValidationError(
            {"decree_number": _("Surat keputusan hanya untuk koleksi penghargaan. Pilih jenis “Penghargaan”.")}
        )


def _items_write(*, collection: Collection, items: Sequence[ItemSpec]) -> list[int]:
    """Replace the collection's items with `items` in that order (positions 1..n); returns the practice ids.

    Only published practices may be added (refused with their names otherwise), each once. Rows of practices
    that stay keep their id and creation time (the collection's feed dates them)."""
    specs = [(item[0], (item[1] or "").strip(), (item[2] if len(item) > 2 else "").strip()) for item in items]
    ids = [practice.pk for practice, _label, _note in specs]
    if len(ids) != len(set(ids)):
        raise ValidationError(_("Setiap praktik hanya sekali dalam satu koleksi."))
    for _practice, label, note in specs:
        if len(label) > 80 or len(note) > 1000:
            raise ValidationError(_("Label paling banyak 80 karakter dan catatan 1.000 karakter."))
    published = set(Practice.objects.published().filter(pk__in=ids).values_list("pk", flat=True))
    refused = [str(practice) for practice, _label, _note in specs if practice.pk not in published]
    if refused:
        raise ValidationError(
            _("Hanya praktik yang terbit yang dapat masuk koleksi: %(names)s.") % {"names": ", ".join(refused)}
        )
    existing = {item.practice_id: item for item in collection.items.all()}
    collection.items.exclude(practice_id__in=ids).delete()
    changed, new = [], []
    for position, (practice, label, note) in enumerate(specs, start=1):
        item = existing.get(practice.pk)
        if item is None:
            new.append(
                CollectionItem(collection=collection, practice=practice, position=position, label=label, note=note)
            )
        elif (item.position, item.label, item.note) != (position, label, note):
            item.position, item.label, item.note = position, label, note
            changed.append(item)
    # The positions' unique constraint is deferred to the commit, so swapping two positions is one update.
    CollectionItem.objects.bulk_update(changed, ["position", "label", "note"])
    CollectionItem.objects.bulk_create(new)
    return ids


@transaction.atomic
def collection_create(
    *,
    actor,
    title: str,
    introduction: str = "",
    kind: str = "curated",
    items: Sequence[ItemSpec] = (),
    decree_number: str = "",
    decree_date: date | None = None,
    decree_file=None,
    source_label: str = "",
    is_published: bool = True,
) -> Collection:
    """A new collection with its items in order (`items`: (practice, label) pairs, or with a note).

    `decree_file` is an uploaded or Django `File` (PDF, checked like practice attachments); the decree
    fields belong to award collections only. `actor` must be a curator (moderator); None is a system job."""
    _curator_check(actor)
    title = " ".join((title or "").split())
    _decree_fields_check(kind=kind, decree_number=decree_number, decree_date=decree_date, decree_file=decree_file)
    collection = Collection(
        title=title,
        slug=_slug_for(title),
        introduction=richtext_clean_source(introduction),
        kind=kind,
        source_label=source_label.strip(),
        decree_number=decree_number.strip(),
        decree_date=decree_date,
        is_published=is_published,
        published_at=timezone.now() if is_published else None,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    content = decree_file_check(decree_file) if decree_file else None
    collection.full_clean()
    if content is not None:  # stored once everything else is valid: a refused form leaves no orphan file
        collection.decree_file.save("sk.pdf", ContentFile(content), save=False)
    collection.save()
    ids = _items_write(collection=collection, items=items)
    audit_record(
        actor=actor,
        action="collection.created",
        target=collection,
        data={"kind": kind, "published": is_published, "practices": ids},
    )
    public_cache_invalidate()
    return collection


@transaction.atomic
def collection_update(
    *,
    actor,
    collection: Collection,
    title: str,
    introduction: str,
    kind: str,
    source_label: str = "",
    decree_number: str = "",
    decree_date: date | None = None,
    decree_file=None,
    decree_file_clear: bool = False,
) -> Collection:
    """Change a collection's text and decree (the slug stays: links to it keep working). A new `decree_file`
    replaces the stored one; `decree_file_clear` removes it."""
    _curator_check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    keeps_file = bool(collection.decree_file) and not decree_file_clear and not decree_file
    _decree_fields_check(
        kind=kind, decree_number=decree_number, decree_date=decree_date, decree_file=decree_file or keeps_file
    )
    old_file = collection.decree_file.name if (decree_file or decree_file_clear) else ""
    collection.title = " ".join((title or "").split())
    collection.introduction = richtext_clean_source(introduction)
    collection.kind = kind
    collection.source_label = source_label.strip()
    collection.decree_number = decree_number.strip()
    collection.decree_date = decree_date
    content = decree_file_check(decree_file) if decree_file else None
    if decree_file_clear and content is None:
        collection.decree_file = ""
    collection.full_clean()
    if content is not None:
        collection.decree_file.save("sk.pdf", ContentFile(content), save=False)
    collection.save()
    if old_file:
        storage = collection.decree_file.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    audit_record(actor=actor, action="collection.updated", target=collection, data={"kind": kind})
    public_cache_invalidate()
    return collection


@transaction.atomic
def collection_items_set(*, actor, collection: Collection, items: Iterable[ItemSpec]) -> Collection:
    """Set the collection's practices, in order, with their labels (and notes). Locks the collection so two
    curators saving at once apply one after the other."""
    _curator_check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    ids = _items_write(collection=collection, items=list(items))
    collection.save(update_fields=["updated_at"])
    audit_record(actor=actor, action="collection.items_set", target=collection, data={"practices": ids})
    public_cache_invalidate()
    return collection


@transaction.atomic
def collection_publish(*, actor, collection: Collection, published: bool = True) -> Collection:
    """Publish (or withdraw) a collection. Withdrawing also takes it off the home page. Idempotent."""
    _curator_check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if collection.is_published == published:
        return collection
    collection.is_published = published
    fields = ["is_published", "updated_at"]
    if published and collection.published_at is None:
        collection.published_at = timezone.now()
        fields.append("published_at")
    if not published and collection.featured_on_home:
        collection.featured_on_home = False
        fields.append("featured_on_home")
    collection.save(update_fields=fields)
    audit_record(
        actor=actor, action="collection.published" if published else "collection.unpublished", target=collection
    )
    public_cache_invalidate()
    return collection


@transaction.atomic
def collection_feature_set(*, actor, collection: Collection, featured: bool, position: int = 0) -> Collection:
    """Show a published collection on the home page at `position` (smaller first), or take it off."""
    _curator_check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if featured and not collection.is_published:
        raise ValidationError(_("Terbitkan koleksi ini dulu; hanya koleksi yang terbit dapat tampil di beranda."))
    if position < 0 or position > 32767:
        raise ValidationError({"home_position": _("Urutan di beranda berupa angka 0 sampai 32767.")})
    collection.featured_on_home = featured
    collection.home_position = position
    collection.save(update_fields=["featured_on_home", "home_position", "updated_at"])
    audit_record(
        actor=actor,
        action="collection.featured" if featured else "collection.unfeatured",
        target=collection,
        data={"position": position},
    )
    public_cache_invalidate()
    return collection


@transaction.atomic
def collection_delete(*, actor, collection: Collection) -> None:
    """Delete a collection and its items (the practices stay); its decree file leaves storage after commit."""
    _curator_check(actor)
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    audit_record(actor=actor, action="collection.deleted", target=collection, data={"title": collection.title})
    name, storage = collection.decree_file.name, collection.decree_file.storage
    collection.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    public_cache_invalidate()
