"""Reads of the management area: an agency's practices, the author's task list and answers, similar published
practices, revision comparison."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, TextChoices, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.formatting import number_display

from ..completeness import REQUIRED_FIELDS, MissingItem, revision_missing_items
from ..models import Attachment, Indicator, Practice, PracticeRevision, RevisionAttachment
from ..sections import M2M_FIELDS, RICHTEXT_FIELDS, SECTION_FIELDS, SECTIONS

S = PracticeRevision.State

SIMILARITY_THRESHOLD = 0.2


def practice_list_for_agency(*, agency_id: int) -> QuerySet[Practice]:
    """The agency's practices with their working revision, most recently edited first."""
    return (
        Practice.objects.for_agency(agency_id)
        .select_related("working_revision", "live_revision")
        .order_by("-working_revision__updated_at", "-id")
    )


# The author's task list (GOV.UK "complete multiple tasks") -------------------------------------------------


class TaskStatus(TextChoices):
    NOT_STARTED = "not_started", _("Belum dimulai")
    IN_PROGRESS = "in_progress", _("Sedang diisi")
    COMPLETED = "completed", _("Selesai")
    CHANGES_REQUESTED = "changes_requested", _("Perlu perbaikan")


@dataclass(frozen=True)
class SectionTask:
    key: str
    label: str
    status: TaskStatus
    missing: list[MissingItem] = field(default_factory=list)
    comment: str = ""  # what the moderator asked to change in this section, when the revision came back


def revision_requested_changes(*, revision: PracticeRevision) -> dict[str, str]:
    """{section: the moderator's comment} of the request for changes the revision is answering, or {} when it
    is not in "changes requested". The comments are those the decision stored with its snapshot
    (`services.decisions.revision_request_changes`)."""
    if revision.state != S.CHANGES_REQUESTED:
        return {}
    snapshot = revision.snapshots.only("section_comments").first()
    return dict(snapshot.section_comments) if snapshot else {}


def revision_moderator_comment(*, revision: PracticeRevision) -> str:
    """The whole comment of the request for changes the revision is answering ("" outside that state)."""
    if revision.state != S.CHANGES_REQUESTED:
        return ""
    transition = revision.transitions.filter(to_state=S.CHANGES_REQUESTED).order_by("-created_at", "-id").first()
    return transition.comment if transition else ""


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value not in (None, False)


def _section_started(revision: PracticeRevision, key: str, *, has_indicators: bool) -> bool:
    names = SECTION_FIELDS[key]
    if any(_filled(getattr(revision, f"{n}_id" if n == "primary_theme" else n)) for n in names if n not in M2M_FIELDS):
        return True
    if key == "impact" and has_indicators:
        return True
    return any(getattr(revision, n).exists() for n in names if n in M2M_FIELDS)


def revision_task_list(*, revision: PracticeRevision) -> list[SectionTask]:
    """Each section of the revision with its status, in form order.

    "Changes requested" when the moderator's last request for changes (the revision is still answering it) has
    a comment for the section; else "completed" when the section has every item submitting needs
    (`completeness.REQUIRED_FIELDS`, and an indicator with baseline and target for the impact section);
    else "in progress" when anything in it is filled, and "not started" when nothing is.
    """
    missing = revision_missing_items(revision)
    requested = revision_requested_changes(revision=revision)
    has_indicators = not any(m.field == "indicators" for m in missing)
    tasks = []
    for key, label in SECTIONS:
        section_missing = [m for m in missing if m.section == key]
        if key in requested:
            status = TaskStatus.CHANGES_REQUESTED
        elif not section_missing:
            status = TaskStatus.COMPLETED
        elif _section_started(revision, key, has_indicators=has_indicators):
            status = TaskStatus.IN_PROGRESS
        else:
            status = TaskStatus.NOT_STARTED
        tasks.append(
            SectionTask(
                key=key, label=str(label), status=status, missing=section_missing, comment=requested.get(key, "")
            )
        )
    return tasks


@dataclass(frozen=True)
class Answer:
    name: str  # the field (the "Ubah" link goes to #id_<name>)
    label: str
    value: str  # as the public page would show it; "" when empty
    richtext: bool = False
    required: bool = False


@dataclass(frozen=True)
class SectionAnswers:
    task: SectionTask
    answers: list[Answer]
    indicators: list[str] = field(default_factory=list)  # "name (unit): baseline (year) → target (year)"


_REQUIRED = {name for _section, name in REQUIRED_FIELDS}


def _answer_text(revision: PracticeRevision, name: str) -> str:
    model_field = PracticeRevision._meta.get_field(name)
    value = getattr(revision, name)
    if model_field.many_to_many:
        return ", ".join(str(obj) for obj in value.all())
    if isinstance(value, bool):
        return gettext("Ya") if value else gettext("Tidak")
    if model_field.choices:
        return str(getattr(revision, f"get_{name}_display")()) if value else ""
    if name == "cost" and value is not None:
        return f"Rp {number_display(value)}"
    if isinstance(value, Decimal) or (isinstance(value, int) and name != "start_year"):
        return number_display(value)  # a year is not grouped: 2021, not 2.021
    return "" if value is None else str(value)


def indicator_line(indicator: Indicator) -> str:
    """One indicator as people read it: "Waktu proses (hari): 14 (2020) → 2 (2024)"."""

    def point(value, year):
        text = number_display(value) or "?"
        return f"{text} ({year})" if year else text

    return (
        f"{indicator.name} ({indicator.unit}): {point(indicator.baseline_value, indicator.baseline_year)} → "
        f"{point(indicator.target_value, indicator.target_year)}"
    )


def revision_answers(*, revision: PracticeRevision, tasks: list[SectionTask]) -> list[SectionAnswers]:
    """Every section's answers for the "check your answers" page, with its task (status, missing items)."""
    indicators = [indicator_line(i) for i in revision.indicators.all()]
    result = []
    for task in tasks:
        answers = [
            Answer(
                name=name,
                label=str(PracticeRevision._meta.get_field(name).verbose_name),
                value=_answer_text(revision, name),
                richtext=name in RICHTEXT_FIELDS,
                required=name in _REQUIRED,
            )
            for name in SECTION_FIELDS[task.key]
        ]
        result.append(SectionAnswers(task=task, answers=answers, indicators=indicators if task.key == "impact" else []))
    return result


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
    """Every file of the practice; `in_working` tells the ones the working revision shows (it may remove those)."""
    in_working = RevisionAttachment.objects.filter(attachment=OuterRef("pk"), revision_id=practice.working_revision_id)
    return practice.attachments.select_related("indicator", "revision", "uploaded_by").annotate(
        in_working=Exists(in_working)
    )


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
        lines.append(indicator_line(indicator))
        lines.extend(f"  {v.date}: {number_display(v.value)} {v.source}".rstrip() for v in indicator.values.all())
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
            diffs.append(_diff(gettext("indikator"), _indicator_text(a), _indicator_text(b)))
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
        rows.append((gettext("indikator"), _indicator_text(revision)))
    return rows
