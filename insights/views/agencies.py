"""The public agency directory and agency profiles."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from agencies.selectors import agency_directory, agency_public_get, province_list, region_relatives
from common.cache import public_cache_page
from common.htmx import htmx_partial, varies_on_htmx
from ledger.selectors import replications_of_agency
from practices import cache_tags
from practices.selectors.public import agency_practices
from practices.selectors.translations import practices_shown_text

PAGE_SIZE = 50
PRACTICES_PAGE_SIZE = 20
REPLICATIONS_SHOWN = 20


@require_safe
@varies_on_htmx
@public_cache_page
def agency_list(request):
    filterset, queryset = agency_directory(data=request.GET)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "filterset": filterset,
        "page_obj": page,
        "provinces": province_list(),
        "querystring": params.urlencode(),
    }
    if htmx_partial(request):
        return render(request, "insights/agency_list.html#results", context)
    return render(request, "insights/agency_list.html", context)


@require_safe
@public_cache_page(tags=cache_tags.agency_page_tags)
def agency_detail(request, slug):
    agency = agency_public_get(slug=slug)
    # A province or ministry publishes hundreds of practices over the years: one page of them at a time.
    page = Paginator(agency_practices(agency=agency), PRACTICES_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"agency": agency, "page_obj": page, **region_relatives(agency=agency)}
    # Given: other agencies replicating this agency's practices; received: this agency replicating others'.
    for direction, queryset in replications_of_agency(agency=agency).items():
        shown = list(queryset[:REPLICATIONS_SHOWN])
        context[f"replications_{direction}"] = shown
        context[f"replications_{direction}_count"] = len(shown) if len(shown) < REPLICATIONS_SHOWN else queryset.count()
    # The replicated practices' titles in the reader's language: one query for both lists (none in Indonesian).
    practices_shown_text(r.source for r in [*context["replications_given"], *context["replications_received"]])
    return render(request, "insights/agency_detail.html", context)
