"""The public data dump: every published practice with its indicators, one JSON object per line (JSON Lines).

Each line is what `/api/v1/practices/<id>/` shows the public. The file is written beside the final one and
moved into place, so a reader never sees half a dump. Regenerated after each publication (debounced: one job
per `DUMP_DEBOUNCE_SECONDS`, queued after commit) and nightly by Celery beat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from common.opendata import LICENSE_URL
from common.tasks import enqueue

from ..selectors.api import published_practices_with_indicators
from ..serializers import PracticeDumpSerializer

logger = logging.getLogger(__name__)

DUMP_DEBOUNCE_SECONDS = 60
_QUEUED_KEY = "practices:dump:queued"


DUMP_NAME = "dumps/practices.jsonl"
DUMP_CONTENT_TYPE = "application/x-ndjson"


def _dump_storage():
    """The "dumps" storage (settings.STORAGES): MEDIA_ROOT on local disk, or the object store's bucket."""
    return storages["dumps"]


def _dump_is_local() -> bool:
    return isinstance(_dump_storage(), FileSystemStorage)


def practice_dump_path() -> Path:
    """The dump's file on local disk (with object storage: where it is written before the upload)."""
    if _dump_is_local():
        return Path(_dump_storage().path(DUMP_NAME))
    return Path(tempfile.gettempdir()) / "rbx-dumps" / "practices.jsonl"


def practice_dump_open():
    """The dump for reading (a binary file object), None when it has not been written yet."""
    storage = _dump_storage()
    if not storage.exists(DUMP_NAME):
        return None
    try:
        return storage.open(DUMP_NAME, "rb")
    except FileNotFoundError:  # removed in between
        return None


def practice_dump_write() -> dict:
    """Write the dump and return `{"path", "practices", "written_at", "license"}` (CC BY 4.0, like all the
    portal's open data; the endpoint names it in a `Link` header).

    Harmless when repeated (a retried or doubled job only rewrites the same file). On local disk the file is
    written beside the final one and moved into place; on object storage it is uploaded in one PUT under the
    same key (`common.storage.OverwritingS3Storage`), so a reader never sees half a dump either way.
    """
    path = practice_dump_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for practice in published_practices_with_indicators().prefetch_related("translations").iterator(chunk_size=200):
            practice.api_revision = practice.live_revision
            data = PracticeDumpSerializer(practice, context={"show_contact": False}).data
            fh.write(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n")
            count += 1
    if _dump_is_local():
        os.replace(tmp, path)
        where = str(path)
    else:
        try:
            with tmp.open("rb") as fh:
                upload = File(fh, name="practices.jsonl")
                upload.content_type = DUMP_CONTENT_TYPE
                where = _dump_storage().save(DUMP_NAME, upload)
        finally:
            tmp.unlink(missing_ok=True)
    return {"path": where, "practices": count, "written_at": timezone.now().isoformat(), "license": LICENSE_URL}


def practice_dump_queue_on_commit() -> None:
    """Queue one regeneration after the publishing transaction commits; publications within the debounce
    window share that job (it runs `DUMP_DEBOUNCE_SECONDS` later and sees all of them)."""

    def _queue():
        try:
            if not cache.add(_QUEUED_KEY, 1, timeout=DUMP_DEBOUNCE_SECONDS):
                return
        except Exception:  # Redis (cache and broker) down: the publish stands; the nightly job regenerates it
            logger.warning("could not queue the data dump", exc_info=True)
            return
        if not enqueue("practices.tasks.practice_dump_regenerate", countdown=DUMP_DEBOUNCE_SECONDS):
            with contextlib.suppress(Exception):  # Redis is down; the key expires by itself
                cache.delete(_QUEUED_KEY)

    transaction.on_commit(_queue)


def practice_dump_debounce_clear() -> None:
    cache.delete(_QUEUED_KEY)
