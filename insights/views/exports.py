"""Downloads of what the public pages show (CSV/XLSX, columns named as the API fields, labels beside codes), the
DCAT-AP catalogue of the open data and the data dictionary."""

from __future__ import annotations

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from agencies.api import AgencySerializer
from agencies.selectors import agency_directory
from common.cache import public_cache_page
from common.opendata import license_data, license_link_header
from ledger.api import ReplicationSerializer
from ledger.selectors import replication_api_list
from practices.selectors.api import practice_api_list, practice_export_rows
from practices.serializers import (
    FIELD_UNITS,
    AttachmentSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    PracticeDetailSerializer,
    PracticeListSerializer,
)

from ..dcat import data_catalogue
from ..exports import (
    FORMATS,
    AgencyExportSerializer,
    ExportInfo,
    IndicatorExportSerializer,
    PracticeExportSerializer,
    ReplicationExportSerializer,
    column_help,
    export_response,
    serializer_rows,
    who_does_what_export_rows,
)
from ..forms import ThemeSelectForm
from ..selectors.map import who_does_what

# Units of the export-only columns (the date-times are written in Asia/Jakarta there, see insights/exports.py).
EXPORT_UNITS = {
    "published_at": _("tanggal dan waktu ISO 8601, WIB (+07:00), tanpa pecahan detik"),
    "last_confirmed_at": _("tanggal dan waktu ISO 8601, WIB (+07:00), tanpa pecahan detik"),
    "created_at": _("tanggal dan waktu ISO 8601, WIB (+07:00), tanpa pecahan detik"),
    "updated_at": _("tanggal dan waktu ISO 8601, WIB (+07:00), tanpa pecahan detik"),
    "latest_date": _("tanggal ISO 8601 (YYYY-MM-DD)"),
}


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


def _info(request, title, *serializer_classes) -> ExportInfo:
    return ExportInfo(
        title=str(title),
        source_url=request.build_absolute_uri(),
        dictionary_url=request.build_absolute_uri(reverse("exports:data_dictionary")),
        column_help=column_help(*serializer_classes),
    )


@require_safe
def practice_list_export(request, fmt: str):
    """The practice list with the page's current filters, search and sort (every page, not just one)."""
    fmt = _format(fmt)
    objects = practice_export_rows(data=request.GET)
    columns, rows = serializer_rows(PracticeExportSerializer, objects, context={"request": request})
    info = _info(request, _("Praktik baik RBX Portal"), PracticeExportSerializer)
    return export_response(fmt=fmt, columns=columns, rows=rows, filename="rbx-praktik", info=info)


@require_safe
def agency_list_export(request, fmt: str):
    fmt = _format(fmt)
    _filterset, queryset = agency_directory(data=request.GET)
    columns, rows = serializer_rows(
        AgencyExportSerializer, queryset.order_by("name", "code"), context={"request": request}
    )
    info = _info(request, _("Direktori instansi RBX Portal"), AgencyExportSerializer)
    return export_response(fmt=fmt, columns=columns, rows=rows, filename="rbx-instansi", info=info)


@require_safe
def replication_list_export(request, fmt: str):
    """The public replication ledger (replications of published practices), oldest first."""
    fmt = _format(fmt)
    columns, rows = serializer_rows(ReplicationExportSerializer, replication_api_list(), context={"request": request})
    info = _info(request, _("Replikasi praktik baik RBX Portal"), ReplicationExportSerializer)
    return export_response(fmt=fmt, columns=columns, rows=rows, filename="rbx-replikasi", info=info)


@require_safe
def who_does_what_export(request, fmt: str):
    """The map of one theme: the list export's practice columns, then one row per indicator."""
    fmt = _format(fmt)
    theme = ThemeSelectForm(request.GET or None).chosen_theme()
    if theme is None:
        raise Http404
    data = who_does_what(theme=theme)
    ids = [item.practice.pk for p in data["provinces"] for items in p.agencies.values() for item in items]
    ids += [item.practice.pk for items in data["central"].values() for item in items]
    practices = practice_api_list().in_bulk(ids)
    columns, rows = who_does_what_export_rows(data, practices=practices, context={"request": request})
    info = _info(
        request,
        _("Peta siapa melakukan apa: %(theme)s") % {"theme": theme.name},
        PracticeExportSerializer,
        IndicatorExportSerializer,
    )
    return export_response(fmt=fmt, columns=columns, rows=rows, filename=f"rbx-peta-{theme.code}", info=info)


@require_safe
@public_cache_page
def data_catalogue_view(request):
    """The DCAT-AP catalogue (JSON-LD) that open data portals harvest."""
    document = data_catalogue(absolute=request.build_absolute_uri)
    response = JsonResponse(
        document, content_type="application/ld+json; charset=utf-8", json_dumps_params={"ensure_ascii": False}
    )
    response["Link"] = license_link_header()
    response["Access-Control-Allow-Origin"] = "*"  # public metadata, read by harvesters and browser tools
    return response


def _field_type(field) -> str:
    name = type(field).__name__.replace("Field", "").replace("Serializer", "")
    return {
        "Char": "text",
        "SerializerMethod": "text",
        "Integer": "integer",
        "Decimal": "decimal",
        "Boolean": "boolean",
        "DateTime": "datetime",
        "IsoDateTime": "datetime",
        "PlainDecimal": "decimal",
        "Date": "date",
        "CodeList": "list of codes",
        "Code": "code",
        "ManyRelated": "list",
        "List": "list",
        "Dict": "object",
        "Indicator": "list of objects",
        "Attachment": "list of objects",
        "IndicatorValue": "list of objects",
    }.get(name, name.lower() or "object")


def _describe(serializer_class, *, skip: tuple[str, ...] = (), api=None, units=FIELD_UNITS) -> list[dict]:
    """One row per field; with `api` (the API serializer the export extends), columns the API does not have are
    marked as export-only."""
    api_fields = set(api().fields) if api is not None else None
    rows = []
    for name, field in serializer_class().fields.items():
        if name in skip:
            continue
        child = getattr(field, "child", None)
        rows.append(
            {
                "name": name,
                "type": _field_type(child if child is not None and hasattr(child, "fields") else field),
                "help": field.help_text or "",
                "unit": units.get(name, ""),
                "export_only": api_fields is not None and name not in api_fields,
            }
        )
    return rows


@require_safe
def data_dictionary(request):
    """Every field of the API and the exports, generated from the serializers so it cannot drift from them."""
    list_fields = set(PracticeListSerializer().fields)
    export_units = {**FIELD_UNITS, **EXPORT_UNITS}
    tables = [
        (
            "practice",
            _("Praktik (daftar, ekspor CSV/XLSX, /api/v1/practices/)"),
            _describe(PracticeExportSerializer, api=PracticeListSerializer, units=export_units),
        ),
        (
            "practice-detail",
            _("Praktik: kolom tambahan pada detail dan dump (/api/v1/practices/<id>/, /api/v1/dump/)"),
            _describe(PracticeDetailSerializer, skip=tuple(list_fields)),
        ),
        ("indicator", _("Indikator"), _describe(IndicatorSerializer)),
        ("indicator-value", _("Nilai capaian indikator"), _describe(IndicatorValueSerializer)),
        ("attachment", _("Lampiran"), _describe(AttachmentSerializer)),
        (
            "replication",
            _("Replikasi (ekspor CSV/XLSX, /api/v1/replications/)"),
            _describe(ReplicationExportSerializer, api=ReplicationSerializer, units=export_units),
        ),
        (
            "agency",
            _("Instansi (direktori, ekspor, /api/v1/agencies/)"),
            _describe(AgencyExportSerializer, api=AgencySerializer, units=export_units),
        ),
        (
            "map",
            _("Peta siapa melakukan apa (ekspor): kolom praktik di atas, lalu kolom indikator ini"),
            _describe(IndicatorExportSerializer, units=export_units),
        ),
    ]
    return render(request, "insights/data_dictionary.html", {"tables": tables, "license": license_data()})
