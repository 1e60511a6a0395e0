"""Reads for the replication ledger and the FAQ."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from agencies.models import Agency
from practices.access import user_agency_id
from practices.models import Indicator, Practice
from practices.selectors.manage import practice_similar_list

from .access import question_can_answer
from .models import Question, Replication

LINEAGE_MAX_DEPTH = 6


# Replication ledger --------------------------------------------------------------------------------------------


def replication_list(*, practice: Practice) -> QuerySet[Replication]:
    """The replications of one practice with their steps, agencies and the practice each became."""
    return Replication.objects.filter(source=practice).for_ledger()


def replication_api_list() -> QuerySet[Replication]:
    """Replications of published practices (the public ledger), oldest first, stable by id."""
    return (
        Replication.objects.filter(source__status=Practice.Status.PUBLISHED)
        .select_related("source", "agency", "became")
        .order_by("created_at", "id")
    )


def replications_of_agency(*, agency: Agency) -> dict[str, QuerySet[Replication]]:
    """Replications given (others replicating this agency's practices) and received (this agency replicating)."""
    base = Replication.objects.select_related("agency", "source", "source__agency")
    return {
        "given": base.filter(source__agency=agency).order_by("-created_at"),
        "received": base.filter(agency=agency).order_by("-created_at"),
    }


@dataclass
class LineageNode:
    practice: Practice
    replications: list[tuple[Replication, LineageNode | None]] = field(default_factory=list)


def practice_lineage(*, practice: Practice, max_depth: int = LINEAGE_MAX_DEPTH) -> tuple[list[Practice], LineageNode]:
    """Ancestors (walking `source`, nearest first, at most `max_depth`) and the tree of replications below
    `practice`: each replication with the node of the practice it became, if any. One query per level; the
    depth bound also stops a (corrupt) cycle.
    """
    ancestors: list[Practice] = []
    seen = {practice.pk}
    current = practice
    while current.source_id and len(ancestors) < max_depth and current.source_id not in seen:
        current = Practice.objects.select_related("agency").get(pk=current.source_id)
        seen.add(current.pk)
        ancestors.append(current)

    root = LineageNode(practice=practice)
    level = {practice.pk: root}
    for _depth in range(max_depth):
        if not level:
            break
        rows = (
            Replication.objects.filter(source_id__in=level.keys())
            .select_related("agency", "became", "became__agency")
            .order_by("created_at", "id")
        )
        next_level: dict[int, LineageNode] = {}
        for replication in rows:
            child = None
            if replication.became_id and replication.became_id not in seen:
                seen.add(replication.became_id)
                child = LineageNode(practice=replication.became)
                next_level[replication.became_id] = child
            level[replication.source_id].replications.append((replication, child))
        level = next_level
    return ancestors, root


# Marking a new practice as a replication (the submit page's panel) -------------------------------------------


def replication_mark_candidates(*, practice: Practice) -> list[Practice]:
    """The published practices the panel offers: those the submit page lists as similar, other agencies' only."""
    if practice.working_revision_id is None:
        return []
    similar = practice_similar_list(practice=practice, revision=practice.working_revision)
    return [p for p in similar if p.agency_id != practice.agency_id]


def replication_mark_state(*, practice: Practice) -> dict:
    """The practice's current mark: the source it replicates and the ledger row it became (either may be None),
    and whether the mark can still be undone (an unpublished draft)."""
    from_ledger = Replication.objects.select_related("source", "source__agency").filter(became=practice).first()
    source = from_ledger.source if from_ledger else None
    if source is None and practice.source_id:
        source = Practice.objects.select_related("agency").filter(pk=practice.source_id).first()
    revision = practice.working_revision
    return {
        "source": source,
        "replication": from_ledger,
        "can_undo": source is not None
        and practice.status == Practice.Status.UNPUBLISHED
        and revision is not None
        and revision.state == revision.State.DRAFT,
    }


# Questions -----------------------------------------------------------------------------------------------------


def source_indicators(*, practice: Practice) -> list[Indicator]:
    """The indicators of a practice's live revision: what a replication reports its results against."""
    return list(Indicator.objects.filter(revision_id=practice.live_revision_id).order_by("order", "id"))


def faq_list(*, practice: Practice) -> QuerySet[Question]:
    return Question.objects.filter(practice=practice).faq()


def question_list_for_user(*, practice: Practice, user) -> QuerySet[Question]:
    """Questions the user's agency may see in full: all of them for the owner, its own for an asking agency."""
    qs = Question.objects.filter(practice=practice).select_related("asker_agency", "asker", "answered_by")
    if question_can_answer(user=user, practice=practice):
        return qs
    agency_id = user_agency_id(user=user)
    if agency_id is None:
        return qs.none()
    return qs.filter(asker_agency_id=agency_id)
