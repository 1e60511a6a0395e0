"""What changed between two revisions, section by section, as people read it.

Pure functions over revisions whose relations are already loaded (`revision_diff_prefetched`): the public
version history and the review page ("changes since the last round") both show this. Values are display text:
choice labels rather than codes, numbers in the active language's format, "Ya"/"Tidak" for booleans, names
for related rows; narrative fields are compared as their stored Markdown source.

Indicators are changes of the "impact" section and files (added or removed, by name) changes of the "kit"
section, as the section table places them (`practices/models/revision.py`).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from common.formatting import number_display

from .models import Indicator, PracticeRevision
from .sections import INDICATOR_FIELDS, SECTION_FIELDS, SECTIONS

INDICATORS_SECTION = "impact"
FILES_SECTION = "kit"


@dataclass(frozen=True)
class FieldChange:
    name: str  # the field name; "indicator.<n>.<field>" for an indicator's, "file.<attachment id>" for a file
    label: str
    before: str  # "" when the field was empty (or the indicator/file did not exist)
    after: str


@dataclass(frozen=True)
class SectionChange:
    section: str
    label: str
    changes: list[FieldChange]


def revision_diff_prefetched(queryset: QuerySet[PracticeRevision]) -> QuerySet[PracticeRevision]:
    """The revisions of `queryset` with everything `revision_diff` reads, in a fixed number of queries."""
    return queryset.select_related("primary_theme").prefetch_related(
        "coauthors",
        "other_themes",
        "other_regions",
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        "files",
    )


def revision_diff(*, old: PracticeRevision | None, new: PracticeRevision) -> list[SectionChange]:
    """The sections that changed from `old` to `new`, in section order, each with its changed fields.

    With `old=None` (a first revision) every filled field is a change from "" (added).
    """
    result = []
    for key, label in SECTIONS:
        changes = [change for name in SECTION_FIELDS[key] if (change := _field_change(name, old, new)) is not None]
        if key == INDICATORS_SECTION:
            changes.extend(_indicator_changes(old, new))
        if key == FILES_SECTION:
            changes.extend(_file_changes(old, new))
        if changes:
            result.append(SectionChange(section=key, label=str(label), changes=changes))
    return result


def _yes_no(value: bool) -> str:
    return _("Ya") if value else _("Tidak")


def _value_text(field: models.Field, value) -> str:
    """One model field's value as display text ("" for empty)."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return _yes_no(value)
    if isinstance(field, models.DecimalField | models.FloatField):
        return number_display(value)
    if isinstance(field, models.IntegerField):
        # Years are not quantities: "2021", never "2.021".
        return str(value) if field.name.endswith("year") else number_display(value)
    if isinstance(field, models.DateField):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _filled(field: models.Field, value) -> bool:
    """Whether a first revision "added" this value (a boolean left at its default was not filled in)."""
    if isinstance(field, models.BooleanField):
        return value != field.default
    return value is not None and value != ""


def _revision_field_text(revision: PracticeRevision, name: str) -> str:
    field = PracticeRevision._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(obj) for obj in getattr(revision, name).all())
    if field.many_to_one:
        related = getattr(revision, name)
        return "" if related is None else str(related)
    return _value_text(field, getattr(revision, name))


def _field_change(name: str, old: PracticeRevision | None, new: PracticeRevision) -> FieldChange | None:
    field = PracticeRevision._meta.get_field(name)
    after = _revision_field_text(new, name)
    if old is None:
        if field.many_to_many or field.many_to_one:
            before, changed = "", after != ""
        else:
            before, changed = "", _filled(field, getattr(new, name))
    else:
        before = _revision_field_text(old, name)
        if field.many_to_many:
            changed = {o.pk for o in getattr(old, name).all()} != {o.pk for o in getattr(new, name).all()}
        elif field.many_to_one:
            changed = getattr(old, field.attname) != getattr(new, field.attname)
        else:
            changed = getattr(old, name) != getattr(new, name)
    if not changed:
        return None
    return FieldChange(name=name, label=capfirst(str(field.verbose_name)), before=before, after=after)


# --- indicators -------------------------------------------------------------------------------------------


def _indicator_rows(indicator: Indicator | None) -> dict[str, tuple[str, str]]:
    """An indicator as (label, text) per compared part; the value and year of a baseline or target together."""
    if indicator is None:
        return {}
    meta = Indicator._meta

    def with_year(value, year) -> str:
        text = number_display(value)
        if year:
            return f"{text} ({year})" if text else f"({year})"
        return text

    rows = {}
    for name in INDICATOR_FIELDS:
        if name in {"baseline_year", "target_year"}:
            continue
        field = meta.get_field(name)
        if name == "baseline_value":
            text = with_year(indicator.baseline_value, indicator.baseline_year)
        elif name == "target_value":
            text = with_year(indicator.target_value, indicator.target_year)
        elif name == "higher_is_better":
            text = (
                _("Semakin tinggi semakin baik.") if indicator.higher_is_better else _("Semakin rendah semakin baik.")
            )
        else:
            text = _value_text(field, getattr(indicator, name))
        rows[name] = (capfirst(str(field.verbose_name)), text)
    rows["values"] = (
        _("Capaian"),
        "\n".join(
            " ".join(
                part
                for part in (
                    f"{formats.date_format(value.date, 'M Y')}: {number_display(value.value)}",
                    f"({value.source})" if value.source else "",
                )
                if part
            )
            for value in indicator.values.all()
        ),
    )
    return rows


def _indicator_pairs(old: list[Indicator], new: list[Indicator]) -> list[tuple[Indicator | None, Indicator | None]]:
    """Old and new indicators paired: first by the same name, the rest in order (a renamed indicator)."""
    pairs: list[tuple[Indicator | None, Indicator | None]] = []
    unmatched_old = list(old)
    unmatched_new = []
    for indicator in new:
        same = next((o for o in unmatched_old if o.name.strip().casefold() == indicator.name.strip().casefold()), None)
        if same is not None:
            unmatched_old.remove(same)
            pairs.append((same, indicator))
        else:
            unmatched_new.append(indicator)
    for indicator in unmatched_new:
        pairs.append((unmatched_old.pop(0) if unmatched_old else None, indicator))
    pairs.extend((indicator, None) for indicator in unmatched_old)
    return pairs


def _indicator_changes(old: PracticeRevision | None, new: PracticeRevision) -> list[FieldChange]:
    old_list = list(old.indicators.all()) if old is not None else []
    changes = []
    for n, (before, after) in enumerate(_indicator_pairs(old_list, list(new.indicators.all())), start=1):
        name = (after or before).name
        before_rows, after_rows = _indicator_rows(before), _indicator_rows(after)
        for part in after_rows or before_rows:
            label, after_text = after_rows.get(part, ("", ""))
            before_text = before_rows.get(part, ("", ""))[1]
            label = label or before_rows[part][0]
            if before_text == after_text:
                continue
            if before is None and part == "higher_is_better" and after.higher_is_better:
                continue  # a new indicator left at the default: nothing the author filled in
            changes.append(
                FieldChange(
                    name=f"indicator.{n}.{part}",
                    label=_("Indikator “%(name)s”: %(part)s") % {"name": name, "part": label},
                    before=before_text,
                    after=after_text,
                )
            )
    return changes


# --- files ------------------------------------------------------------------------------------------------


def _file_text(attachment) -> str:
    name = attachment.original_name
    if attachment.title and attachment.title != name:
        name = f"{attachment.title} ({name})"
    return f"{name}, {attachment.get_purpose_display()}"


def _file_changes(old: PracticeRevision | None, new: PracticeRevision) -> list[FieldChange]:
    """Files linked to `new` and not to `old` (added) and the other way round (removed), by attachment."""
    old_files = {a.pk: a for a in old.files.all()} if old is not None else {}
    new_files = {a.pk: a for a in new.files.all()}
    label = _("Lampiran")
    changes = [
        FieldChange(name=f"file.{pk}", label=label, before="", after=_file_text(a))
        for pk, a in new_files.items()
        if pk not in old_files
    ]
    changes.extend(
        FieldChange(name=f"file.{pk}", label=label, before=_file_text(a), after="")
        for pk, a in old_files.items()
        if pk not in new_files
    )
    return changes


# --- word-level display -----------------------------------------------------------------------------------

# Words with the whitespace before them: an appended phrase or line is one insertion at the end.
_TOKENS = re.compile(r"\s*\S+|\s+")


def text_diff_html(before: str, after: str) -> SafeString:
    """`after` with the words removed since `before` in <del> and the added ones in <ins> (each with a
    visually hidden "dihapus:"/"ditambah:" for screen readers; style with `.word-diff` in portal.css).

    Every piece of text is escaped before it is wrapped, so the result is safe to put into a page whatever the
    revisions contain. Line breaks are kept as text (`.word-diff` renders them: `white-space: pre-wrap`).
    """
    # Screen readers do not announce <ins>/<del>: each change says what it is in hidden text.
    hidden_removed = f'<span class="visually-hidden">{escape(_("dihapus:"))} </span>'
    hidden_added = f'<span class="visually-hidden">{escape(_("ditambah:"))} </span>'
    old_tokens, new_tokens = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        removed, added = "".join(old_tokens[a1:a2]), "".join(new_tokens[b1:b2])
        if op == "equal":
            parts.append(escape(added))
            continue
        if removed:
            parts.append(f"<del>{hidden_removed}{escape(removed)}</del>")
        if added:
            parts.append(f"<ins>{hidden_added}{escape(added)}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece was escaped above
