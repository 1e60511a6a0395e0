"""Public pages: anyone may read them, and they show only published practices."""

from __future__ import annotations

import functools

from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.cache import public_cache_page
from common.htmx import htmx_partial, varies_on_htmx
from common.ratelimit import ratelimit

from ..access import practice_can_see_contact
from ..charts import indicator_chart
from ..selectors import history
from ..selectors import public as selectors


@require_safe
@public_cache_page
def home(request):
    return render(request, "practices/home.html", selectors.home_overview())


def _is_search(request) -> bool:
    return bool(request.GET.get("q", "").strip())


@require_safe
@varies_on_htmx
@ratelimit(key="search", rate="60/m", when=_is_search)  # before the page cache, so cached answers count too
@public_cache_page
def practice_list(request):
    result = selectors.practice_list(data=request.GET, page_number=request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {"result": result, "page_obj": result.page, "querystring": params.urlencode()}
    if result.plan.text and result.plan.mode == "none":
        context["suggested_themes"] = [t for t in selectors.theme_list_with_counts() if t.practice_count]
    if htmx_partial(request):
        return render(request, "practices/public/practice_list.html#browser", context)
    return render(request, "practices/public/practice_list.html", context)


@require_safe
@public_cache_page
def practice_detail(request, slug):
    practice = selectors.practice_public_get(slug=slug)
    revision = practice.live_revision
    body = functools.cache(lambda: selectors.practice_public_body(practice=practice))
    related, like_you = selectors.practice_neighbours_kept(practice=practice)
    context = {
        "practice": practice,
        "revision": revision,
        # Called by the template only when the revision's part of the page is not kept as a fragment.
        "charts": lambda: [indicator_chart(indicator) for indicator in body().indicators],
        "attachments": lambda: body().attachments,
        "source_key": repr((practice.source_id, practice.source and (practice.source.status, practice.source.title))),
        "related": related,
        "show_contact_email": practice_can_see_contact(user=request.user),
        "region": practice.agency.region,
        "like_you": like_you,
    }
    return render(request, "practices/public/practice_detail.html", context)


@require_safe
@public_cache_page
def theme_index(request):
    return render(request, "practices/public/theme_index.html", {"themes": selectors.theme_list_with_counts()})


@require_safe
@public_cache_page
def theme_detail(request, code):
    theme = selectors.theme_public_get(code=code)
    return render(
        request, "practices/public/theme_detail.html", {"theme": theme, **selectors.theme_overview(theme=theme)}
    )


@require_safe
@public_cache_page
def practice_history(request, slug):
    practice = selectors.practice_public_get(slug=slug)
    return render(
        request,
        "practices/public/practice_history.html",
        {"practice": practice, "entries": history.practice_history(practice=practice)},
    )
