"""What a cached public page depends on, and what a change of one practice makes stale (common.cache tags).

A page names its tags (`public_cache_page(tags=...)`); a publish, a withdrawal or a new live revision bumps the
tags of what it changed (`practice_public_cache_invalidate`): the practice's pages, its agency's page, the lists
of its themes (those it had before too) and of its province, the unfiltered lists and searches, the home page;
and "any", on which every page that names no tags depends (feeds, the sitemap, the map, the theme index) and the
kept counts. A list filtered by a theme shows only that theme's practices, so a publish in another theme keeps
it; its filter block's numbers for the other themes are those of when it was rendered (at most
`common.cache.TIMEOUT` old, or until its own theme changes).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from common.cache import public_cache_invalidate_tags

HOME = "home"
# A theme or region code as the URLs carry it; anything else in a `?theme=` is treated as no narrowing.
_CODE_RE = re.compile(r"[\w.-]{1,40}")
# The lists and searches that no theme or province narrows: any publish may change them.
ALL_LISTS = "lists"


def practice_tag(slug: str) -> str:
    return f"practice:{slug}"


def agency_tag(slug: str) -> str:
    return f"agency:{slug}"


def theme_tag(code: str) -> str:
    return f"theme:{code}"


def province_tag(code: str) -> str:
    return f"province:{code}"


# Read side: the tags of a page, from its request -------------------------------------------------------------


def home_tags(request) -> list[str]:
    return [HOME]


def practice_page_tags(request, slug: str) -> list[str]:
    """The practice page, its history and its handout: what they show of other practices (related, like you)
    is stored per practice and may be a few minutes old (practices.services.neighbours)."""
    return [practice_tag(slug)]


def list_tags(request) -> list[str]:
    """A list narrowed to one theme changes only when a practice of that theme does (whatever the other
    filters, its rows are in the theme); one narrowed to a province, when one of its agencies' does."""
    theme = request.GET.get("theme", "").strip()
    if _CODE_RE.fullmatch(theme):
        return [theme_tag(theme)]
    province = request.GET.get("province", "").strip()
    if _CODE_RE.fullmatch(province):
        return [province_tag(province)]
    return [ALL_LISTS]


def theme_page_tags(request, code: str) -> list[str]:
    return [theme_tag(code)]


def agency_page_tags(request, slug: str) -> list[str]:
    return [agency_tag(slug)]


# Write side ----------------------------------------------------------------------------------------------------


def practice_public_cache_tags(*, practice, theme_codes: Iterable[str] = ()) -> list[str]:
    """The tags a change of `practice` (published, withdrawn, a new live revision) makes stale. `theme_codes`
    adds themes the practice belonged to before the change."""
    agency = practice.agency
    region = agency.region
    province = region.province if region is not None and region.province_id else region
    codes = [*theme_codes, *practice.themes.values_list("code", flat=True)]
    tags = [HOME, ALL_LISTS, practice_tag(practice.slug), agency_tag(agency.slug)]
    tags += [theme_tag(code) for code in dict.fromkeys(codes)]
    if province is not None:
        tags.append(province_tag(province.code))
    return tags


def practice_public_cache_invalidate(*, practice, theme_codes: Iterable[str] = ()) -> None:
    """Make stale what a change of `practice` shows on (now and after commit), nothing else."""
    public_cache_invalidate_tags(practice_public_cache_tags(practice=practice, theme_codes=theme_codes))


def practice_slug_from_tag(tag: str) -> str | None:
    """The slug a `practice_tag` names, or None for any other tag."""
    prefix = practice_tag("")
    return tag[len(prefix) :] if tag.startswith(prefix) else None
