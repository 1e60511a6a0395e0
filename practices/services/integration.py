"""Writes for agency systems (API v1): thin compositions of the submission services, nothing re-implemented.

A client sends fields of any section in one body; they are saved section by section through
`revision_section_save`, each save naming the version the previous one produced, in one transaction, so a
version conflict or an invalid field writes nothing at all.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from agencies.models import Agency

from ..models import Indicator, Practice, PracticeRevision
from ..sections import SECTION_FIELDS
from .submission import practice_create, revision_section_save

FIELD_SECTION = {name: section for section, names in SECTION_FIELDS.items() for name in names}


@transaction.atomic
def revision_fields_save(*, practice_id: int, version: int, data: dict[str, Any], by) -> PracticeRevision | None:
    """Save `data` (fields of any sections) into the working revision based on `version`.

    Raises `RevisionVersionConflict` when a section being saved was saved by someone else after `version` (each
    section is checked against the client's `version`, not against the previous section's save) and Django's
    ValidationError for invalid values (both before anything is kept). Returns the saved revision, or None when
    `data` was empty.
    """
    by_section: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        by_section.setdefault(FIELD_SECTION[name], {})[name] = value
    revision = None
    for section, fields in by_section.items():
        revision = revision_section_save(practice_id=practice_id, section=section, version=version, data=fields, by=by)
    return revision


@transaction.atomic
def practice_create_with_fields(*, agency: Agency, by, data: dict[str, Any]) -> Practice:
    """A new draft of `agency` (practice_create) with the given fields saved into revision 1."""
    practice = practice_create(agency=agency, by=by)
    if data:
        revision_fields_save(practice_id=practice.pk, version=practice.working_revision.version, data=data, by=by)
    return practice


@transaction.atomic
def indicator_add(
    *, practice_id: int, version: int, data: dict[str, Any], values: list[dict[str, Any]], by
) -> tuple[Indicator, PracticeRevision]:
    """Append one indicator (and its achieved values) to the working revision's impact section.

    The existing indicators are passed back unchanged so they keep their order; the values are saved in a
    second section save, once the new indicator has an id to attach them to.
    """
    practice = Practice.objects.get(pk=practice_id)
    existing = list(
        Indicator.objects.filter(revision_id=practice.working_revision_id).order_by("order", "id").values("id")
    )
    revision = revision_section_save(
        practice_id=practice_id, section="impact", version=version, data={}, by=by, indicators=[*existing, data]
    )
    indicator = revision.indicators.order_by("-id").first()
    if values:
        revision = revision_section_save(
            practice_id=practice_id,
            section="impact",
            version=revision.version,
            data={},
            by=by,
            values=[{**row, "indicator": indicator} for row in values],
        )
    return indicator, revision
