import pytest
from django.core.management import call_command

from agencies.models import Agency, Region
from practices.models import Theme

pytestmark = pytest.mark.django_db


def _run(capsys) -> str:
    call_command("load_reference_data")
    return capsys.readouterr().out


def test_all_643_agencies_and_12_themes_are_loaded():
    counts = {kind: Agency.objects.filter(kind=kind).count() for kind, _ in Agency.Kind.choices}
    assert sum(counts.values()) == 643
    assert counts["provinsi"] == 38
    assert counts["kabupaten"] == 416
    assert counts["kota"] == 98
    assert Agency.objects.central().count() == 91
    assert Region.objects.count() == 552
    assert Theme.objects.count() == 12
    assert Theme.objects.filter(track="tematik").count() == 4


def test_regency_is_linked_to_its_province():
    surabaya = Agency.objects.select_related("region__province").get(code="35.78")
    assert surabaya.kind == Agency.Kind.CITY
    assert surabaya.region.province.name == "Jawa Timur"
    assert Agency.objects.get(code="35").region.subregions.filter(level="city").count() == 9


def test_second_run_changes_nothing(capsys):
    before = list(Agency.objects.order_by("code").values_list("code", "name", "slug", "kind"))
    assert "nothing changed" in _run(capsys)
    assert list(Agency.objects.order_by("code").values_list("code", "name", "slug", "kind")) == before


def test_rerun_restores_shipped_names_without_duplicating(capsys):
    Agency.objects.filter(code="kemenpanrb").update(name="Typo")
    Theme.objects.filter(code="kemiskinan").update(name_en="Typo")
    out = _run(capsys)
    assert "'agency': 1" in out
    assert Agency.objects.get(code="kemenpanrb").name.startswith("Kementerian Pendayagunaan")
    assert Theme.objects.get(code="kemiskinan").name_en == "Poverty Reduction"
    assert Agency.objects.count() == 643


def test_agency_added_by_an_admin_survives_a_reload(capsys):
    Agency.objects.create(code="badan-baru", kind="lembaga", name="Badan Baru", slug="badan-baru")
    _run(capsys)
    assert Agency.objects.filter(code="badan-baru").exists()


def test_database_refuses_a_regional_government_without_region():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.create(code="x", kind="kota", name="Kota Tanpa Wilayah", slug="x")
