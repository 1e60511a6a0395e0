"""The practices app's models, one module per concern; importers use `practices.models` (migrations too)."""

from .facets import FacetCount, FacetCube, FacetPair, PracticeFacets
from .neighbours import PracticeNeighbours
from .pages import PracticePage, PracticePageGeneration, PracticePageVersion
from .practice import Practice, PracticeQuerySet, Theme
from .review import (
    Review,
    ReviewAssignment,
    ReviewAssignmentQuerySet,
    RevisionSnapshot,
    Screening,
    Transition,
)
from .revision import (
    Attachment,
    Indicator,
    IndicatorValue,
    PracticeRevision,
    RevisionAttachment,
    attachment_upload_to,
)
from .search import GlossaryTerm, SearchWord
from .translation import TRANSLATABLE_FIELDS, PracticeTranslation
from .verification import Verification

__all__ = [
    "PracticePage",
    "PracticePageGeneration",
    "PracticePageVersion",
    "Theme",
    "PracticeQuerySet",
    "Practice",
    "PracticeRevision",
    "Indicator",
    "IndicatorValue",
    "Attachment",
    "RevisionAttachment",
    "attachment_upload_to",
    "Transition",
    "Screening",
    "ReviewAssignmentQuerySet",
    "ReviewAssignment",
    "Review",
    "RevisionSnapshot",
    "Verification",
    "GlossaryTerm",
    "SearchWord",
    "PracticeTranslation",
    "TRANSLATABLE_FIELDS",
    "PracticeFacets",
    "FacetCount",
    "FacetCube",
    "FacetPair",
    "PracticeNeighbours",
]
