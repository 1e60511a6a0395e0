"""The practices app's models, one module per concern; importers use `practices.models` (migrations too)."""

from .practice import Practice, PracticeQuerySet, Theme
from .review import Review, ReviewAssignment, ReviewAssignmentQuerySet, Screening, Transition
from .revision import Attachment, Indicator, IndicatorValue, PracticeRevision, attachment_upload_to

__all__ = [
    "Theme",
    "PracticeQuerySet",
    "Practice",
    "PracticeRevision",
    "Indicator",
    "IndicatorValue",
    "Attachment",
    "attachment_upload_to",
    "Transition",
    "Screening",
    "ReviewAssignmentQuerySet",
    "ReviewAssignment",
    "Review",
]
