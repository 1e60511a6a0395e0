"""The section table: a revision's sections, the fields of each, and which fields are narrative (Markdown),
many-to-many, indicator or achieved-value fields. The section forms, the API serializers, the services, the
pre-screen and the compare and review pages all read these lists; nothing else names the fields again.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Section keys are used in URLs (`/kelola/<id>/bagian/<section>/`) and as anchors.
SECTIONS: list[tuple[str, str]] = [
    ("identity", _("Identitas")),
    ("problem", _("Masalah")),
    ("approach", _("Pendekatan")),
    ("impact", _("Dampak dan indikator")),
    ("resources", _("Sumber daya dan keberlanjutan")),
    ("kit", _("Perangkat replikasi")),
    ("lessons", _("Pelajaran")),
    ("contact", _("Narahubung")),
]

# The PracticeRevision fields of each section: what a section form writes (many-to-many fields included),
# what the compare and review pages show.
SECTION_FIELDS: dict[str, list[str]] = {
    "identity": [
        "title",
        "summary",
        "coauthors",
        "start_year",
        "stage",
        "is_digital",
        "primary_theme",
        "other_themes",
        "other_regions",
    ],
    "problem": ["problem", "affected"],
    "approach": ["approach", "novelty", "partners", "beneficiaries"],
    "impact": ["impact"],
    "resources": ["cost", "staff_count", "budget_source", "regulation", "sustainability"],
    "kit": ["success_conditions", "replication_steps"],
    "lessons": ["challenges", "failures", "do_differently"],
    "contact": ["contact_name", "contact_position", "contact_email", "contact_phone"],
}

M2M_FIELDS = {"coauthors", "other_themes", "other_regions"}
# Narrative fields written in Markdown and sanitised on save (see common/richtext.py).
RICHTEXT_FIELDS = {
    "problem",
    "affected",
    "approach",
    "novelty",
    "partners",
    "beneficiaries",
    "impact",
    "regulation",
    "sustainability",
    "success_conditions",
    "replication_steps",
    "challenges",
    "failures",
    "do_differently",
}
# The free text of a revision in section order (the summary and every narrative field): what the pre-screen
# reads for links and near-duplicates.
TEXT_FIELDS: list[str] = [
    name for names in SECTION_FIELDS.values() for name in names if name == "summary" or name in RICHTEXT_FIELDS
]
# An indicator's own fields, as the section form, the API and the service write them.
INDICATOR_FIELDS = [
    "name",
    "unit",
    "baseline_value",
    "baseline_year",
    "target_value",
    "target_year",
    "higher_is_better",
    "source",
    "evidence_url",
]
TEXT_INDICATOR_FIELDS = {"name", "unit", "source", "evidence_url"}  # blank, never NULL
# An achieved value's fields (besides the indicator it belongs to).
VALUE_FIELDS = ["value", "date", "source", "evidence_url"]
