"""Request bodies that cannot hurt: JSON is bounded before and while it is parsed.

DRF's JSONParser hands any body to `json.load`: a body nested ~1,000 deep raises RecursionError (a 500), 100,000
keys build 100,000-key dicts, and the body's size is not checked at all (Django's DATA_UPLOAD_MAX_MEMORY_SIZE only
guards `request.body`). Here, in this order, each refusal a 400 with a message that says what to change:
- the body is at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes and valid text in its charset;
- nesting is at most MAX_DEPTH, counted on the raw text with its strings blanked out (one linear pass, in C
  regexes but for the bracket count), so the parser never recurses deeply;
- no string is longer than MAX_STRING characters;
- at most MAX_KEYS keys in all objects together (counted by the parser's object hook as it goes);
- NaN and Infinity are refused, as DRF's strict mode does.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

MAX_DEPTH = 32
MAX_KEYS = 10_000
MAX_STRING = 200_000

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")
_LONG_STRING = re.compile(r'"(?:[^"\\]|\\.){' + str(MAX_STRING + 1) + r',}"', re.DOTALL)


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (strings ignored); for well-formed and broken JSON."""
    brackets = _BRACKETS.findall(_STRING.sub("", text))
    if not brackets:
        return 0
    return max(accumulate(1 if b in "[{" else -1 for b in brackets))


def _reject_constant(name: str):
    raise ValueError(_("nilai %(name)s tidak diterima dalam JSON") % {"name": name})


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = get_encoding(parser_context or {})
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise ParseError(_("Isi permintaan melebihi %(limit)d bita.") % {"limit": limit})
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(_("Isi permintaan bukan teks %(encoding)s yang sah.") % {"encoding": encoding}) from exc
        if json_depth(text) > MAX_DEPTH:
            raise ParseError(_("JSON bersarang lebih dari %(n)d tingkat.") % {"n": MAX_DEPTH})
        if len(text) > MAX_STRING and _LONG_STRING.search(text):
            raise ParseError(_("Ada teks dalam JSON yang lebih panjang dari %(n)d karakter.") % {"n": MAX_STRING})
        keys = 0

        def counted(pairs):
            nonlocal keys
            keys += len(pairs)
            if keys > MAX_KEYS:
                raise ParseError(_("JSON berisi lebih dari %(n)d kunci.") % {"n": MAX_KEYS})
            return dict(pairs)

        try:
            return json.loads(text, object_pairs_hook=counted, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            raise ParseError(_("JSON tidak sah: %(error)s") % {"error": exc}) from exc
