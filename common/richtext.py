"""Rich text: Markdown written by agency staff, limited to a small safe subset and sanitised with nh3.

Choice (documented in docs/ARCHITECTURE.md): the Markdown *source* is what is stored, so that the author edits
exactly what they wrote. It is sanitised twice, both times with nh3, never with hand-written regexes:

- on save (`richtext_clean_source`), raw HTML outside the allowed subset is removed from the source
  (script/style elements with their content, event-handler attributes, `javascript:` links, SVG, iframes...);
- on display (`richtext_render`, the `|markdown` template filter), the Markdown is converted to HTML and the
  HTML is sanitised again with the same allow-list, so even a source written before these rules (or straight
  into the database) cannot inject markup.
"""

from __future__ import annotations

import functools
import html

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "ul", "ol", "li", "a", "strong", "em", "br"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _clean(text: str, *, link_rel: str | None = None) -> str:
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=link_rel,
    )


def richtext_clean_source(text: str) -> str:
    """The Markdown source with disallowed raw HTML removed; plain text (`a < b & c`) is kept as typed.

    nh3 returns HTML-escaped text; unescaping it could turn `&lt;script&gt;` into a real tag, so cleaning and
    unescaping repeat until the text no longer changes (a few rounds at most).
    """
    if not text:
        return ""
    current = text.replace("\r\n", "\n")
    for _round in range(5):
        cleaned = html.unescape(_clean(current))
        if cleaned == current:
            break
        current = cleaned
    else:
        # Still changing after five rounds: keep the escaped, certainly inert form.
        current = _clean(current)
    return current.strip()


def richtext_render(text: str) -> SafeString:
    """Markdown → HTML → sanitised HTML (only p, ul, ol, li, a[href], strong, em, br).

    The HTML depends only on the text, so each process keeps the last RENDERED_KEPT renderings (a practice
    page shows a dozen fields; Markdown and nh3 were a tenth of its time when nothing else is kept)."""
    if not text:
        return mark_safe("")  # noqa: S308 - empty string
    return mark_safe(_rendered(text))  # noqa: S308 - sanitised by nh3 with the allow-list above


RENDERED_KEPT = 2048


@functools.lru_cache(maxsize=RENDERED_KEPT)
def _rendered(text: str) -> str:
    rendered = markdown.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    return _clean(rendered, link_rel="noopener noreferrer nofollow")
