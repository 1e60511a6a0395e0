"""Reads for the review pages: the agency and moderator queues and everything one review page shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import django_filters
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from agencies.models import Agency, Region

from ..charts import indicator_chart
from ..diff import SectionChange, revision_diff, revision_diff_prefetched, text_diff_html
from ..models import (
    Attachment,
    Practice,
    PracticeRevision,
    Review,
    ReviewAssignment,
    Screening,
    Theme,
    Transition,
)
from ..models.review import RUBRIC_LABELS
from ..sections import SECTIONS
from ..services.guard import PublishGuard, publish_guard
from ..snapshot import snapshot_diff

S = PracticeRevision.State

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


# A pre-screen's file check, in words (`services.screening.revision_attachment_check` codes).
ATTACHMENT_PROBLEMS = {
    "missing": _("berkas tidak ditemukan di penyimpanan"),
    "size": _("ukuran berkas berbeda dari saat diunggah"),
    "sha256": _("isi berkas berubah sejak diunggah"),
}
PREVIEW_IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
PREVIEW_PDF_TYPES = {"application/pdf"}


def attachment_preview_kind(attachment: Attachment) -> str:
    """How the review page previews a file: "pdf" (a frame), "image" (an <img>) or "" (download only)."""
    if attachment.mime_type in PREVIEW_PDF_TYPES:
        return "pdf"
    if attachment.mime_type in PREVIEW_IMAGE_TYPES:
        return "image"
    return ""


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the review page's history: a workflow step, or a moderator's "not a duplicate" answer."""

    at: datetime
    actor: User | None
    kind: str  # "transition" | "duplicates_cleared"
    from_label: str = ""
    to_label: str = ""
    comment: str = ""
    revision_number: int | None = None


def _state_label(state: str) -> str:
    for choices in (PracticeRevision.State, Practice.Status):
        if state in choices.values:
            return str(choices(state).label)
    return state


def review_history(*, practice: Practice, transitions: list[Transition]) -> list[HistoryEntry]:
    """The practice's workflow steps with state labels, and the publish guard's recorded answers, in time order."""
    entries = [
        HistoryEntry(
            at=t.created_at,
            actor=t.actor,
            kind="transition",
            from_label=_state_label(t.from_state),
            to_label=_state_label(t.to_state),
            comment=t.comment,
            revision_number=t.revision.number if t.revision else None,
        )
        for t in transitions
    ]
    cleared = Screening.objects.filter(revision__practice=practice, duplicates_cleared_at__isnull=False).select_related(
        "duplicates_cleared_by", "revision"
    )
    entries += [
        HistoryEntry(
            at=s.duplicates_cleared_at,
            actor=s.duplicates_cleared_by,
            kind="duplicates_cleared",
            comment=s.duplicates_cleared_reason,
            revision_number=s.revision.number,
        )
        for s in cleared
    ]
    return sorted(entries, key=lambda e: e.at)


def _duplicate_rows(screening: Screening | None) -> list[dict]:
    """The pre-screen's likely duplicates with what the page links to (one query for all of them)."""
    if screening is None or not screening.duplicates:
        return []
    ids = [d.get("practice_id") for d in screening.duplicates]
    practices = {p.pk: p for p in Practice.objects.filter(pk__in=ids).select_related("agency")}
    return [{**d, "practice": practices.get(d.get("practice_id"))} for d in screening.duplicates]


def _review_rows(reviews: list[Review]) -> list[dict]:
    labels = dict(SECTIONS)
    return [
        {
            "review": r,
            "scores": [(RUBRIC_LABELS.get(k, k), v) for k, v in r.scores.items()],
            "section_comments": [(labels.get(k, k), v) for k, v in r.section_comments.items() if v],
        }
        for r in reviews
    ]


def _change_sections(changes: list[SectionChange] | None, *, comments: dict[str, str] | None = None) -> list[dict]:
    """Changed sections for the page, each change with its word-level diff; with `comments` (the changes a
    moderator asked for, per section) also the sections that were asked about, changed or not."""
    by_key = {c.section: c for c in changes or []}
    comments = comments or {}
    rows = []
    for key, label in SECTIONS:
        change, comment = by_key.get(key), comments.get(key, "")
        if change is None and not comment:
            continue
        rows.append(
            {
                "key": key,
                "label": label,
                "comment": comment,
                "changes": [
                    {"change": c, "diff_html": text_diff_html(c.before, c.after)}
                    for c in (change.changes if change else [])
                ],
            }
        )
    return rows


def review_guard(*, practice: Practice) -> PublishGuard:
    """The publish guard's state for the practice's working revision (what the decision form offers)."""
    revision = PracticeRevision.objects.prefetch_related("indicators").get(pk=practice.working_revision_id)
    return publish_guard(revision=revision, screening=revision.screenings.first())


def review_page_data(*, practice: Practice) -> dict:
    """Everything the review page shows, in a fixed number of queries (whatever the number of indicators,
    files, reviews or steps): the working revision with its relations (as the public body renders it), the
    pre-screen and the publish guard, the changes since the last round and against the live revision, the
    reviews and the history."""
    revision = revision_diff_prefetched(
        PracticeRevision.objects.select_related("created_by").prefetch_related("other_regions__province")
    ).get(pk=practice.working_revision_id)
    live = None
    if practice.live_revision_id and practice.live_revision_id != revision.pk:
        live = revision_diff_prefetched(PracticeRevision.objects.all()).get(pk=practice.live_revision_id)
    screening = revision.screenings.select_related("assigned_to", "duplicates_cleared_by").first()
    problems = {a.get("id"): a for a in (screening.attachments if screening else []) if not a.get("ok")}
    files = [
        {
            "attachment": a,
            "preview": attachment_preview_kind(a),
            "problem": ATTACHMENT_PROBLEMS.get(problems[a.pk].get("problem"), problems[a.pk].get("problem"))
            if a.pk in problems
            else "",
        }
        for a in revision.files.all()
    ]
    snapshot = revision.snapshots.first()
    round_changes = snapshot_diff(data=snapshot.data, revision=revision) if snapshot else None
    transitions = list(practice.transitions.select_related("actor", "revision"))
    themes = ([revision.primary_theme] if revision.primary_theme else []) + [
        t for t in revision.other_themes.all() if t.pk != revision.primary_theme_id
    ]
    return {
        "revision": revision,
        "live": live,
        "themes": themes,
        "charts": [indicator_chart(indicator) for indicator in revision.indicators.all()],
        "files": files,
        "screening": screening,
        "duplicates": _duplicate_rows(screening),
        "link_problems": [link for link in (screening.links if screening else []) if link.get("ok") is False],
        "guard": publish_guard(revision=revision, screening=screening),
        "snapshot": snapshot,
        "round_changes": round_changes,
        "round_sections": _change_sections(round_changes, comments=snapshot.section_comments) if snapshot else [],
        "live_sections": _change_sections(revision_diff(old=live, new=revision)) if live else [],
        "reviews": _review_rows(list(revision.reviews.select_related("reviewer"))),
        "assignments": list(revision.assignments.open().select_related("reviewer")),
        "transitions": transitions,
        "history": review_history(practice=practice, transitions=transitions),
    }


def revision_reviewers(*, revision) -> list:
    """The reviewers with an open assignment on a revision: whom its decision is told to."""
    return [a.reviewer for a in revision.assignments.open().select_related("reviewer")]
