"""CSV/XLSX exports: columns named as the API fields with labels beside the codes, ISO dates, true/false, one
column set for the list and the map, the licence on every download, the formula guard, LibreOffice opening
the XLSX, and the data dictionary page."""

import csv
import datetime
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from common.opendata import LICENSE_URL
from insights.exports import PracticeExportSerializer, cell_safe, iso_datetime, xlsx_cell
from ledger.services import replication as replication_svc
from practices.models import Practice
from practices.serializers import PracticeListSerializer
from tests.agencies.factories import member
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tA", "\rB"]
ISO_SECONDS_WIB = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(response, sheet: str | None = None) -> list[list]:
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    worksheet = book[sheet] if sheet else book.active
    return [[("" if c is None else c) for c in row] for row in worksheet.iter_rows(values_only=True)]


def as_dicts(rows: list[list]) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.parametrize("value", DANGEROUS)
def test_cell_safe_neutralises_formula_prefixes(value):
    assert cell_safe(value) == "'" + value
    assert cell_safe("Aman") == "Aman" and cell_safe("-12.5") == "-12.5" and cell_safe(3) == 3


def test_cells_are_written_for_csv_readers_and_spreadsheets():
    moment = datetime.datetime(2025, 3, 1, 2, 30, 15, 123456, tzinfo=datetime.UTC)
    assert iso_datetime(moment) == "2025-03-01T09:30:15+07:00"
    assert cell_safe(moment) == "2025-03-01T09:30:15+07:00"
    assert cell_safe(datetime.date(2025, 3, 1)) == "2025-03-01"
    assert (cell_safe(True), cell_safe(False), cell_safe(None)) == ("true", "false", "")
    assert (cell_safe(Decimal("14.0000")), cell_safe(Decimal("2.5000")), cell_safe(Decimal("1E+2"))) == (
        "14",
        "2.5",
        "100",
    )
    assert (xlsx_cell(True), xlsx_cell(None), xlsx_cell(""), xlsx_cell(Decimal("14.0000"))) == (True, None, None, 14)
    assert xlsx_cell(Decimal("2.5")) == 2.5 and xlsx_cell("35.78") == "35.78" and xlsx_cell("=1") == "'=1"


def test_practice_export_uses_the_page_filters_and_the_api_field_names(client):
    kept = practice_published(title="Perizinan cepat", theme="investasi", agency="35.78")
    practice_published(title="Posyandu", theme="kemiskinan", agency="32.04")
    rows = read_csv(client.get("/unduh/praktik.csv?theme=investasi&page=3"))
    header = rows[0]
    assert header == list(PracticeExportSerializer().fields)
    # Every API field, in the API's order; the labels sit beside their codes.
    assert [name for name in header if name in PracticeListSerializer().fields] == list(PracticeListSerializer().fields)
    for code, label in [
        ("evidence_level", "evidence_level_label"),
        ("agency_kind", "agency_kind_label"),
        ("stage", "stage_label"),
        ("primary_theme", "primary_theme_name"),
        ("freshness", "freshness_label"),
        ("province_code", "province_name"),
    ]:
        assert header.index(label) == header.index(code) + 1, label
    assert len(rows) == 2 and rows[1][0] == str(kept.pk) and rows[1][header.index("title")] == "Perizinan cepat"
    api_row = client.get("/api/v1/practices/?theme=investasi").json()["results"][0]
    assert rows[1][header.index("agency_code")] == api_row["agency_code"] == "35.78"
    sheet = read_xlsx(client.get("/en/download/practices.xlsx?theme=investasi"))
    assert sheet[0] == header and sheet[1][0] == kept.pk


def test_practice_export_labels_dates_and_booleans_in_the_request_language(client):
    practice_published(title="Posyandu", theme="kemiskinan", agency="35.78", is_digital=True, stage="penerapan")
    row = as_dicts(read_csv(client.get("/unduh/praktik.csv")))[0]
    assert row["evidence_level"] == "self_reported" and row["evidence_level_label"] == "Dilaporkan sendiri"
    assert row["agency_kind"] == "kota" and row["agency_kind_label"] == "Pemerintah Kota"
    assert row["stage"] == "penerapan" and row["stage_label"] == "Penerapan"
    assert row["freshness"] == "running" and row["freshness_label"] == "Masih berjalan"
    assert row["primary_theme"] == "kemiskinan" and row["primary_theme_name"] == "Pengentasan Kemiskinan"
    assert row["province_code"] == "35" and row["province_name"] == "Jawa Timur"
    assert (row["is_digital"], row["reached_target"]) == ("true", "false")
    assert ISO_SECONDS_WIB.match(row["published_at"]), row["published_at"]
    english = as_dicts(read_csv(client.get("/en/download/practices.csv")))[0]
    assert english["evidence_level"] == "self_reported" and english["evidence_level_label"] == "Self-reported"
    assert english["primary_theme_name"] == "Poverty Reduction" and english["is_digital"] == "true"
    sheet = as_dicts(read_xlsx(client.get("/unduh/praktik.xlsx")))[0]
    assert sheet["is_digital"] is True and sheet["reached_target"] is False and sheet["replication_count"] == 0
    assert sheet["published_at"] == row["published_at"] and sheet["evidence_level_label"] == "Dilaporkan sendiri"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_download_names_its_licence(client, fmt):
    practice_published(title="A", theme="kemiskinan")
    for url in [
        f"/unduh/praktik.{fmt}",
        f"/unduh/instansi.{fmt}",
        f"/unduh/replikasi.{fmt}",
        f"/unduh/peta.{fmt}?tema=kemiskinan",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<{LICENSE_URL}>; rel="license"' in response["Link"], url
        assert 'rel="describedby"' in response["Link"] and "/data/kamus/" in response["Link"]
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(client.get("/unduh/praktik.xlsx").content))
        assert book.sheetnames == ["rbx-praktik", "README"]
        readme = {row[0]: row[1] for row in book["README"].iter_rows(values_only=True) if row and row[0]}
        assert readme["Lisensi"] == "CC BY 4.0" and readme["Teks lisensi"] == LICENSE_URL
        assert "Kementerian PANRB" in readme["Atribusi"] and readme["evidence_level_label"].startswith("Nama tingkat")
        assert ISO_SECONDS_WIB.match(readme["Dibuat"])


def test_map_export_has_the_list_export_columns_then_the_indicators(client):
    practice_published(
        title="Posyandu",
        theme="kemiskinan",
        agency="32.04",
        indicator={"name": "Stunting", "unit": "persen", "baseline_value": 30, "target_value": 14,
                   "values": [("2024-06-30", "21.5")]},
    )  # fmt: skip
    practice_published(title="Tanpa indikator", theme="kemiskinan", agency="35.78")
    practice_published(title="Tema lain", theme="investasi", agency="35.78")
    listed = read_csv(client.get("/unduh/praktik.csv?theme=kemiskinan"))
    mapped = read_csv(client.get("/unduh/peta.csv?tema=kemiskinan"))
    width = len(listed[0])
    assert mapped[0][:width] == listed[0]  # one definition of the practice columns, used by both
    assert mapped[0][width:] == [
        "indicator", "indicator_unit", "baseline_value", "target_value", "target_year", "latest_value", "latest_date",
    ]  # fmt: skip
    by_title = {row[listed[0].index("title")]: row for row in listed[1:]}
    for row in mapped[1:]:
        assert row[:width] == by_title[row[listed[0].index("title")]]  # the same cells for the same practice
    posyandu = next(row for row in as_dicts(mapped) if row["title"] == "Posyandu")
    assert posyandu["province_name"] == "Jawa Barat" and posyandu["evidence_level_label"] == "Dilaporkan sendiri"
    assert (posyandu["baseline_value"], posyandu["target_value"], posyandu["latest_value"]) == ("30", "14", "21.5")
    assert posyandu["latest_date"] == "2024-06-30"
    assert len(mapped) == 3  # one row per indicator, one for the practice without any; the other theme is not there
    sheet = as_dicts(read_xlsx(client.get("/unduh/peta.xlsx?tema=kemiskinan")))
    assert {row["title"]: row["latest_value"] for row in sheet} == {"Posyandu": 21.5, "Tanpa indikator": ""}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised_in_practice_exports(client, fmt):
    for n, title in enumerate(DANGEROUS):
        practice_published(title=title, summary=f"=cmd|' /C calc'!A{n}")
    response = client.get(f"/unduh/praktik.{fmt}")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    header = rows[0]
    titles = {row[header.index("title")] for row in rows[1:]}
    # XML (inside XLSX) may normalise a carriage return to a line feed (openpyxl without lxml); the apostrophe is
    # what matters.
    expected = {"'" + t for t in DANGEROUS}
    if fmt == "xlsx":
        expected, titles = {t.replace("\r", "\n") for t in expected}, {t.replace("\r", "\n") for t in titles}
    assert titles == expected
    assert all(row[header.index("summary")].startswith("'=cmd") for row in rows[1:])
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(response.content))
        assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agency_directory_export(client, fmt):
    practice_published(title="A", agency="35.78")
    response = client.get(f"/unduh/instansi.{fmt}?kind=kota&province=35")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0] == [
        "code", "name", "acronym", "kind", "kind_label", "region_code", "province_code", "practice_count", "web_url",
    ]  # fmt: skip
    surabaya = next(r for r in rows[1:] if r[0] == "35.78")
    assert str(surabaya[7]) == "1" and {r[3] for r in rows[1:]} == {"kota"} and len(rows) == 10
    assert {r[4] for r in rows[1:]} == {"Pemerintah Kota"}
    assert "/unduh/instansi.csv" in client.get("/instansi/").content.decode()


def test_replication_export(client):
    source = practice_published(title="Mal pelayanan", agency="35.78")
    replication_svc.replication_start(source=source, by=member("32.04"), date=datetime.date(2025, 1, 6))
    rows = as_dicts(read_csv(client.get("/unduh/replikasi.csv")))
    assert len(rows) == 1
    row = rows[0]
    assert row["source_practice"] == str(source.pk) and row["source_title"] == "Mal pelayanan"
    assert row["stage"] == "interest" and row["stage_label"] == "Minat" and row["agency_code"] == "32.04"
    assert ISO_SECONDS_WIB.match(row["created_at"]) and row["became_practice"] == ""
    english = as_dicts(read_csv(client.get("/en/download/replications.csv")))[0]
    assert english["stage_label"] == "Interest"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_who_does_what_export_and_guard(client, fmt):
    practice_published(
        title="+Posyandu",
        theme="kemiskinan",
        agency="32.04",
        indicator={"name": "@stunting", "unit": "persen", "baseline_value": 30, "target_value": 14},
    )
    response = client.get(f"/unduh/peta.{fmt}?tema=kemiskinan")
    rows = as_dicts(read_csv(response) if fmt == "csv" else read_xlsx(response))
    assert (
        rows[0]["title"] == "'+Posyandu"
        and rows[0]["indicator"] == "'@stunting"
        and str(rows[0]["target_value"]) == "14"
    )
    assert client.get("/unduh/peta.pdf?tema=kemiskinan").status_code == 404


def test_list_page_links_the_export_with_its_query_string(client):
    practice_published(title="Perizinan", theme="investasi")
    html = client.get("/praktik/?theme=investasi&page=1").content.decode()
    assert 'href="/unduh/praktik.csv?theme=investasi"' in html
    assert 'href="/unduh/praktik.xlsx?theme=investasi"' in html


def test_data_dictionary_lists_every_field_in_both_languages(client):
    page = client.get("/data/kamus/").content.decode()
    for name in [*PracticeExportSerializer().fields, "indicators", "baseline_value", "practice_count", "latest_date",
                 "kind_label", "stage_label", "indicator_unit"]:  # fmt: skip
        assert f"<code>{name}</code>" in page, name
    assert "Jumlah instansi yang mereplikasi." in page and "rupiah" in page and "hanya di ekspor CSV/XLSX" in page
    assert f'href="{LICENSE_URL}" rel="license"' in page and 'href="/data/katalog.jsonld"' in page
    english = client.get("/en/data/dictionary/")
    html = english.content.decode()
    assert english.status_code == 200 and "Data dictionary" in html and "only in the CSV/XLSX exports" in html
    assert 'href="/en/data/catalog.jsonld"' in html


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_the_xlsx_and_reads_the_labels(client, tmp_path):
    """LibreOffice converts the XLSX without an error or a repair, and the first sheet is the data with labels."""
    practice_published(title="Pelayanan Kota Surabaya", theme="kemiskinan", agency="35.78", is_digital=True)
    (tmp_path / "rbx-praktik.xlsx").write_bytes(client.get("/unduh/praktik.xlsx").content)
    (tmp_path / "rbx-peta.xlsx").write_bytes(client.get("/unduh/peta.xlsx?tema=kemiskinan").content)
    for name in ("rbx-praktik", "rbx-peta"):
        result = subprocess.run(  # noqa: S603
            [shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
             "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path),
             str(tmp_path / f"{name}.xlsx")],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "error" not in (result.stdout + result.stderr).lower(), result.stdout + result.stderr
        rows = as_dicts(list(csv.reader(io.StringIO((tmp_path / f"{name}.csv").read_text("utf-8"), newline=""))))
        assert rows[0]["title"] == "Pelayanan Kota Surabaya" and rows[0]["evidence_level_label"] == "Dilaporkan sendiri"
        assert rows[0]["is_digital"] == "TRUE"  # a real boolean cell, not the text "True"
        assert ISO_SECONDS_WIB.match(rows[0]["published_at"])


def test_export_dates_agree_with_the_practice(client):
    practice = practice_published(title="Tanggal", agency="35.78")
    Practice.objects.filter(pk=practice.pk).update(
        published_at=datetime.datetime(2024, 12, 31, 17, 0, 0, 999999, tzinfo=datetime.UTC),
        last_confirmed_at=datetime.datetime(2025, 1, 2, 1, 0, 1, tzinfo=datetime.UTC),
    )
    row = as_dicts(read_csv(client.get("/unduh/praktik.csv")))[0]
    assert row["published_at"] == "2025-01-01T00:00:00+07:00"
    assert row["last_confirmed_at"] == "2025-01-02T08:00:01+07:00"
