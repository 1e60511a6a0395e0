"""A revision's content kept as JSON, and compared with the revision as it is now.

A revision sent back for changes is edited in place, so the review page's "changes since the last round" needs
a copy of what the moderator saw: `revision_snapshot` makes it (stored as `RevisionSnapshot.data` when changes
are requested) and `snapshot_diff` compares it with the current revision through `practices.diff.revision_diff`,
the same comparison as the public version history. The copy is read back as a stand-in object with just what
`revision_diff` reads (field values, related names, indicators with their values, files), so the two share one
definition of "what changed".
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from .diff import SectionChange, revision_diff
from .models import Attachment, Indicator, PracticeRevision
from .sections import INDICATOR_FIELDS, SECTION_FIELDS

# Bumped when the shape of `data` changes; older snapshots are then not compared (the page says so).
SNAPSHOT_FORMAT = 1


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _named(obj) -> dict:
    return {"pk": obj.pk, "text": str(obj)}


def revision_snapshot(revision: PracticeRevision) -> dict:
    """The revision's section content as JSON (use `diff.revision_diff_prefetched` to read it in fixed queries)."""
    fields: dict = {}
    related: dict = {}
    for names in SECTION_FIELDS.values():
        for name in names:
            field = PracticeRevision._meta.get_field(name)
            if field.many_to_many:
                related[name] = [_named(obj) for obj in getattr(revision, name).all()]
            elif field.many_to_one:
                obj = getattr(revision, name)
                related[name] = None if obj is None else _named(obj)
            else:
                fields[name] = _json_value(getattr(revision, name))
    indicators = [
        {
            **{name: _json_value(getattr(indicator, name)) for name in INDICATOR_FIELDS},
            "values": [
                {"date": v.date.isoformat(), "value": str(v.value), "source": v.source} for v in indicator.values.all()
            ],
        }
        for indicator in revision.indicators.all()
    ]
    files = [
        {"pk": a.pk, "original_name": a.original_name, "title": a.title, "purpose": a.purpose}
        for a in revision.files.all()
    ]
    return {
        "format": SNAPSHOT_FORMAT,
        "fields": fields,
        "related": related,
        "indicators": indicators,
        "files": files,
    }


class _Rows:
    """What `revision_diff` calls on a relation: `.all()`."""

    def __init__(self, rows):
        self._rows = list(rows)

    def all(self):
        return self._rows


class _Named(SimpleNamespace):
    def __str__(self) -> str:
        return self.text


class _File(SimpleNamespace):
    def get_purpose_display(self) -> str:
        try:
            return str(Attachment.Purpose(self.purpose).label)
        except ValueError:
            return self.purpose


def _python(model, name: str, value):
    return None if value is None else model._meta.get_field(name).to_python(value)


def snapshot_revision(data: dict) -> SimpleNamespace:
    """A stand-in for the revision the snapshot was taken of: what `revision_diff` reads as `old`."""
    attrs: dict = {name: _python(PracticeRevision, name, value) for name, value in data["fields"].items()}
    for name, value in data["related"].items():
        field = PracticeRevision._meta.get_field(name)
        if field.many_to_many:
            attrs[name] = _Rows(_Named(**row) for row in value)
        else:
            attrs[name] = None if value is None else _Named(**value)
            attrs[field.attname] = None if value is None else value["pk"]
    indicators = []
    for row in data["indicators"]:
        indicator = SimpleNamespace(**{name: _python(Indicator, name, row.get(name)) for name in INDICATOR_FIELDS})
        indicator.values = _Rows(
            SimpleNamespace(
                date=datetime.date.fromisoformat(v["date"]), value=Decimal(v["value"]), source=v.get("source", "")
            )
            for v in row["values"]
        )
        indicators.append(indicator)
    attrs["indicators"] = _Rows(indicators)
    attrs["files"] = _Rows(_File(**row) for row in data["files"])
    return SimpleNamespace(**attrs)


def snapshot_diff(*, data: dict, revision: PracticeRevision) -> list[SectionChange] | None:
    """What changed in `revision` since the snapshot `data` was taken, section by section (None when the
    snapshot is of an older format and cannot be compared)."""
    if data.get("format") != SNAPSHOT_FORMAT:
        return None
    return revision_diff(old=snapshot_revision(data), new=revision)
