"""Cover images: resized variants made once per uploaded cover, and the live cover copied onto the practice.

A cover is an `Attachment` with purpose `cover`, uploaded with its alt text (`attachment_add` refuses one
without). After the upload commits, the task `practices.tasks.cover_variants_make` draws its variants
(`practices.images`) and stores them through Django's storage API (`default_storage`, so moving media to an
object store changes a setting, not this code). The pages never read attachments for a cover: publishing
copies the live revision's newest ready cover onto `Practice.cover` (`cover_summary`), and a task that
finishes after the publish refreshes that copy (`practice_cover_refresh`). The bytes are served by
`practices.views.public.cover_image`, which asks `attachment_get_for_user` like any download.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common.cache import public_cache_invalidate
from common.tasks import enqueue

from ..images import COVER_EXTENSION, COVER_MIME, CoverImageError, cover_variants_render
from ..models import Attachment, Practice

logger = logging.getLogger(__name__)


def cover_variant_name(*, attachment: Attachment, width: int) -> str:
    return f"covers/{attachment.practice_id}/{attachment.pk}-{width}.{COVER_EXTENSION}"


def cover_variants_make(*, attachment_id: int) -> int:
    """Draw and store the variants of one cover; the number stored (0 when there is nothing to do).

    Harmless when repeated (a retried or duplicated task): a cover that has its variants is left alone, and
    the check is made again under the row lock before they are recorded, so two runs record one set. The
    drawing happens outside any transaction (it takes a fraction of a second per megapixel)."""
    attachment = Attachment.objects.filter(pk=attachment_id, purpose=Attachment.Purpose.COVER).first()
    if attachment is None or attachment.variants or not attachment.alt_text:
        return 0
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
        (width, height), variants = cover_variants_render(content)
    except (FileNotFoundError, CoverImageError):
        # Checked at upload, so this is a file changed or lost in storage: nothing to show, nothing to retry.
        logger.warning("cover %s: no variants made", attachment_id, exc_info=True)
        return 0
    stored = []
    for variant in variants:
        upload = ContentFile(variant.content)
        upload.content_type = COVER_MIME  # stored with the object on S3 storage
        name = default_storage.save(cover_variant_name(attachment=attachment, width=variant.width), upload)
        stored.append({"width": variant.width, "height": variant.height, "name": name})
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().filter(pk=attachment_id).first()
        if locked is None or locked.variants:
            transaction.on_commit(lambda: _storage_delete([v["name"] for v in stored]))
            return 0
        locked.width, locked.height, locked.variants = width, height, stored
        locked.save(update_fields=["width", "height", "variants"])
        practice_cover_refresh(practice_id=locked.practice_id)
    return len(stored)


# The sweep: a cover uploaded while the broker was down (or whose task died) still has no variants after this
# long; one older than the window is given up (its file is unreadable: the task logged why, every time).
COVER_SWEEP_AFTER = timedelta(minutes=5)
COVER_SWEEP_WINDOW = timedelta(days=2)
COVER_SWEEP_BATCH = 200


def cover_variants_requeue() -> int:
    """Queue `cover_variants_make` again for covers that still have no variants a few minutes after their
    upload (the beat job `cover-variants-sweep`); the number queued. Harmless when repeated, as the task is: a
    cover that has its variants by then is skipped. Stops at the first refusal of the broker (still down: the
    next run tries again)."""
    now = timezone.now()
    ids = list(
        Attachment.objects.filter(
            purpose=Attachment.Purpose.COVER,
            variants=[],
            created_at__lt=now - COVER_SWEEP_AFTER,
            created_at__gte=now - COVER_SWEEP_WINDOW,
        )
        .exclude(alt_text="")
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:COVER_SWEEP_BATCH]
    )
    queued = 0
    for pk in ids:
        if not enqueue("practices.tasks.cover_variants_make", pk):
            break
        queued += 1
    return queued


def cover_summary(*, revision_id: int | None) -> dict | None:
    """What a page needs to draw the revision's cover: its newest cover that has alt text and variants."""
    if revision_id is None:
        return None
    cover = (
        Attachment.objects.filter(revisions=revision_id, purpose=Attachment.Purpose.COVER)
        .exclude(alt_text="")
        .exclude(variants=[])
        .order_by("-created_at", "-id")
        .first()
    )
    if cover is None:
        return None
    return {
        "id": cover.pk,
        "alt": cover.alt_text,
        "width": cover.width,
        "height": cover.height,
        "variants": [[v["width"], v["height"]] for v in cover.variants],
    }


@transaction.atomic
def practice_cover_refresh(*, practice_id: int) -> bool:
    """Copy the live revision's cover onto the practice again; True (and the public pages go stale) if it changed.

    Takes the practice's row lock, so it does not interleave with a publish that writes the same field."""
    practice = Practice.objects.select_for_update(of=("self",)).filter(pk=practice_id).first()
    if practice is None or practice.status != Practice.Status.PUBLISHED:
        return False
    cover = cover_summary(revision_id=practice.live_revision_id)
    if cover == practice.cover:
        return False
    practice.cover = cover
    practice.save(update_fields=["cover", "updated_at"])
    public_cache_invalidate()
    return True


def cover_variants_delete_on_commit(*, attachment: Attachment) -> None:
    """Remove a deleted cover's variants from storage once the deletion commits."""
    names = [v["name"] for v in attachment.variants or []]
    if names:
        transaction.on_commit(lambda: _storage_delete(names))


def _storage_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
