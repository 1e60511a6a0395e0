"""Writes of the showcases app. The collection services are also the competitions app's way to publish a call's
winners (`collection_create`), so they are importable from here."""

from .collections import (
    collection_create,
    collection_delete,
    collection_feature_set,
    collection_items_set,
    collection_publish,
    collection_update,
    decree_file_check,
)
from .experts import expert_save, note_moderate, note_save

__all__ = [
    "collection_create",
    "collection_delete",
    "collection_feature_set",
    "collection_items_set",
    "collection_publish",
    "collection_update",
    "decree_file_check",
    "expert_save",
    "note_moderate",
    "note_save",
]
