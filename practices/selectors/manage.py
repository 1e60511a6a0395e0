"""Reads of the management area: an agency's practices, similar published practices, revision comparison."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from ..models import Attachment, Practice, PracticeRevision
from ..sections import SECTION_FIELDS, SECTIONS

SIMILARITY_THRESHOLD = 0.2


def practice_list_for_agency(*, agency_id: int) -> QuerySet[Practice]:
    """The agency's practices with their working revision, most recently edited first."""
    return (
        Practice.objects.for_agency(agency_id)
        .select_related("working_revision", "live_revision")
        .order_by("-working_revision__updated_at", "-id")
    )


def practice_similar_list(*, practice: Practice, revision: PracticeRevision, limit: int = 5) -> list[Practice]:
    """Published practices that look like this one, best first.

    Similar means: the same primary or other theme, or a title/summary close by PostgreSQL trigram similarity;
    practices in the same province (the agency's own region or a neighbouring one) rank higher. Each result
    carries `similarity`, `same_theme` and `same_province`.
    """
    theme_ids = {revision.primary_theme_id, *revision.other_themes.values_list("pk", flat=True)} - {None}
    region = practice.agency.region
    province_id = (region.province_id or region.pk) if region else None
    qs = Practice.objects.published().exclude(pk=practice.pk).select_related("agency", "primary_theme")
    similarity = Greatest(
        TrigramSimilarity("title", revision.title or ""), TrigramSimilarity("summary", revision.summary or "")
    )
    same_theme = Q(primary_theme_id__in=theme_ids) | Q(themes__in=theme_ids) if theme_ids else Q(pk__in=[])
    same_province = (
        Q(agency__region__province_id=province_id) | Q(agency__region_id=province_id) if province_id else Q(pk__in=[])
    )
    qs = (
        qs.annotate(
            similarity=similarity,
            same_theme=Case(When(same_theme, then=Value(1.0)), default=Value(0.0), output_field=FloatField()),
            same_province=Case(When(same_province, then=Value(1.0)), default=Value(0.0), output_field=FloatField()),
        )
        .filter(Q(similarity__gte=SIMILARITY_THRESHOLD) | Q(same_theme__gt=0))
        .annotate(score=F("similarity") + 0.3 * F("same_theme") + 0.15 * F("same_province"))
        .order_by("-score", "-published_at")
        .distinct()
    )
    return list(qs[:limit])


def practice_attachment_list(*, practice: Practice) -> QuerySet[Attachment]:
    return practice.attachments.select_related("indicator", "revision", "uploaded_by")


@dataclass(frozen=True)
class FieldDiff:
    label: str
    changed: bool
    before: str
    after: str
    lines: list[tuple[str, str]]  # (kind, text): kind is "same", "removed" or "added"


def _field_text(revision: PracticeRevision, name: str) -> str:
    field = PracticeRevision._meta.get_field(name)
    if field.many_to_many:
        return "\n".join(str(obj) for obj in getattr(revision, name).all())
    if field.choices:
        return str(getattr(revision, f"get_{name}_display")())
    value = getattr(revision, name)
    if isinstance(value, bool):
        return "✓" if value else "—"
    return "" if value is None else str(value)


def _indicator_text(revision: PracticeRevision) -> str:
    lines = []
    for indicator in revision.indicators.prefetch_related("values"):
        lines.append(
            f"{indicator.name} ({indicator.unit}): {indicator.baseline_value} ({indicator.baseline_year}) → "
            f"{indicator.target_value} ({indicator.target_year})"
        )
        lines.extend(f"  {v.date}: {v.value} {v.source}".rstrip() for v in indicator.values.all())
    return "\n".join(lines)


def revision_compare(*, a: PracticeRevision, b: PracticeRevision) -> list[tuple[str, str, list[FieldDiff]]]:
    """Section by section, the fields that changed from revision `a` to revision `b` (difflib, line by line)."""
    result = []
    for key, label in SECTIONS:
        names = list(SECTION_FIELDS[key])
        diffs = []
        for name in names:
            diffs.append(
                _diff(
                    str(PracticeRevision._meta.get_field(name).verbose_name), _field_text(a, name), _field_text(b, name)
                )
            )
        if key == "impact":
            diffs.append(_diff("indikator", _indicator_text(a), _indicator_text(b)))
        result.append((key, label, [d for d in diffs if d.changed]))
    return result


def _diff(label: str, before: str, after: str) -> FieldDiff:
    lines: list[tuple[str, str]] = []
    if before != after:
        for line in difflib.ndiff(before.splitlines(), after.splitlines()):
            code, text = line[:2], line[2:]
            if code == "- ":
                lines.append(("removed", text))
            elif code == "+ ":
                lines.append(("added", text))
            elif code == "  ":
                lines.append(("same", text))
    return FieldDiff(label=label, changed=before != after, before=before, after=after, lines=lines)


def revision_section_values(*, revision: PracticeRevision, section: str) -> list[tuple[str, str]]:
    """(label, text) of a section's saved fields: shown beside the form when a save conflicts, for merging."""
    rows = [
        (str(PracticeRevision._meta.get_field(name).verbose_name), _field_text(revision, name))
        for name in SECTION_FIELDS[section]
    ]
    if section == "impact":
        rows.append(("indikator", _indicator_text(revision)))
    return rows
