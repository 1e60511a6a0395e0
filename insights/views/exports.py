"""Downloads of what the public pages show (CSV/XLSX, columns named as the API fields) and the data dictionary."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from agencies.api import AgencySerializer
from agencies.selectors import agency_directory
from ledger.api import ReplicationSerializer
from practices.selectors.api import practice_export_rows
from practices.serializers import (
    FIELD_UNITS,
    AttachmentSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    MapRowSerializer,
    PracticeDetailSerializer,
    PracticeListSerializer,
)

from ..exports import FORMATS, export_response, serializer_rows
from ..forms import ThemeSelectForm
from ..selectors.map import who_does_what, who_does_what_rows


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


@require_safe
def practice_list_export(request, fmt: str):
    """The practice list with the page's current filters, search and sort (every page, not just one)."""
    fmt = _format(fmt)
    objects = practice_export_rows(data=request.GET)
    columns, rows = serializer_rows(PracticeListSerializer, objects, context={"request": request})
    return export_response(fmt=fmt, columns=columns, rows=rows, filename="rbx-praktik")


@require_safe
def agency_list_export(request, fmt: str):
    fmt = _format(fmt)
    _filterset, queryset = agency_directory(data=request.GET)
    columns, rows = serializer_rows(AgencySerializer, queryset.order_by("name", "code"), context={"request": request})
    return export_response(fmt=fmt, columns=columns, rows=rows, filename="rbx-instansi")


@require_safe
def who_does_what_export(request, fmt: str):
    fmt = _format(fmt)
    theme = ThemeSelectForm(request.GET or None).chosen_theme()
    if theme is None:
        raise Http404
    rows = who_does_what_rows(who_does_what(theme=theme))
    columns = list(MapRowSerializer().fields)
    return export_response(fmt=fmt, columns=columns, rows=rows, filename=f"rbx-peta-{theme.code}")


def _field_type(field) -> str:
    name = type(field).__name__.replace("Field", "").replace("Serializer", "")
    return {
        "Char": "text",
        "SerializerMethod": "text",
        "Integer": "integer",
        "Decimal": "decimal",
        "Boolean": "boolean",
        "DateTime": "datetime",
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


def _describe(serializer_class, *, skip: tuple[str, ...] = ()) -> list[dict]:
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
                "unit": FIELD_UNITS.get(name, ""),
            }
        )
    return rows


@require_safe
def data_dictionary(request):
    """Every field of the API and the exports, generated from the serializers so it cannot drift from them."""
    list_fields = set(PracticeListSerializer().fields)
    tables = [
        ("practice", _("Praktik (daftar, ekspor CSV/XLSX, /api/v1/practices/)"), _describe(PracticeListSerializer)),
        (
            "practice-detail",
            _("Praktik: kolom tambahan pada detail dan dump (/api/v1/practices/<id>/, /api/v1/dump/)"),
            _describe(PracticeDetailSerializer, skip=tuple(list_fields)),
        ),
        ("indicator", _("Indikator"), _describe(IndicatorSerializer)),
        ("indicator-value", _("Nilai capaian indikator"), _describe(IndicatorValueSerializer)),
        ("attachment", _("Lampiran"), _describe(AttachmentSerializer)),
        ("replication", _("Replikasi (/api/v1/replications/)"), _describe(ReplicationSerializer)),
        ("agency", _("Instansi (direktori, ekspor, /api/v1/agencies/)"), _describe(AgencySerializer)),
        ("map", _("Peta siapa melakukan apa (ekspor)"), _describe(MapRowSerializer)),
    ]
    return render(request, "insights/data_dictionary.html", {"tables": tables})
