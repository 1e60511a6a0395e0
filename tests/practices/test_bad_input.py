"""Errors for people (issue #14): what a person types wrong gets a message on the field, in their language, with
what they typed kept; the database refuses it too, with the same sentence; nobody ever sees a 500 or a
constraint's name."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.html import escape

from common.forms import number_parse
from practices.models import Indicator, PracticeRevision
from practices.services.submission import revision_section_save
from tests.agencies.factories import member
from tests.i18n import en_url
from tests.practices.factories import new_practice, revision_complete
from tests.security.test_authz_matrix import ROLES, project_routes, url_for, world  # noqa: F401 - `world` fixture
from tests.security.test_authz_matrix import _client as authz_client

pytestmark = pytest.mark.django_db

LANGUAGES = ["id", "en"]


@pytest.fixture
def author(client):
    person = member(full_name="Sari Wulandari")
    client.force_login(person)
    return person


def _section_url(lang: str, practice, section: str) -> str:
    if lang == "en":
        return en_url("manage:section", pk=practice.pk, section=section)
    with translation.override("id"):  # a request in English leaves English active in the test's thread
        return reverse("manage:section", kwargs={"pk": practice.pk, "section": section})


def _post(client, lang, practice, section, data):
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    return client.post(_section_url(lang, practice, section), {"version": revision.version, **data})


def _assert_refused(response, *, field: str, message: str, typed: str):
    text = response.content.decode()
    assert response.status_code in (200, 400), response.status_code
    assert escape(message) in text, text[:3000]
    assert f'href="#id_{field}"' in text  # the error summary links to the field
    assert 'role="alert"' in text
    assert typed in text  # what was typed comes back
    assert "revision_" not in text and "indicator_target" not in text  # no constraint names
    assert "Batasan" not in text and "Constraint" not in text


# The start year --------------------------------------------------------------------------------------------

START_YEAR = {
    "id": "Tahun mulai harus di antara 1945 dan 2100.",
    "en": "The start year must be between 1945 and 2100.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_start_year_1800_is_refused_on_the_field(client, author, lang):
    practice = new_practice(author)
    response = _post(client, lang, practice, "identity", {"title": "Layanan keliling", "start_year": "1800"})
    _assert_refused(response, field="start_year", message=START_YEAR[lang], typed='value="1800"')
    assert 'value="Layanan keliling"' in response.content.decode()  # the rest of the form is kept too
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).start_year is None


def test_the_service_and_the_database_refuse_the_start_year_with_the_same_sentence(author):
    practice = new_practice(author)
    with pytest.raises(ValidationError) as refused:
        revision_section_save(
            practice_id=practice.pk, section="identity", version=1, data={"start_year": 1800}, by=author
        )
    assert refused.value.message_dict == {"start_year": [START_YEAR["id"]]}
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeRevision.objects.filter(pk=practice.working_revision_id).update(start_year=1800)


# The cost --------------------------------------------------------------------------------------------------

COST = {
    "id": "Biaya tidak boleh negatif: isi 0 atau lebih, dalam rupiah.",
    "en": "The cost cannot be negative: enter 0 or more, in rupiah.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_negative_cost_is_refused_on_the_field(client, author, lang):
    practice = new_practice(author)
    response = _post(client, lang, practice, "resources", {"cost": "-5.000.000", "budget_source": "APBD"})
    _assert_refused(response, field="cost", message=COST[lang], typed='value="-5.000.000"')
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).cost is None


def test_a_negative_cost_is_refused_by_the_service_and_the_database(author):
    practice = new_practice(author)
    with pytest.raises(ValidationError) as refused:
        revision_section_save(
            practice_id=practice.pk, section="resources", version=1, data={"cost": Decimal(-1)}, by=author
        )
    assert refused.value.message_dict == {"cost": [COST["id"]]}
    with pytest.raises(IntegrityError), transaction.atomic():
        PracticeRevision.objects.filter(pk=practice.working_revision_id).update(cost=-1)


# Indicators ------------------------------------------------------------------------------------------------

TARGET_YEAR = {
    "id": "Tahun target tidak boleh sebelum tahun nilai awal.",
    "en": "The target year cannot be before the baseline year.",
}
UNIT = {
    "id": "Isi satuan indikator, mis. hari, persen, atau orang.",
    "en": "Enter the indicator's unit, e.g. days, percent or people.",
}


def _indicator_post(**row):
    data = {"impact": "Waktu layanan turun.", "ind-TOTAL_FORMS": "1", "ind-INITIAL_FORMS": "0"}
    data |= {"val-TOTAL_FORMS": "0", "val-INITIAL_FORMS": "0"}
    data |= {f"ind-0-{name}": value for name, value in row.items()}
    return data


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_target_year_before_the_baseline_year_is_refused_on_the_target_year(client, author, lang):
    practice = new_practice(author)
    row = {"name": "Waktu layanan", "unit": "menit", "baseline_value": "120", "baseline_year": "2022"}
    row |= {"target_value": "30", "target_year": "2020", "higher_is_better": ""}
    response = _post(client, lang, practice, "impact", _indicator_post(**row))
    _assert_refused(response, field="ind-0-target_year", message=TARGET_YEAR[lang], typed='value="2020"')
    text = response.content.decode()
    assert 'value="Waktu layanan"' in text and 'value="2022"' in text
    label = {"id": "Indikator 1: Tahun target", "en": "Indicator 1: Target year"}[lang]
    assert label in text  # the summary names the row and the field
    assert not Indicator.objects.filter(revision_id=practice.working_revision_id).exists()


def test_a_target_year_before_the_baseline_year_is_refused_by_the_model_and_the_database(author):
    practice = new_practice(author)
    indicator = Indicator(
        revision_id=practice.working_revision_id, name="x", unit="hari", baseline_year=2022, target_year=2020
    )
    with pytest.raises(ValidationError) as refused:
        indicator.full_clean()
    assert refused.value.message_dict == {"target_year": [TARGET_YEAR["id"]]}
    with pytest.raises(IntegrityError), transaction.atomic():
        indicator.save()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_indicator_without_unit_is_refused_on_the_unit(client, author, lang):
    practice = new_practice(author)
    response = _post(client, lang, practice, "impact", _indicator_post(name="Waktu layanan", baseline_value="14,5"))
    _assert_refused(response, field="ind-0-unit", message=UNIT[lang], typed='value="Waktu layanan"')
    text = response.content.decode()
    assert 'value="14,5"' in text  # a number comes back exactly as typed
    required = {"id": "(wajib)", "en": "(required)"}[lang]
    unit_label = {"id": "Satuan", "en": "Unit"}[lang]
    assert f'<label for="id_ind-0-unit">{unit_label} <span class="required">{required}</span></label>' in text


# Title -----------------------------------------------------------------------------------------------------

TITLE = {
    "id": "Judul paling banyak 200 karakter (sekarang 300). Persingkat isinya.",
    "en": "Title can have at most 200 characters (it has 300). Please shorten it.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_300_character_title_gets_a_message_naming_the_field_and_is_kept(client, author, lang):
    practice = new_practice(author)
    title = "Layanan adminduk keliling " + "x" * 274
    assert len(title) == 300
    response = _post(client, lang, practice, "identity", {"title": title})
    _assert_refused(response, field="title", message=TITLE[lang], typed=f'value="{title}"')
    assert 'maxlength="200"' in response.content.decode()


# Numbers ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "typed", "expected"),
    [
        ("id", "14", "14"),
        ("id", "14,5", "14.5"),
        ("id", "14.5", "14.5"),
        ("id", "1.234,5", "1234.5"),
        ("id", "1.234", "1234"),
        ("id", "250.000.000", "250000000"),
        ("id", "1,234.5", "1234.5"),
        ("en", "1,234.5", "1234.5"),
        ("en", "1,234", "1234"),
        ("en", "1.234", "1.234"),
        ("en", "14,5", "14.5"),
        ("en", "0,125", "0.125"),
        ("en", " -3 ", "-3"),
    ],
)
def test_numbers_are_read_as_people_write_them(lang, typed, expected):
    with translation.override(lang):
        assert number_parse(typed) == Decimal(expected)


@pytest.mark.parametrize("typed", ["abc", "1e5", "1.234.5", "12,34,5", "1..5", "-", "NaN", "1.234,5.6"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):
        number_parse(typed)


def test_saved_numbers_come_back_without_trailing_zeros_and_typed_ones_are_read(client, author):
    practice = new_practice(author)
    revision_complete(practice)  # an indicator 120 → 30 stored as 120.0000 → 30.0000
    indicator = Indicator.objects.get(revision_id=practice.working_revision_id)
    PracticeRevision.objects.filter(pk=practice.working_revision_id).update(cost=Decimal(250000000))
    text = client.get(_section_url("id", practice, "impact")).content.decode()
    assert 'name="ind-0-baseline_value" value="120"' in text and "120.0000" not in text and "120,0000" not in text
    assert 'value="250.000.000"' in client.get(_section_url("id", practice, "resources")).content.decode()
    assert 'value="250,000,000"' in client.get(_section_url("en", practice, "resources")).content.decode()

    row = {"id": indicator.pk, "name": indicator.name, "unit": "menit", "baseline_value": "1.234,5"}
    row |= {"baseline_year": "2020", "target_value": "30,25", "target_year": "2024"}
    data = _indicator_post(**row) | {"ind-INITIAL_FORMS": "1"}
    response = _post(client, "id", practice, "impact", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    indicator.refresh_from_db()
    assert (indicator.baseline_value, indicator.target_value) == (Decimal("1234.5"), Decimal("30.25"))


# Django's placeholders -------------------------------------------------------------------------------------


def test_no_django_placeholders_in_the_management_forms(client, author):
    blank = new_practice(author)
    practice = new_practice(author)
    revision_complete(practice)
    pages = [_section_url(lang, practice, s) for lang in LANGUAGES for s in ("identity", "impact", "resources")]
    pages += [reverse("manage:attachments", kwargs={"pk": practice.pk})]
    for url in pages:
        text = client.get(url).content.decode()
        assert "---------" not in text, url
    identity = client.get(_section_url("id", blank, "identity")).content.decode()
    assert '<option value="" selected>— pilih —</option>' in identity and "---------" not in identity
    assert "— choose —" in client.get(_section_url("en", blank, "identity")).content.decode()

    impact = client.get(_section_url("id", practice, "impact")).content.decode()
    # The saved indicator (row 0) can be deleted, the new blank row (1) has no box; neither says "Hapus:".
    assert 'name="ind-0-DELETE"' in impact and 'name="ind-1-DELETE"' not in impact
    assert "Hapus baris ini" in impact and "Hapus:" not in impact


# Every constraint speaks ---------------------------------------------------------------------------------


def test_every_constraint_of_the_practices_app_has_a_message_in_both_languages():
    constraints = [c for model in apps.get_app_config("practices").get_models() for c in model._meta.constraints]
    assert len(constraints) >= 15
    for constraint in constraints:
        assert constraint.violation_error_message not in (None, constraint.default_violation_error_message), (
            constraint.name
        )
        with translation.override("id"):
            indonesian = str(constraint.get_violation_error_message())
        with translation.override("en"):
            english = str(constraint.get_violation_error_message())
        assert constraint.name not in indonesian and indonesian != english, constraint.name


@pytest.fixture
def every_role(world):  # noqa: F811 - the imported fixture, by name
    return world  # the authorisation matrix's fixtures: one of everything, seen by each of its six roles


def test_no_page_of_any_role_shows_djangos_empty_choice(every_role):
    """Every route the authorisation matrix walks, as each of its six roles: no "---------" anywhere."""
    found = set()
    for key, full_pattern in project_routes().items():
        if key.startswith("admin:"):
            continue
        try:
            url = url_for(key, full_pattern, every_role)
        except NoReverseMatch:
            continue  # a route without its kwargs in the matrix: that test says so
        for role in ROLES:
            response = authz_client(every_role["users"][role]).get(url)
            if response.get("Content-Type", "").startswith("text/html") and b"---------" in response.content:
                found.add(key)
    assert not found


def test_every_constraint_of_every_app_has_a_message_in_both_languages():
    """The practices rule above, for every app of the project: no database refusal shows a constraint's name."""
    project_apps = [
        "accounts",
        "agencies",
        "audit",
        "ledger",
        "notifications",
        "common",
        "practices",
        "showcases",
        "competitions",
    ]
    constraints = [
        constraint
        for label in project_apps
        for model in apps.get_app_config(label).get_models()
        for constraint in model._meta.constraints
    ]
    assert len(constraints) >= 50
    for constraint in constraints:
        assert constraint.violation_error_message not in (None, constraint.default_violation_error_message), (
            constraint.name
        )
        with translation.override("id"):
            indonesian = str(constraint.get_violation_error_message())
        with translation.override("en"):
            english = str(constraint.get_violation_error_message())
        assert constraint.name not in indonesian and indonesian != english, constraint.name
