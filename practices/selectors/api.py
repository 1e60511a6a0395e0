"""Reads for the API v1 and the exports: the same filters as the public list, a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, QueryDict

from ..access import practice_get_for_user
from ..filters import PracticeFilter, practices_order
from ..models import Attachment, Indicator, IndicatorValue, Practice, PracticeRevision, Verification
from ..search import search_plan


def practice_api_list() -> QuerySet[Practice]:
    """Published practices with what a list row shows (agency, region, themes), in two queries per page."""
    return (
        Practice.objects.published()
        .select_related("agency", "agency__region", "agency__region__province", "primary_theme")
        .prefetch_related("themes")
    )


def practice_export_rows(*, data: QueryDict) -> QuerySet[Practice]:
    """The public list's result for `data` (same FilterSet, search and sort as the page), every row, for exports.

    Bad filter values are dropped one by one as on the page, so a shared link always exports something.
    """
    filterset = PracticeFilter(data, queryset=practice_api_list())
    filterset.is_valid()
    cleaned = {k: v for k, v in filterset.form.cleaned_data.items() if k not in filterset.form.errors}
    queryset = PracticeFilter(
        {k: v for k, v in cleaned.items() if v not in (None, "", False)}, queryset=practice_api_list()
    ).qs
    plan = search_plan(cleaned.get("q") or "")
    if plan.text:
        queryset = plan.filter(queryset)
    return practices_order(queryset, sort=cleaned.get("sort") or "", plan=plan)


def _indicators() -> Prefetch:
    return Prefetch(
        "indicators",
        queryset=Indicator.objects.order_by("order", "id").prefetch_related(
            Prefetch("values", queryset=IndicatorValue.objects.order_by("date", "id"))
        ),
    )


def _verifications() -> Prefetch:
    return Prefetch(
        "verifications", queryset=Verification.objects.select_related("revision").order_by("-verified_on", "-id")
    )


def practice_api_get(*, user, pk: int) -> tuple[Practice, PracticeRevision]:
    """The practice and the revision this user reads through the API, else 404.

    People who may open the practice in the management area (its agency; moderators once it left the agency)
    read the working revision, the one they edit; everyone else reads the live revision of a published practice.
    Drafts never leak: the access function decides, and a refusal is the same 404 as a missing id.
    """
    practice = None
    if user.is_authenticated:
        try:
            practice = practice_get_for_user(user=user, pk=pk)
        except Http404:
            practice = None
    if practice is not None and practice.working_revision_id:
        revision_id = practice.working_revision_id
    else:
        practice = Practice.objects.published().filter(pk=pk).first()
        if practice is None:
            raise Http404
        revision_id = practice.live_revision_id
    practice = (
        Practice.objects.select_related("agency", "agency__region", "agency__region__province", "primary_theme")
        .prefetch_related("themes", _verifications())
        .annotate(replications_total=Count("replications"))
        .get(pk=practice.pk)
    )
    revision = (
        PracticeRevision.objects.select_related("primary_theme")
        .prefetch_related(
            _indicators(),
            "other_themes",
            "other_regions",
            Prefetch("files", queryset=Attachment.objects.order_by("created_at", "id")),
        )
        .get(pk=revision_id)
    )
    # Through the reverse relation of the ledger's replications: practices imports nothing of the ledger app.
    practice.replications_by_stage = dict(practice.replications.values_list("stage").annotate(n=Count("id")).order_by())
    return practice, revision


def published_practices_with_indicators() -> QuerySet[Practice]:
    """Every published practice with its live revision and indicators (for the JSON Lines dump), by id."""
    return (
        Practice.objects.published()
        .select_related(
            "agency", "agency__region", "agency__region__province", "live_revision", "live_revision__primary_theme"
        )
        .prefetch_related(
            "themes",
            _verifications(),
            "live_revision__other_themes",
            "live_revision__other_regions",
            Prefetch("live_revision__indicators", queryset=_indicators().queryset),
        )
        .order_by("id")
    )
