"""What a revision must hold before it can be submitted, section by section.

Saving a draft demands nothing; submitting demands everything listed here. The submission page lists every
missing item with a link to its field, and the pre-screen turns the same list into a completeness score.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import PracticeRevision

# (section, field name on PracticeRevision) that must be filled before submitting.
REQUIRED_FIELDS: list[tuple[str, str]] = [
    ("identity", "title"),
    ("identity", "summary"),
    ("identity", "start_year"),
    ("identity", "stage"),
    ("identity", "primary_theme"),
    ("problem", "problem"),
    ("problem", "affected"),
    ("approach", "approach"),
    ("approach", "novelty"),
    ("approach", "beneficiaries"),
    ("impact", "impact"),
    ("resources", "budget_source"),
    ("resources", "sustainability"),
    ("kit", "success_conditions"),
    ("kit", "replication_steps"),
    ("lessons", "challenges"),
    ("contact", "contact_name"),
    ("contact", "contact_email"),
]


@dataclass(frozen=True)
class MissingItem:
    section: str
    field: str
    label: str


def revision_missing_items(revision) -> list[MissingItem]:
    """Every required item the revision lacks, in form order. Indicators: at least one, each with a target."""
    missing: list[MissingItem] = []
    for section, name in REQUIRED_FIELDS:
        value = getattr(revision, f"{name}_id" if name == "primary_theme" else name)
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            label = PracticeRevision._meta.get_field(name).verbose_name
            missing.append(MissingItem(section=section, field=name, label=str(label)))
    indicators = list(revision.indicators.all())
    if not indicators:
        missing.append(MissingItem(section="impact", field="indicators", label=str(_("minimal satu indikator"))))
    for indicator in indicators:
        if indicator.target_value is None or indicator.baseline_value is None:
            missing.append(
                MissingItem(
                    section="impact",
                    field=f"indicator-{indicator.pk}",
                    label=str(_("nilai awal dan target untuk indikator “%(name)s”") % {"name": indicator.name}),
                )
            )
    return missing


def revision_completeness(revision) -> float:
    """Share of required items present, 0.0 to 1.0 (the pre-screen's completeness score)."""
    total = len(REQUIRED_FIELDS) + 1
    return round(max(0, total - len(revision_missing_items(revision))) / total, 3)
