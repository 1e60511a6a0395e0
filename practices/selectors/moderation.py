"""Reads for the review pages: the agency and moderator queues and everything one review page shows."""

from __future__ import annotations

import difflib
from datetime import timedelta

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency, Region

from ..models import Practice, PracticeRevision, ReviewAssignment, Theme
from ..sections import SECTION_FIELDS as ALL_SECTION_FIELDS
from ..sections import SECTIONS

S = PracticeRevision.State

# The review page shows each section's own fields; relations (themes, regions, co-authors) are shown apart.
SECTION_FIELDS: dict[str, list[str]] = {
    key: [name for name in names if name not in {"coauthors", "primary_theme", "other_themes", "other_regions"}]
    for key, names in ALL_SECTION_FIELDS.items()
}
MODERATION_STATES = [S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED]


def _queue_base() -> QuerySet[Practice]:
    return Practice.objects.select_related(
        "agency", "working_revision", "working_revision__primary_theme", "agency__region"
    ).prefetch_related(
        Prefetch(
            "working_revision__assignments",
            queryset=ReviewAssignment.objects.open().select_related("reviewer"),
            to_attr="open_assignments",
        )
    )


def agency_review_queue(*, agency_id: int) -> QuerySet[Practice]:
    """The agency's practices waiting for its admin's approval, oldest first."""
    return (
        _queue_base()
        .filter(agency_id=agency_id, working_revision__state=S.AGENCY_REVIEW)
        .order_by("working_revision__updated_at")
    )


def moderator_choices() -> QuerySet[User]:
    return User.objects.moderators().order_by("full_name", "email")


class ModerationQueueFilter(django_filters.FilterSet):
    ASSIGNEE_ME = "me"
    ASSIGNEE_ANY = "any"
    ASSIGNEE_NONE = "none"

    assignee = django_filters.ChoiceFilter(label=_("Peninjau"), method="filter_assignee", empty_label=None)
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="working_revision__state",
        choices=[(s.value, s.label) for s in MODERATION_STATES],
        empty_label=_("Semua yang menunggu kementerian"),
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Tema"), field_name="working_revision__primary_theme", queryset=Theme.objects.all()
    )
    agency_kind = django_filters.ChoiceFilter(
        label=_("Jenis instansi"), field_name="agency__kind", choices=Agency.Kind.choices
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Provinsi"), queryset=Region.objects.filter(level=Region.Level.PROVINCE), method="filter_province"
    )
    waiting = django_filters.NumberFilter(label=_("Menunggu minimal (hari)"), method="filter_waiting", min_value=0)

    class Meta:
        model = Practice
        fields: list[str] = []

    def __init__(self, data=None, *args, user=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("assignee", self.ASSIGNEE_ME)  # "waiting on me" by default
        super().__init__(data, *args, **kwargs)
        self.user = user
        self.filters["assignee"].extra["choices"] = [
            (self.ASSIGNEE_ME, _("Menunggu saya")),
            (self.ASSIGNEE_ANY, _("Semua peninjau")),
            (self.ASSIGNEE_NONE, _("Belum ditugaskan")),
            *[(str(u.pk), str(u)) for u in moderator_choices()],
        ]

    def filter_assignee(self, queryset, name, value):
        open_assignment = Q(working_revision__assignments__completed_at__isnull=True)
        if value == self.ASSIGNEE_ANY:
            return queryset
        if value == self.ASSIGNEE_NONE:
            return queryset.exclude(working_revision__assignments__in=ReviewAssignment.objects.open())
        reviewer_id = self.user.pk if value == self.ASSIGNEE_ME else int(value)
        return queryset.filter(open_assignment, working_revision__assignments__reviewer_id=reviewer_id).distinct()

    def filter_province(self, queryset, name, value):
        return queryset.filter(Q(agency__region=value) | Q(agency__region__province=value))

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(working_revision__submitted_at__lte=timezone.now() - timedelta(days=int(value)))


def moderation_queue(*, user, data) -> ModerationQueueFilter:
    """The moderator queue: working revisions waiting on the ministry, filtered; "waiting on me" by default."""
    qs = _queue_base().filter(working_revision__state__in=MODERATION_STATES).order_by("working_revision__submitted_at")
    return ModerationQueueFilter(data, queryset=qs, user=user)


def _display(revision: PracticeRevision, name: str) -> str:
    value = getattr(revision, name)
    if value is None:
        return ""
    if name == "stage":
        return str(revision.get_stage_display())
    return str(value)


def revision_sections(*, revision: PracticeRevision, live: PracticeRevision | None) -> list[dict]:
    """The revision section by section, each field with its unified diff against the live revision, if any."""
    sections = []
    labels = dict(SECTIONS)
    for key, names in SECTION_FIELDS.items():
        fields = []
        for name in names:
            new = _display(revision, name)
            diff = []
            if live is not None and live.pk != revision.pk:
                old = _display(live, name)
                if old != new:
                    diff = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=1))[2:]
                    diff = [
                        {"kind": {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx"), "text": line}
                        for line in diff
                    ]
            fields.append(
                {"name": name, "label": PracticeRevision._meta.get_field(name).verbose_name, "value": new, "diff": diff}
            )
        sections.append({"key": key, "label": labels[key], "fields": fields, "changed": any(f["diff"] for f in fields)})
    return sections


def review_page_data(*, practice: Practice) -> dict:
    """Everything the review page shows, in a fixed number of queries."""
    revision = (
        PracticeRevision.objects.select_related("primary_theme", "created_by")
        .prefetch_related("indicators__values", "attachments", "other_themes")
        .get(pk=practice.working_revision_id)
    )
    live = None
    if practice.live_revision_id and practice.live_revision_id != revision.pk:
        live = PracticeRevision.objects.get(pk=practice.live_revision_id)
    return {
        "revision": revision,
        "live": live,
        "sections": revision_sections(revision=revision, live=live),
        "screening": revision.screenings.select_related("assigned_to").first(),
        "reviews": list(revision.reviews.select_related("reviewer")),
        "assignments": list(revision.assignments.open().select_related("reviewer")),
        "transitions": list(practice.transitions.select_related("actor", "revision")),
    }


def revision_reviewers(*, revision) -> list:
    """The reviewers with an open assignment on a revision: whom its decision is told to."""
    return [a.reviewer for a in revision.assignments.open().select_related("reviewer")]
