"""Reads for the public side: only published practices, with a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict

from agencies.models import Agency, Region

from ..filters import KIND_GROUPS, KIND_TO_GROUP, PracticeFilter, Sort
from ..models import Attachment, Indicator, Practice, PracticeRevision, Theme
from ..search import SearchPlan, highlight_html, search_plan

PAGE_SIZE = 20


def theme_list() -> QuerySet[Theme]:
    return Theme.objects.all()


def theme_list_with_counts() -> QuerySet[Theme]:
    """The 12 themes (RB Tematik first) with the number of published practices in each, in one query."""
    return Theme.objects.annotate(
        practice_count=Count("practices", filter=Q(practices__status=Practice.Status.PUBLISHED), distinct=True)
    )


def published_practices() -> QuerySet[Practice]:
    return Practice.objects.published().select_related("agency", "primary_theme")


def headline_numbers(queryset: QuerySet[Practice] | None = None) -> dict:
    """Practices, contributing agencies, provinces covered and replications, in one aggregate query."""
    queryset = Practice.objects.published() if queryset is None else queryset
    return queryset.aggregate(
        practices=Count("id", distinct=True),
        agencies=Count("agency", distinct=True),
        provinces=Count(Coalesce("agency__region__province_id", "agency__region_id"), distinct=True),
        replications=Coalesce(Sum("replication_count"), 0),
    )


# The practice list -----------------------------------------------------------------------------------------


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class PracticeListResult:
    filterset: PracticeFilter
    page: Page
    plan: SearchPlan
    sort: str
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    themes: list[Theme] = field(default_factory=list)


def practice_list(*, data: QueryDict, page_number: str | int | None = 1) -> PracticeListResult:
    """The filtered, searched, sorted page of published practices with facet counts.

    Each facet is counted over the result filtered by every *other* choice (so picking a theme still shows the
    other themes' numbers), one aggregate query per facet. Total: about 14 queries whatever the data size.
    """
    data = data.copy()
    filterset = PracticeFilter(data, queryset=Practice.objects.published())
    cleaned = filterset.form.cleaned_data if filterset.is_valid() else _valid_part(filterset)
    plan = search_plan(cleaned.get("q") or "")
    sort = cleaned.get("sort") or (Sort.RELEVANCE if plan.text else Sort.NEWEST)
    if sort == Sort.RELEVANCE and not plan.text:
        sort = Sort.NEWEST

    def result_without(*keys: str) -> QuerySet[Practice]:
        sub = {k: v for k, v in cleaned.items() if k not in keys and v not in (None, "", False)}
        qs = PracticeFilter(sub, queryset=Practice.objects.published()).qs
        if plan.text:
            qs = plan.filter(qs)
        # The theme filter joins one theme row per practice (codes are unique), so no DISTINCT is needed.
        return qs

    queryset = result_without()
    if sort == Sort.RELEVANCE:
        ordered = plan.rank(queryset)
    elif sort == Sort.REPLICATED:
        ordered = queryset.order_by("-replication_count", "-published_at", "-id")
    else:
        ordered = queryset.order_by("-published_at", "-id")
    ordered = plan.headline(ordered.select_related("agency", "primary_theme"))
    paginator = Paginator(ordered, PAGE_SIZE)
    page = paginator.get_page(page_number)
    for practice in page.object_list:
        practice.snippet = highlight_html(practice.headline) if getattr(practice, "headline", None) else None

    themes = list(theme_list())
    result = PracticeListResult(filterset=filterset, page=page, plan=plan, sort=sort, themes=themes)
    result.facets = _facets(cleaned=cleaned, result_without=result_without, themes=themes)
    result.flags = queryset.aggregate(
        reached=Count("id", filter=Q(reached_target=True), distinct=True),
        replicated=Count("id", filter=Q(replication_count__gt=0), distinct=True),
    )
    return result


def _valid_part(filterset: PracticeFilter) -> dict:
    """Bad values in a shared URL are dropped one by one; the rest of the filters still apply."""
    form = filterset.form
    return {name: value for name, value in form.cleaned_data.items() if name not in form.errors}


def _counts(queryset: QuerySet, key: str) -> dict[str, int]:
    rows = queryset.order_by().values(key).annotate(n=Count("id", distinct=True))
    return {row[key]: row["n"] for row in rows if row[key] is not None}


def _options(choices, counts: dict[str, int], selected: str | None) -> list[FacetOption]:
    return [
        FacetOption(value=str(value), label=str(label), count=counts.get(value, 0), selected=str(value) == selected)
        for value, label in choices
    ]


def _facets(*, cleaned: dict, result_without, themes: list[Theme]) -> dict[str, list[FacetOption]]:
    facets: dict[str, list[FacetOption]] = {}
    theme_counts = _counts(result_without("theme"), "themes__code")
    facets["theme"] = _options([(t.code, t.name) for t in themes], theme_counts, cleaned.get("theme"))
    facets["track"] = _options(
        Theme.Track.choices, _counts(result_without("track"), "primary_theme__track"), cleaned.get("track")
    )
    kind_counts: dict[str, int] = {}
    for kind, n in _counts(result_without("kind"), "agency__kind").items():
        group = KIND_TO_GROUP[kind]
        kind_counts[group] = kind_counts.get(group, 0) + n
    facets["kind"] = _options(
        [(k, label) for k, (label, _kinds) in KIND_GROUPS.items()], kind_counts, cleaned.get("kind")
    )

    # Region: provinces always; the regencies/cities of the chosen province only (a hierarchy, not 552 names).
    province_qs = result_without("province", "region").annotate(
        province_code=Coalesce("agency__region__province__code", "agency__region__code")
    )
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("name").values_list("code", "name"))
    facets["province"] = _options(provinces, _counts(province_qs, "province_code"), cleaned.get("province"))
    facets["region"] = []
    if cleaned.get("province"):
        subregions = list(
            Region.objects.filter(province__code=cleaned["province"]).order_by("name").values_list("code", "name")
        )
        facets["region"] = _options(
            subregions, _counts(result_without("region"), "agency__region__code"), cleaned.get("region")
        )
    facets["stage"] = _options(
        PracticeRevision.Stage.choices, _counts(result_without("stage"), "stage"), cleaned.get("stage")
    )
    facets["evidence"] = _options(
        Practice.EvidenceLevel.choices, _counts(result_without("evidence"), "evidence_level"), cleaned.get("evidence")
    )
    return facets


# One practice ---------------------------------------------------------------------------------------------


def practice_public_get(*, slug: str) -> Practice:
    """A published practice with everything its page shows, or 404 (drafts and archived ones never leak)."""
    indicators = Indicator.objects.prefetch_related("values")
    practice = (
        Practice.objects.published()
        .select_related("agency__region__province", "primary_theme", "live_revision", "source")
        .prefetch_related(
            "themes",
            Prefetch("live_revision__indicators", queryset=indicators),
        )
        .filter(slug=slug)
        .first()
    )
    if practice is None:
        raise Http404
    practice.public_attachments = list(
        Attachment.objects.filter(practice=practice, revision_id=practice.live_revision_id).exclude(
            purpose=Attachment.Purpose.COVER
        )
    )
    return practice


def practice_related(*, practice: Practice, limit: int = 4) -> list[Practice]:
    """Published practices sharing the primary theme, the most similar titles first."""
    if not practice.primary_theme_id:
        return []
    return list(
        published_practices()
        .filter(themes=practice.primary_theme_id)
        .exclude(pk=practice.pk)
        .annotate(similarity=TrigramSimilarity("title", practice.title))
        .order_by("-similarity", "-published_at")[:limit]
    )


# Themes -----------------------------------------------------------------------------------------------------


def theme_public_get(*, code: str) -> Theme:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise Http404
    return theme


def theme_overview(*, theme: Theme, limit: int = 12) -> dict:
    in_theme = Practice.objects.published().filter(themes=theme)
    agencies = (
        Agency.objects.filter(practices__in=in_theme)
        .annotate(practice_count=Count("practices", distinct=True))
        .order_by("-practice_count", "name")[:limit]
    )
    return {
        "numbers": headline_numbers(in_theme),
        "practices": list(published_practices().filter(themes=theme).order_by("-published_at", "-id")[:limit]),
        "agencies": list(agencies),
    }


def home_overview() -> dict:
    return {
        "themes": list(theme_list_with_counts()),
        "numbers": headline_numbers(),
        "featured": list(published_practices().filter(featured=True).order_by("-published_at")[:3]),
        "latest": list(published_practices().order_by("-published_at", "-id")[:6]),
    }


# Agencies (their practices) -------------------------------------------------------------------------------


def agency_practices(*, agency: Agency) -> list[Practice]:
    return list(published_practices().filter(agency=agency).order_by("-published_at", "-id"))
