"""`{% province_map %}` and `{% province_map theme %}`: the choropleth of listed practices per province, for the
pages of other apps (the home page, a theme page), which load this library rather than import insights."""

from __future__ import annotations

from django import template

from ..selectors.map import choropleth, province_counts

register = template.Library()


@register.inclusion_tag("insights/_map_embed.html")
def province_map(theme=None):
    """One query (kept with the public cache version); the shapes are read once per process."""
    counts = province_counts(theme=theme)
    drawn = choropleth(counts=counts, theme=theme, dom_id="province-map")
    hrefs = {a.code: a.href for a in drawn.areas}
    return {
        "map": drawn,
        "theme": theme,
        "gaps": drawn.gaps,
        "counts": [{"name": c.name, "count": c.count, "href": hrefs[c.code]} for c in counts],
    }
