"""Pages that answer htmx with a fragment of themselves.

Such a page and its fragment share one URL, so:
- the response varies on `HX-Request` (else the browser's cache hands the fragment back to Back or a reload:
  a raw, unstyled page), and
- a history restore (htmx re-fetching a pushed URL it did not keep) gets the full page, not the fragment.
"""

from __future__ import annotations

from django.views.decorators.vary import vary_on_headers


def htmx_partial(request) -> bool:
    """True when htmx asked for the fragment; False for a full page load and for htmx's history restore."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


# The decorator every page with an htmx fragment wears.
varies_on_htmx = vary_on_headers("HX-Request", "HX-History-Restore-Request")
