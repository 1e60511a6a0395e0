"""Template helpers for the public pages: language alternates, absolute URLs and kept fragments."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import OrderedDict

from django import template
from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from common.cache import fragment_key, fragments_get, fragments_set, template_fingerprint

from ..models import Practice

register = template.Library()


@register.simple_tag(takes_context=True)
def alternate_links(context) -> str:
    """<link rel="alternate" hreflang> for each interface language, pointing at this page in that language."""
    request = context.get("request")
    if request is None:
        return ""
    suffix = _query_suffix(request)
    links = [
        (code, request.build_absolute_uri(_translated_path(request.path, code) + suffix))
        for code, _name in settings.LANGUAGES
    ]
    default = request.build_absolute_uri(_translated_path(request.path, settings.LANGUAGE_CODE) + suffix)
    return format_html_join("\n", '<link rel="alternate" hreflang="{}" href="{}">', links) + format_html(
        '\n<link rel="alternate" hreflang="x-default" href="{}">', default
    )


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The language switch: this page in each interface language, as plain links.

    Links, not a form posting to `set_language`: the URL carries the language (`i18n_patterns`), a public page
    then holds no CSRF token and sets no cookie, and its cached copy is the same bytes for every visitor. A page
    that does not resolve (a 404) links to the other language's home page."""
    request = context.get("request")
    path, suffix = (request.path, _query_suffix(request)) if request is not None else ("/", "")
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        href = _translated_path(path, code)
        if code != current and href == path:  # not a page of the portal (a 404): the other language's home page
            with translation.override(code):
                href, query = reverse("home"), ""
        else:
            query = suffix
        name = translation.get_language_info(code)["name_local"]
        links.append({"code": code, "name": name, "href": href + query, "current": code == current})
    return links


def _query_suffix(request) -> str:
    query = request.META.get("QUERY_STRING", "")
    return f"?{iri_to_uri(query)}" if query else ""


@functools.lru_cache(maxsize=4096)
def _translated_path(path: str, language: str) -> str:
    """`translate_url` of a path (resolving and reversing it cost a millisecond or more on every page)."""
    return translate_url(path, language)


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str = "") -> str:
    request = context.get("request")
    return request.build_absolute_uri(path or request.get_full_path()) if request else path


# Rendered fragments kept in Redis (common.cache) --------------------------------------------------------

CARD_TEMPLATE = "practices/public/_practice_card.html"


def _card_parts(practice) -> tuple:
    """Every value a practice card shows: the card's key, so a changed practice is simply a new card."""
    snippet = getattr(practice, "snippet", None)
    return (
        template_fingerprint(CARD_TEMPLATE),
        practice.pk,
        practice.slug,
        practice.title,
        practice.agency.slug,
        practice.agency.name,
        practice.primary_theme.name if practice.primary_theme_id else None,
        practice.start_year,
        str(snippet) if snippet else practice.summary,
        bool(snippet),
        practice.evidence_level,
        practice.reached_target,
        practice.replication_count,
        practice.freshness,  # running / not recently confirmed (since when) / stopped
        practice.confirmed_since_at if practice.freshness == "unconfirmed" else None,
        repr(practice.cover),  # the cover image (its id, alt text and variants)
        # The title and summary in the reader's language (selectors.translations.shown_text_annotate), and
        # whether the card says "Indonesian only".
        practice.shown_title,
        practice.shown_summary,
        practice.shown_language,
        practice.shown_summary_language,
        practice.indonesian_only,
    )


def _card_values(practice) -> dict:
    """What the card template would otherwise work out with tags (two URL reversals, two block translations, the
    evidence label, the freshness twice): a fifth of a card's rendering each, when cards are not kept."""
    language = get_language()
    since = gettext("sejak %(year)s") % {"year": conditional_escape(practice.start_year)}
    replications = ngettext("%(counter)s replikasi", "%(counter)s replikasi", practice.replication_count) % {
        "counter": conditional_escape(practice.replication_count)
    }
    return {
        "language": language,
        "url": _reversed("practices:detail", practice.slug, language),
        "agency_url": _reversed("agencies:detail", practice.agency.slug, language),
        # As {% blocktranslate %} makes them: the values escaped, the translated text as it is.
        "since": mark_safe(since),  # noqa: S308
        "replications": mark_safe(replications),  # noqa: S308
        "evidence": EVIDENCE_LABELS.get(practice.evidence_level, practice.evidence_level),
        "freshness": practice.freshness,
    }


EVIDENCE_LABELS = dict(Practice.EvidenceLevel.choices)


@functools.lru_cache(maxsize=8192)
def _reversed(name: str, slug: str, language: str) -> str:
    """`reverse(name, args=[slug])` in `language` (the active one: URLs carry the language prefix)."""
    return reverse(name, args=[slug])


@register.simple_tag
def practice_cards(practices) -> str:
    """The cards of a list of practices, each rendered once and then read back from Redis in one round trip.

    Rendering 20 cards (two URL reversals, translations and a word truncation each) was a third of a list
    page's time; a card's key holds every value it shows, so publishing or editing never needs to invalidate
    one."""
    return mark_safe("".join(practice_cards_each(practices)))  # noqa: S308 - rendered by the card template


def practice_cards_each(practices) -> list[str]:
    """Each practice's card (as `practice_cards`, one Redis round trip), for pages that place cards one by one
    (a collection puts its label beside each)."""
    practices = list(practices)
    keys = [fragment_key("card", _card_parts(practice)) for practice in practices]
    found = _local_fragments.get_many(keys)
    found.update(fragments_get([key for key in keys if key not in found]))
    # The engine's own template with a plain Context: what the backend's render(dict) does without a request,
    # less its per-call context building (about 65 µs a card, 1.3 ms a page with the cache off).
    card = get_template(CARD_TEMPLATE).template
    rendered, new = [], {}
    for practice, key in zip(practices, keys, strict=True):
        html = found.get(key)
        if html is None:
            values = {"practice": practice, "card": _card_values(practice)}
            html = new[key] = card.render(Context(values, autoescape=card.engine.autoescape))
        rendered.append(mark_safe(html))  # noqa: S308 - rendered by the card template (autoescaped)
    fragments_set(new)
    _local_fragments.set_many(found | new)
    return rendered


class _LocalFragments:
    """The rendered fragments this process read or rendered last, by key (least recently used dropped first).

    A fragment's key changes whenever its content does (content-addressed cards, the filter block under the
    public version, a revision body under its revision), so a kept copy is never stale: a list page then reads
    its cards and filter block without a Redis round trip (20 cards were 1 to 4 ms of MGET and decoding). Off
    with `PUBLIC_CACHE_LOCAL_SECONDS` = 0, i.e. with the cache disabled, so the cold path stays measurable."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.chars = 0
        self.kept: OrderedDict[str, str] = OrderedDict()
        self.lock = threading.Lock()

    @staticmethod
    def enabled() -> bool:
        return bool(getattr(settings, "PUBLIC_CACHE_LOCAL_SECONDS", 0))

    def get_many(self, keys) -> dict[str, str]:
        if not self.enabled():
            return {}
        found = {}
        with self.lock:
            for key in keys:
                html = self.kept.get(key)
                if html is not None:
                    self.kept.move_to_end(key)
                    found[key] = html
        return found

    def set_many(self, fragments: dict[str, str]) -> None:
        if not self.enabled():
            return
        with self.lock:
            for key, html in fragments.items():
                old = self.kept.pop(key, None)
                self.chars += len(html) - (len(old) if old is not None else 0)
                self.kept[key] = html
            while self.chars > self.max_chars and self.kept:
                _key, html = self.kept.popitem(last=False)
                self.chars -= len(html)


# Some 8 MB of text per process: thousands of cards and a few hundred filter blocks.
_local_fragments = _LocalFragments(max_chars=8_000_000)


class FragmentNode(template.Node):
    def __init__(self, nodelist, name: str, parts, fingerprint: str):
        self.nodelist, self.name, self.parts, self.fingerprint = nodelist, name, parts, fingerprint

    def render(self, context) -> str:
        parts = [part.resolve(context) for part in self.parts]
        if any(part in (None, "") for part in parts):  # no identity (e.g. Redis was unreachable): not kept
            return self.nodelist.render(context)
        key = fragment_key(self.name, (self.fingerprint, *parts))
        html = _local_fragments.get_many([key]).get(key) or fragments_get([key]).get(key)
        if html is None:
            html = self.nodelist.render(context)
            fragments_set({key: html})
        _local_fragments.set_many({key: html})
        return html


@register.tag("fragment")
def do_fragment(parser, token):
    """`{% fragment "name" part1 part2 %}…{% endfragment %}`: the enclosed HTML, rendered once per language and
    parts, then read from Redis. The parts must identify everything the block shows (see common.cache); an
    empty part means "no identity" and the block is rendered every time. Nothing inside is evaluated on a hit,
    so expensive context values should be lazy (callables, properties).

    The key also holds a hash of the template file, so a deploy that changes the block renders it afresh (a
    change in a template it includes needs a new name)."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    try:
        source = parser.origin.loader.get_contents(parser.origin)
    except Exception:  # noqa: BLE001 - a loader without sources: the name and parts still key the fragment
        source = ""
    fingerprint = hashlib.sha256(source.encode()).hexdigest()[:12]
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return FragmentNode(nodelist, bits[1].strip("\"'"), parts, fingerprint)
