"""The <img> of a practice's cover, from the copy publishing keeps on the practice (`Practice.cover`)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# What the layout gives a cover (portal.css): a card is the full width on a phone and about a third of the
# 72rem column beside the filters on a wide screen; the practice page's hero is the column's width.
CARD_SIZES = "(min-width: 60rem) 24rem, calc(100vw - 2rem)"
HERO_SIZES = "(min-width: 74rem) 70rem, calc(100vw - 2rem)"


@register.simple_tag
def cover_img(cover: dict | None, *, hero: bool = False) -> str:
    """`srcset` of every variant, the width and height of the default one (no layout shift while it loads),
    lazy loading except for the practice page's hero, which the browser should fetch first."""
    if not cover or not cover.get("variants"):
        return ""
    variants = cover["variants"]
    urls = [(reverse("practice_cover", kwargs={"pk": cover["id"], "width": w}), w, h) for w, h in variants]
    # The default source: the 640 px variant (or the widest below it) for browsers that ignore srcset.
    src, width, height = next((u for u in reversed(urls) if u[1] <= 640), urls[0])
    srcset = ", ".join(f"{url} {w}w" for url, w, _h in urls)
    loading = mark_safe(' fetchpriority="high"' if hero else ' loading="lazy"')  # noqa: S308 - constant markup
    return format_html(
        '<img class="cover" src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" decoding="async"{}>',
        src,
        srcset,
        HERO_SIZES if hero else CARD_SIZES,
        width,
        height,
        cover.get("alt", ""),
        loading,
    )
