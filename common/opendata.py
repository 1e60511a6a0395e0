"""The open licence of the portal's published content and data, in one place.

Every app that hands data out names it from here: the exports (an HTTP `Link: <...>; rel="license"` header and a
README sheet), the JSON Lines dump, the API root (`license`), the DCAT catalogue and the schema.org JSON-LD of a
practice page. It lives in `common` because the dump (practices) and the API root (wiring) need it as much as
the insights pages do.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LICENSE_NAME = "CC BY 4.0"
LICENSE_TITLE = "Creative Commons Attribution 4.0 International"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
# The SPDX identifier, for harvesters that read one (CKAN's `license_id`, schema.org `license` by URL).
LICENSE_SPDX = "CC-BY-4.0"
PUBLISHER_NAME = "Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi"
PUBLISHER_NAME_EN = "Ministry of Administrative and Bureaucratic Reform"
PUBLISHER_ACRONYM = "KemenPANRB"
PUBLISHER_URL = "https://www.menpan.go.id/"


def license_attribution() -> str:
    """How a reuser credits the data (in the active language)."""
    return str(
        _("Sumber: RBX Portal, Kementerian PANRB. Dilisensikan di bawah %(license)s (%(url)s).")
        % {"license": LICENSE_NAME, "url": LICENSE_URL}
    )


def license_data() -> dict[str, str]:
    """The licence as a small JSON object (the API root, the dump's metadata)."""
    return {
        "name": LICENSE_NAME,
        "title": LICENSE_TITLE,
        "spdx": LICENSE_SPDX,
        "url": LICENSE_URL,
        "attribution": license_attribution(),
    }


def license_link_header() -> str:
    """The RFC 8288 `Link` header value that names the licence of a download."""
    return f'<{LICENSE_URL}>; rel="license"'
