"""The DCAT-AP catalogue of the portal's open data, as JSON-LD (`/data/katalog.jsonld`).

Four datasets (practices, agencies, replications, who-does-what), each with its distributions (CSV, XLSX, the
API's JSON, the JSON Lines dump), the licence, issued/modified dates, the publisher (KemenPANRB) and a contact
point, so that CKAN-style portals (Satu Data Indonesia, ckanext-dcat's harvesters) can harvest it. Titles and
descriptions are given in both languages with `@language`, whatever the page language.

The JSON-LD context is inline (`CONTEXT`): DCAT-AP 3.0's namespaces with type coercion for dates and links,
terms written as compact IRIs (`dcat:Dataset`, `dct:title`), so the document needs no network to be read and
every term names its vocabulary. Controlled vocabularies follow DCAT-AP: EU file types and languages, IANA
media types.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from common.opendata import (
    LICENSE_URL,
    PUBLISHER_ACRONYM,
    PUBLISHER_NAME,
    PUBLISHER_NAME_EN,
    PUBLISHER_URL,
)

from .exports import iso_datetime
from .selectors.opendata import DatasetDates, open_data_dates, open_data_themes

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dct:license": {"@type": "@id"},
    "dct:publisher": {"@type": "@id"},
    "dct:language": {"@type": "@id"},
    "dct:format": {"@type": "@id"},
    "dct:spatial": {"@type": "@id"},
    "dct:accrualPeriodicity": {"@type": "@id"},
    "dct:conformsTo": {"@type": "@id"},
    "dct:type": {"@type": "@id"},
    "dcat:accessURL": {"@type": "@id"},
    "dcat:downloadURL": {"@type": "@id"},
    "dcat:mediaType": {"@type": "@id"},
    "dcat:landingPage": {"@type": "@id"},
    "dcat:endpointURL": {"@type": "@id"},
    "dcat:endpointDescription": {"@type": "@id"},
    "dcat:servesDataset": {"@type": "@id"},
    "foaf:homepage": {"@type": "@id"},
    "foaf:page": {"@type": "@id"},
    "vcard:hasEmail": {"@type": "@id"},
    "vcard:hasURL": {"@type": "@id"},
}

EU = "http://publications.europa.eu/resource/authority/"
LANGUAGES = [f"{EU}language/IND", f"{EU}language/ENG"]
INDONESIA = f"{EU}country/IDN"
FILE_TYPES = {"csv": f"{EU}file-type/CSV", "xlsx": f"{EU}file-type/XLSX", "json": f"{EU}file-type/JSON"}
IANA = "https://www.iana.org/assignments/media-types/"
MEDIA_TYPES = {
    "csv": f"{IANA}text/csv",
    "xlsx": f"{IANA}application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": f"{IANA}application/json",
}
DCAT_AP = "http://data.europa.eu/r5r/"


def bilingual(text) -> list[dict]:
    """A translatable string (or a function making one in the active language) in Indonesian and English, as
    JSON-LD language-tagged values."""
    values = []
    for code in ("id", "en"):
        with translation.override(code):
            values.append({"@value": str(text() if callable(text) else text), "@language": code})
    return values


def _path(name: str, *args, **kwargs) -> str:
    """The Indonesian (unprefixed) path: the catalogue is one document whatever the page language."""
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args, kwargs=kwargs or None)


def _dated(node: dict, dates: DatasetDates) -> dict:
    if dates.issued:
        node["dct:issued"] = iso_datetime(dates.issued)
    if dates.modified:
        node["dct:modified"] = iso_datetime(dates.modified)
    return node


def _distribution(
    url, *, node_id: str, fmt: str, title, dates: DatasetDates, download: bool = True, media: bool = True
) -> dict:
    node = {
        "@id": node_id,
        "@type": "dcat:Distribution",
        "dct:title": bilingual(title),
        "dcat:accessURL": url,
        "dct:format": FILE_TYPES[fmt],
        "dct:license": LICENSE_URL,
    }
    if download:
        node["dcat:downloadURL"] = url
    if media:
        node["dcat:mediaType"] = MEDIA_TYPES[fmt]
    return _dated(node, dates)


def data_catalogue(*, absolute) -> dict:
    """The catalogue document; `absolute(path)` makes a path an absolute URL (`request.build_absolute_uri`)."""
    dates = open_data_dates()
    catalogue_url = absolute(_path("exports:catalogue"))
    dictionary = absolute(_path("exports:data_dictionary"))
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": f"RBX Portal, {PUBLISHER_ACRONYM}",
        "vcard:hasEmail": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}",
        "vcard:hasURL": dictionary,
    }
    publisher = {
        "@id": PUBLISHER_URL,
        "@type": "foaf:Organization",
        "foaf:name": [{"@value": PUBLISHER_NAME, "@language": "id"}, {"@value": PUBLISHER_NAME_EN, "@language": "en"}],
        "foaf:homepage": PUBLISHER_URL,
        "dct:type": "http://purl.org/adms/publishertype/NationalAuthority",
    }

    def dataset(key: str, *, title, description, keywords, landing: str, distributions: list[dict]) -> dict:
        return _dated(
            {
                "@id": f"{catalogue_url}#{key}",
                "@type": "dcat:Dataset",
                "dct:identifier": f"rbx-{key}",
                "dct:title": bilingual(title),
                "dct:description": bilingual(description),
                "dcat:keyword": [value for word in keywords for value in bilingual(word)],
                "dct:publisher": PUBLISHER_URL,
                "dcat:contactPoint": contact,
                "dct:license": LICENSE_URL,
                "dct:language": LANGUAGES,
                "dct:spatial": INDONESIA,
                "dct:accrualPeriodicity": f"{EU}frequency/CONT",
                "dcat:landingPage": landing,
                "foaf:page": dictionary,
                "dcat:distribution": distributions,
            },
            dates[key],
        )

    def files(key: str, route: str, title, **kwargs) -> list[dict]:
        suffix = kwargs.pop("suffix", "")
        query = kwargs.pop("query", "")
        return [
            _distribution(
                absolute(_path(route, fmt=fmt)) + query,
                node_id=f"{catalogue_url}#{key}{suffix}-{fmt}",
                fmt=fmt,
                title=title,
                dates=dates[key],
            )
            for fmt in ("csv", "xlsx")
        ]

    def api(key: str, route: str, title) -> dict:
        return _distribution(
            absolute(_path(route)), node_id=f"{catalogue_url}#{key}-api", fmt="json", title=title,
            dates=dates[key], download=False,
        )  # fmt: skip

    practices = dataset(
        "practices",
        title=_("Praktik baik reformasi birokrasi"),
        description=_(
            "Praktik baik reformasi birokrasi yang diterbitkan instansi pemerintah di RBX Portal: ringkasan, "
            "instansi, wilayah, tema, tahap, tingkat bukti, dan jumlah replikasi."
        ),
        keywords=[_("reformasi birokrasi"), _("praktik baik"), _("inovasi pelayanan publik")],
        landing=absolute(_path("practices:list")),
        distributions=[
            *files("practices", "exports:practices", _("Daftar praktik")),
            api("practices", "practice-list", _("API v1: daftar praktik (JSON)")),
            {
                **_distribution(
                    absolute(_path("api-dump")),
                    node_id=f"{catalogue_url}#practices-dump",
                    fmt="json",
                    title=_("Dump seluruh praktik yang terbit beserta indikator (JSON Lines)"),
                    dates=dates["practices"],
                    media=False,  # application/x-ndjson is not registered with IANA: the format says it
                ),
                "dct:conformsTo": "https://jsonlines.org/",
            },
        ],
    )
    agencies = dataset(
        "agencies",
        title=_("Direktori instansi pemerintah"),
        description=_(
            "Kementerian, lembaga, dan pemerintah daerah di RBX Portal dengan kode wilayah, jenis, dan jumlah "
            "praktik yang terbit."
        ),
        keywords=[_("instansi pemerintah"), _("pemerintah daerah")],
        landing=absolute(_path("agencies:list")),
        distributions=[
            *files("agencies", "exports:agencies", _("Direktori instansi")),
            api("agencies", "agency-list", _("API v1: instansi (JSON)")),
        ],
    )
    replications = dataset(
        "replications",
        title=_("Buku catatan replikasi"),
        description=_("Replikasi praktik baik oleh instansi lain: praktik asal, instansi replikator, dan tahapnya."),
        keywords=[_("replikasi"), _("praktik baik")],
        landing=absolute(_path("practices:list")),
        distributions=[
            *files("replications", "exports:replications", _("Replikasi")),
            api("replications", "replication-list", _("API v1: replikasi (JSON)")),
        ],
    )
    who_does_what = dataset(
        "who-does-what",
        title=_("Peta siapa melakukan apa"),
        description=_(
            "Praktik yang terbit per tema, provinsi, dan instansi, dengan indikator, target, dan capaian "
            "terakhirnya; satu unduhan per tema."
        ),
        keywords=[_("peta"), _("indikator"), _("target")],
        landing=absolute(_path("insights:map")),
        distributions=[
            distribution
            for theme in open_data_themes()
            for distribution in files(
                "who-does-what",
                "exports:map",
                lambda theme=theme: _("Peta siapa melakukan apa: %(theme)s") % {"theme": theme.name},
                suffix=f"-{theme.code}",
                query=f"?tema={theme.code}",
            )
        ],
    )
    datasets = [practices, agencies, replications, who_does_what]
    return _dated(
        {
            "@context": CONTEXT,
            "@id": catalogue_url,
            "@type": "dcat:Catalog",
            "dct:title": bilingual(_("Data terbuka RBX Portal")),
            "dct:description": bilingual(
                _(
                    "Katalog data terbuka Portal Praktik Baik Reformasi Birokrasi (DCAT-AP): praktik, instansi, "
                    "replikasi, dan peta siapa melakukan apa, dengan lisensi CC BY 4.0."
                )
            ),
            "dct:publisher": publisher,
            "dct:license": LICENSE_URL,
            "dct:language": LANGUAGES,
            "dct:spatial": INDONESIA,
            "dct:conformsTo": DCAT_AP,
            "foaf:homepage": absolute(_path("home")),
            "dcat:dataset": datasets,
            "dcat:service": {
                "@id": f"{catalogue_url}#api",
                "@type": "dcat:DataService",
                "dct:title": bilingual(_("API v1 RBX Portal")),
                "dcat:endpointURL": absolute("/api/v1/"),
                "dcat:endpointDescription": absolute(_path("api-schema")),
                "dct:license": LICENSE_URL,
                "dcat:servesDataset": [d["@id"] for d in datasets],
            },
        },
        DatasetDates(
            issued=min((d.issued for d in dates.values() if d.issued), default=None),
            modified=max((d.modified for d in dates.values() if d.modified), default=None),
        ),
    )
