"""CSV/XLSX exports (content, columns named as the API fields, formula guard), and the data dictionary page."""

import csv
import io

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from insights.exports import cell_safe
from practices.serializers import PracticeListSerializer
from tests.practices.factories import practice_published

pytestmark = pytest.mark.django_db

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tA", "\rB"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[("" if c is None else c) for c in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("value", DANGEROUS)
def test_cell_safe_neutralises_formula_prefixes(value):
    assert cell_safe(value) == "'" + value
    assert cell_safe("Aman") == "Aman" and cell_safe("-12.5") == "-12.5" and cell_safe(3) == 3


def test_practice_export_uses_the_page_filters_and_the_api_field_names(client):
    kept = practice_published(title="Perizinan cepat", theme="investasi", agency="35.78")
    practice_published(title="Posyandu", theme="kemiskinan", agency="32.04")
    rows = read_csv(client.get("/unduh/praktik.csv?theme=investasi&page=3"))
    assert rows[0] == list(PracticeListSerializer().fields)
    assert len(rows) == 2 and rows[1][0] == str(kept.pk) and rows[1][rows[0].index("title")] == "Perizinan cepat"
    api_row = client.get("/api/v1/practices/?theme=investasi").json()["results"][0]
    assert rows[1][rows[0].index("agency_code")] == api_row["agency_code"] == "35.78"
    sheet = read_xlsx(client.get("/en/download/practices.xlsx?theme=investasi"))
    assert sheet[0] == rows[0] and sheet[1][0] == kept.pk


def test_practice_export_search_and_bad_values_dropped(client):
    practice_published(title="Perizinan cepat", summary="Perizinan usaha.")
    practice_published(title="Posyandu", summary="Balita sehat.")
    rows = read_csv(client.get("/unduh/praktik.csv?q=perizinan&stage=bukan"))
    assert [r[2] for r in rows[1:]] == ["Perizinan cepat"]
    assert client.get("/unduh/praktik.pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_formula_injection_is_neutralised_in_practice_exports(client, fmt):
    for n, title in enumerate(DANGEROUS):
        practice_published(title=title, summary=f"=cmd|' /C calc'!A{n}")
    response = client.get(f"/unduh/praktik.{fmt}")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    header = rows[0]
    titles = {row[header.index("title")] for row in rows[1:]}
    # XML (inside XLSX) normalises a carriage return to a line feed; the apostrophe is what matters.
    expected = {"'" + t for t in DANGEROUS}
    assert titles == (expected if fmt == "csv" else {t.replace("\r", "\n") for t in expected})
    assert all(row[header.index("summary")].startswith("'=cmd") for row in rows[1:])
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agency_directory_export(client, fmt):
    practice_published(title="A", agency="35.78")
    response = client.get(f"/unduh/instansi.{fmt}?kind=kota&province=35")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0] == ["code", "name", "acronym", "kind", "region_code", "province_code", "practice_count", "web_url"]
    surabaya = next(r for r in rows[1:] if r[0] == "35.78")
    assert str(surabaya[6]) == "1" and {r[3] for r in rows[1:]} == {"kota"} and len(rows) == 10
    assert "/unduh/instansi.csv" in client.get("/instansi/").content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_who_does_what_export_and_guard(client, fmt):
    practice_published(
        title="+Posyandu",
        theme="kemiskinan",
        agency="32.04",
        indicator={"name": "@stunting", "unit": "persen", "baseline_value": 30, "target_value": 14},
    )
    response = client.get(f"/unduh/peta.{fmt}?tema=kemiskinan")
    rows = read_csv(response) if fmt == "csv" else read_xlsx(response)
    assert rows[0][:5] == ["province", "agency_name", "agency_kind", "title", "indicator"]
    assert rows[1][3] == "'+Posyandu" and rows[1][4] == "'@stunting" and str(rows[1][7]) == "14"


def test_list_page_links_the_export_with_its_query_string(client):
    practice_published(title="Perizinan", theme="investasi")
    html = client.get("/praktik/?theme=investasi&page=1").content.decode()
    assert 'href="/unduh/praktik.csv?theme=investasi"' in html
    assert 'href="/unduh/praktik.xlsx?theme=investasi"' in html


def test_data_dictionary_lists_every_field_in_both_languages(client):
    page = client.get("/data/kamus/").content.decode()
    for name in [*PracticeListSerializer().fields, "indicators", "baseline_value", "practice_count", "latest_date"]:
        assert f"<code>{name}</code>" in page, name
    assert "Jumlah instansi yang mereplikasi." in page and "rupiah" in page
    english = client.get("/en/data/dictionary/")
    assert english.status_code == 200 and "Data dictionary" in english.content.decode()
