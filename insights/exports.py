"""CSV and XLSX downloads of the practice list, the agency directory, the replication ledger and the
who-does-what map, and the one definition of their columns.

Columns are the API's field names, with a human label beside every code (`evidence_level`,
`evidence_level_label`), written in the request's language. The map export has the SAME practice columns as
the list export (one serializer, `PracticeExportSerializer`), followed by the indicator columns, so a row of the
one can be matched with a row of the other. Cells are written for spreadsheets and CSV readers alike:

- dates as `YYYY-MM-DD`, date-times as ISO 8601 in Asia/Jakarta to the second with the offset
  (`2025-03-01T09:30:00+07:00`);
- booleans `true`/`false` in CSV and real booleans in XLSX; decimals without trailing zeros (numbers in XLSX);
- every text cell passes `cell_safe`: a value a spreadsheet would run as a formula (starting with =, +, -, @,
  tab or carriage return) gets a leading apostrophe, in CSV and XLSX alike;
- CSV is UTF-8 with a BOM (Excel and LibreOffice then read Indonesian names right), XLSX has a README sheet.

The licence (CC BY 4.0) travels with every download: an HTTP `Link: <...>; rel="license"` header (a comment row
would break CSV readers) and, in XLSX, the README sheet that also explains each column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.api import AgencySerializer
from common.opendata import LICENSE_NAME, LICENSE_URL, license_attribution, license_link_header
from common.text import control_characters_strip
from ledger.api import ReplicationSerializer
from ledger.models import Replication
from practices.models import Practice, PracticeRevision
from practices.serializers import PracticeListSerializer

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A plain number ("-5", "12.5") is not a formula in any spreadsheet; it stays as it is.
NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
JAKARTA = zoneinfo.ZoneInfo(settings.TIME_ZONE)


# Cells -----------------------------------------------------------------------------------------------------


def iso_datetime(value: dt.datetime | None) -> str | None:
    """`2025-03-01T09:30:00+07:00`: Asia/Jakarta, whole seconds, the offset written out."""
    if value is None:
        return None
    return timezone.localtime(value, JAKARTA).replace(microsecond=0).isoformat()


def _text_safe(text: str) -> str:
    text = control_characters_strip(text)  # XML (XLSX) cannot carry them; rows from before the refusal
    if NUMBER_RE.match(text):
        return text
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def cell_safe(value) -> str | int | float | bool | None:
    """A cell for CSV: text that no spreadsheet evaluates. Numbers stay numbers, booleans are `true`/`false`,
    decimals lose their trailing zeros, dates are ISO 8601, lists are joined with `;`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    if isinstance(value, dt.datetime):
        value = iso_datetime(value)
    elif isinstance(value, dt.date):
        value = value.isoformat()
    return _text_safe(str(value))


def xlsx_cell(value) -> str | int | float | bool | None:
    """A cell for XLSX: real booleans and numbers, empty cells for nothing, text as `cell_safe` makes it."""
    if value is None or value == "":
        return None
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() else float(value)
    return cell_safe(value)


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


# Columns ---------------------------------------------------------------------------------------------------


class IsoDateTimeField(serializers.DateTimeField):
    """A date-time as the exports write it (see `iso_datetime`)."""

    def to_representation(self, value):
        return iso_datetime(value)


class PlainDecimalField(serializers.Field):
    """A decimal kept as a `Decimal` (CSV writes it without trailing zeros, XLSX as a number)."""

    def to_representation(self, value):
        return value


class LabelsBesideCodes:
    """Keeps the columns of `columns_base` (the API serializer) in its order and puts each label column right
    after the code it explains (`labels_after = {code: [label, ...]}`). DRF would move a redeclared field
    (the export's date-times) to the end."""

    columns_base: type[serializers.Serializer]
    labels_after: dict[str, list[str]] = {}

    def get_fields(self):
        fields = super().get_fields()
        labels = {label for names in self.labels_after.values() for label in names}
        base = [name for name in self.columns_base().get_fields() if name in fields]
        ordered = {}
        for name in base + [name for name in fields if name not in base]:
            if name in labels or name in ordered:
                continue
            ordered[name] = fields[name]
            for label in self.labels_after.get(name, ()):
                ordered[label] = fields[label]
        return ordered


class PracticeExportSerializer(LabelsBesideCodes, PracticeListSerializer):
    """A practice row of the list and map exports: the API list fields plus labels, date-times as the exports
    write them. Reads `practices.selectors.api.practice_api_list()` rows (agency, region, primary theme, themes)."""

    columns_base = PracticeListSerializer
    labels_after = {
        "agency_kind": ["agency_kind_label"],
        "province_code": ["province_name"],
        "primary_theme": ["primary_theme_name"],
        "themes": ["theme_names"],
        "stage": ["stage_label"],
        "evidence_level": ["evidence_level_label"],
        "freshness": ["freshness_label"],
    }

    agency_kind_label = serializers.CharField(
        source="agency.get_kind_display", read_only=True, help_text=_("Nama jenis instansi (label kolom agency_kind).")
    )
    province_name = serializers.SerializerMethodField(help_text=_("Nama provinsi instansi (kosong untuk pusat)."))
    primary_theme_name = serializers.SerializerMethodField(help_text=_("Nama tema utama."))
    theme_names = serializers.SerializerMethodField(help_text=_("Nama semua tema praktik, dipisah titik koma."))
    stage_label = serializers.SerializerMethodField(help_text=_("Nama tahap (label kolom stage)."))
    evidence_level_label = serializers.CharField(
        source="get_evidence_level_display",
        read_only=True,
        help_text=_("Nama tingkat bukti (label kolom evidence_level)."),
    )
    freshness_label = serializers.CharField(
        source="get_freshness_display", read_only=True, help_text=_("Nama status praktik (label kolom freshness).")
    )
    published_at = IsoDateTimeField(read_only=True, help_text=_("Pertama kali terbit."))
    last_confirmed_at = IsoDateTimeField(
        read_only=True, help_text=_("Terakhir dikonfirmasi masih berjalan oleh instansi.")
    )

    def get_province_name(self, practice: Practice) -> str:
        region = practice.agency.region
        if region is None:
            return ""
        return region.name if region.province_id is None else region.province.name

    def get_primary_theme_name(self, practice: Practice) -> str:
        return practice.primary_theme.name if practice.primary_theme_id else ""

    def get_theme_names(self, practice: Practice) -> list[str]:
        return [theme.name for theme in practice.themes.all()]

    def get_stage_label(self, practice: Practice) -> str:
        try:
            return str(PracticeRevision.Stage(practice.stage).label)
        except ValueError:
            return ""


@dataclass
class IndicatorCells:
    """What the map export writes of one indicator (see `insights.selectors.map.IndicatorRow`)."""

    name: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    target_year: int | None = None
    latest: Decimal | None = None
    latest_date: dt.date | None = None


class IndicatorExportSerializer(serializers.Serializer):
    """The indicator columns of the who-does-what export, after the practice columns."""

    indicator = serializers.CharField(source="name", help_text=_("Nama indikator."))
    indicator_unit = serializers.CharField(source="unit", help_text=_("Satuan indikator."))
    baseline_value = PlainDecimalField(source="baseline", help_text=_("Nilai awal."))
    target_value = PlainDecimalField(source="target", help_text=_("Nilai target."))
    target_year = serializers.IntegerField(allow_null=True, help_text=_("Tahun target."))
    latest_value = PlainDecimalField(source="latest", help_text=_("Capaian terakhir."))
    latest_date = serializers.DateField(allow_null=True, help_text=_("Tanggal capaian terakhir."))


class AgencyExportSerializer(LabelsBesideCodes, AgencySerializer):
    columns_base = AgencySerializer
    labels_after = {"kind": ["kind_label"]}

    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=_("Nama jenis instansi (label kolom kind).")
    )

    class Meta(AgencySerializer.Meta):
        fields = [*AgencySerializer.Meta.fields, "kind_label"]


class ReplicationExportSerializer(LabelsBesideCodes, ReplicationSerializer):
    columns_base = ReplicationSerializer
    labels_after = {"stage": ["stage_label"]}

    stage_label = serializers.SerializerMethodField(help_text=_("Nama tahap terakhir (label kolom stage)."))
    created_at = IsoDateTimeField(read_only=True, help_text=_("Dicatat pertama kali."))
    updated_at = IsoDateTimeField(read_only=True, help_text=_("Terakhir diubah."))

    class Meta(ReplicationSerializer.Meta):
        fields = [*ReplicationSerializer.Meta.fields, "stage_label"]

    def get_stage_label(self, replication: Replication) -> str:
        return replication.get_stage_display()


def serializer_columns(serializer_class, *, context: dict | None = None) -> list[str]:
    return list(serializer_class(context=context or {}).fields)


def serializer_rows(serializer_class, objects: Iterable, *, context: dict) -> tuple[list[str], Iterable[list]]:
    """Columns are the serializer's field names; each row its values in that order (one serializer for all
    rows, so a large export does not build its fields again for every row)."""
    serializer = serializer_class(context=context)
    columns = list(serializer.fields)

    def rows():
        for obj in objects:
            data = serializer.to_representation(obj)
            yield [data[name] for name in columns]

    return columns, rows()


# Responses -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportInfo:
    """What the README sheet and the headers say about a download."""

    title: str
    source_url: str
    dictionary_url: str
    column_help: dict[str, str]


class _Echo:
    def write(self, value):
        return value


def _licensed(response, *, info: ExportInfo | None):
    links = [license_link_header()]
    if info is not None and info.dictionary_url:
        links.append(f'<{info.dictionary_url}>; rel="describedby"')
    response["Link"] = ", ".join(links)
    return response


def csv_response(
    *, columns: Sequence[str], rows: Iterable[Sequence], filename: str, info: ExportInfo | None = None
) -> StreamingHttpResponse:
    """A streamed UTF-8 CSV (with BOM, so spreadsheet programs read the encoding), header row first."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(columns)
        for row in rows:
            yield writer.writerow([cell_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return _licensed(response, info=info)


def _readme_rows(info: ExportInfo | None, columns: Sequence[str]) -> list[list]:
    rows = []
    if info is not None:
        rows += [[str(_("Judul")), info.title], [str(_("Sumber")), info.source_url]]
    rows += [
        [str(_("Dibuat")), iso_datetime(timezone.now())],
        [str(_("Lisensi")), LICENSE_NAME],
        [str(_("Teks lisensi")), LICENSE_URL],
        [str(_("Atribusi")), license_attribution()],
    ]
    if info is not None:
        rows += [[str(_("Kamus data")), info.dictionary_url], [], [str(_("Kolom")), str(_("Arti"))]]
        rows += [[name, str(info.column_help.get(name, ""))] for name in columns]
    return [[xlsx_cell(cell) for cell in row] for row in rows]


def xlsx_bytes(
    *, columns: Sequence[str], rows: Iterable[Sequence], title: str = "data", info: ExportInfo | None = None
) -> bytes:
    """The data sheet (header row first, frozen) and a README sheet, in openpyxl's streaming mode."""
    from openpyxl import Workbook  # loaded by the XLSX download only, not by every web process

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "RBX Portal"
    workbook.properties.title = info.title if info else title
    workbook.properties.description = license_attribution()
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(list(columns))
    for row in rows:
        # openpyxl would store a text starting with "=" as a formula; cell_safe has already neutralised it.
        # Text stays text (codes such as "35.78" must not become numbers); numbers and booleans are typed.
        sheet.append([xlsx_cell(cell) for cell in row])
    readme = workbook.create_sheet(title="README")
    for row in _readme_rows(info, columns):
        readme.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(
    *, columns: Sequence[str], rows: Iterable[Sequence], filename: str, info: ExportInfo | None = None
) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(columns=columns, rows=rows, title=filename, info=info), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return _licensed(response, info=info)


def export_response(
    *, fmt: str, columns: Sequence[str], rows: Iterable[Sequence], filename: str, info: ExportInfo | None = None
):
    if fmt == "xlsx":
        return xlsx_response(columns=columns, rows=rows, filename=filename, info=info)
    return csv_response(columns=columns, rows=rows, filename=filename, info=info)


def column_help(*serializer_classes) -> dict[str, str]:
    """Each column's help text (the README sheet), from the serializers that define the columns."""
    help_texts: dict[str, str] = {}
    for serializer_class in serializer_classes:
        for name, field in serializer_class().fields.items():
            help_texts.setdefault(name, str(field.help_text or ""))
    return help_texts


def who_does_what_export_rows(
    data: dict, *, practices: dict[int, Practice], context: dict
) -> tuple[list[str], Iterable[list]]:
    """The map's practices (province by province, central agencies last) with the list export's columns, one
    row per indicator (or one per practice without indicators). `data` is `who_does_what(...)`; `practices`
    the same practices read as list rows (`practice_api_list()`), by id."""
    practice_serializer = PracticeExportSerializer(context=context)
    indicator_serializer = IndicatorExportSerializer(context=context)
    practice_columns = list(practice_serializer.fields)
    indicator_columns = list(indicator_serializer.fields)

    def rows():
        groups = [p.agencies for p in data["provinces"]] + [data["central"]]
        for agencies in groups:
            for items in agencies.values():
                for item in items:
                    practice = practice_serializer.to_representation(practices[item.practice.pk])
                    base = [practice[name] for name in practice_columns]
                    for indicator in item.indicators or [IndicatorCells()]:
                        cells = indicator_serializer.to_representation(indicator)
                        yield base + [cells[name] for name in indicator_columns]

    return practice_columns + indicator_columns, rows()
