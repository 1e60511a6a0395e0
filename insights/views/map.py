"""The who-does-what map of one theme: the choropleth, the provinces' table and the gaps; with `?provinsi=<code>`
also that province's regencies and cities and its agencies' practices, indicators and targets."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from common.cache import public_cache_page

from ..forms import ThemeSelectForm
from ..selectors import map as map_selectors

# A selected province shows the indicators of this many practices (a province may have hundreds in a theme: the
# page stays within its weight budget); the rest are one link away, in the practice list.
DETAIL_LIMIT = 30


@require_safe
@public_cache_page
def who_does_what(request):
    form = ThemeSelectForm(request.GET or None)
    theme = form.chosen_theme()
    if not form.is_bound or not form.is_valid():
        form = ThemeSelectForm(initial={"tema": theme.code if theme else None})
    context = {"form": form, "theme": theme, "data": None}
    if theme is None:
        return render(request, "insights/map.html", context)
    counts = map_selectors.province_counts(theme=theme)
    # An unknown code selects nothing (the codes are the 38 rows just read: no query to validate it).
    selected = next((c for c in counts if c.code == request.GET.get("provinsi")), None)
    kinds = map_selectors.kind_counts(theme=theme)
    total = sum(n for _value, _label, n in kinds)
    drawn = map_selectors.choropleth(counts=counts, theme=theme, selected=selected and selected.code)
    context["data"] = {
        "map": drawn,
        "map_key": map_selectors.map_key(drawn),  # the drawn map is kept as rendered HTML under what it shows
        "provinces": counts,
        "total": total,
        "central": total - sum(c.count for c in counts),
        "gap_kinds": [label for _value, label, n in kinds if n == 0],
    }
    if selected is not None:
        detail = map_selectors.who_does_what(theme=theme, province=selected.code, limit=DETAIL_LIMIT)
        entry = next(p for p in detail["provinces"] if p.region.code == selected.code)
        regions = map_selectors.province_regions(province=entry.region, theme=theme)
        context["selected"] = {
            **regions,
            "entry": entry,
            "more": regions["count"] - entry.count,
            "agencies_key": map_selectors.agencies_key(entry.agencies),
        }
    return render(request, "insights/map.html", context)
