"""The author's task list (issue #14): each section's status, the moderator's requested changes where they are
fixed, the "check your answers" page, and the submission route that the page states and the service takes."""

import pytest
from django.urls import reverse
from django.utils import translation

from practices.models import Indicator, PracticeRevision
from practices.selectors.manage import TaskStatus, revision_task_list
from practices.services.submission import practice_submit, revision_section_save
from tests.agencies.factories import agency_admin, member
from tests.i18n import en_url
from tests.practices.factories import new_practice, practice_changes_requested, practice_draft

pytestmark = pytest.mark.django_db
S = PracticeRevision.State
T = TaskStatus


def _statuses(practice) -> dict[str, str]:
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    return {task.key: task.status for task in revision_task_list(revision=revision)}


def _url(name: str, lang: str = "id", **kwargs) -> str:
    if lang == "en":
        return en_url(name, **kwargs)
    with translation.override("id"):
        return reverse(name, kwargs=kwargs)


# Statuses --------------------------------------------------------------------------------------------------


def test_a_new_practice_has_every_section_not_started():
    practice = new_practice(member())
    assert set(_statuses(practice).values()) == {T.NOT_STARTED}


def test_a_section_with_something_but_not_everything_is_in_progress_and_a_full_one_completed():
    author = member()
    practice = new_practice(author)
    revision_section_save(practice_id=practice.pk, section="identity", version=1, data={"title": "Judul"}, by=author)
    revision_section_save(
        practice_id=practice.pk,
        section="contact",
        version=2,
        data={"contact_name": "Sari", "contact_email": "sari@example.go.id"},
        by=author,
    )
    statuses = _statuses(practice)
    assert statuses["identity"] == T.IN_PROGRESS  # a title, but no summary, year, stage or theme yet
    assert statuses["contact"] == T.COMPLETED  # position and phone are optional
    assert statuses["problem"] == T.NOT_STARTED


def test_the_impact_section_needs_an_indicator_with_baseline_and_target():
    author = member()
    practice = new_practice(author)
    revision_section_save(practice_id=practice.pk, section="impact", version=1, data={"impact": "Turun."}, by=author)
    assert _statuses(practice)["impact"] == T.IN_PROGRESS  # the narrative alone is not enough
    indicator = Indicator.objects.create(revision_id=practice.working_revision_id, name="Waktu", unit="hari")
    assert _statuses(practice)["impact"] == T.IN_PROGRESS  # an indicator without baseline and target neither
    Indicator.objects.filter(pk=indicator.pk).update(baseline_value=14, target_value=2)
    assert _statuses(practice)["impact"] == T.COMPLETED


def test_a_ticked_box_alone_starts_the_identity_section():
    author = member()
    practice = new_practice(author)
    revision_section_save(practice_id=practice.pk, section="identity", version=1, data={"is_digital": True}, by=author)
    assert _statuses(practice)["identity"] == T.IN_PROGRESS


def test_the_sections_with_a_moderators_comment_are_changes_requested_until_resubmitted():
    author = member()
    practice = practice_changes_requested(
        author=author, section_comments={"impact": "Tambahkan data capaian 2024.", "kit": ""}, comment="Umum."
    )
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    tasks = {task.key: task for task in revision_task_list(revision=revision)}
    assert tasks["impact"].status == T.CHANGES_REQUESTED
    assert tasks["impact"].comment == "Tambahkan data capaian 2024."
    # An empty comment is no request; the other sections keep their own status.
    assert {k: t.status for k, t in tasks.items() if k != "impact"} == dict.fromkeys(
        set(tasks) - {"impact"}, T.COMPLETED
    )
    practice_submit(practice_id=practice.pk, by=author)
    assert _statuses(practice)["impact"] == T.COMPLETED  # answered: the request is no longer open


# Pages -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_requested_change_is_on_the_section_page_and_flagged_in_the_task_list(client, lang):
    author = member()
    practice = practice_changes_requested(author=author, section_comments={"impact": "Tambahkan data 2024."})
    client.force_login(author)
    text = client.get(_url("manage:section", lang, pk=practice.pk, section="impact")).content.decode()
    heading = {"id": "Perlu perbaikan", "en": "Changes requested"}[lang]
    assert f'<h2 id="changes-heading">{heading}</h2>' in text
    assert "Tambahkan data 2024." in text
    assert f'<span class="task-status" id="task-impact-status"><span aria-hidden="true">! </span>{heading}</span>' in (
        text
    )
    done = {"id": "Selesai", "en": "Done"}[lang]
    assert f'<span class="task-status" id="task-problem-status">{done}</span>' in text
    # Another section's page flags the tab but has no inset.
    problem = client.get(_url("manage:section", lang, pk=practice.pk, section="problem")).content.decode()
    assert 'id="changes-heading"' not in problem and 'id="task-impact-status"><span aria-hidden="true">! ' in problem


def test_the_check_answers_page_lists_every_answer_with_change_links_and_the_missing_items(client):
    author = member()
    practice = new_practice(author)
    revision_section_save(
        practice_id=practice.pk,
        section="identity",
        version=1,
        data={"title": "Layanan keliling", "start_year": 2021},
        by=author,
    )
    Indicator.objects.create(
        revision_id=practice.working_revision_id,
        name="Waktu layanan",
        unit="menit",
        baseline_value="120.0000",
        baseline_year=2020,
        target_value="30.5000",
        target_year=2024,
    )
    client.force_login(author)
    text = client.get(_url("manage:submit", pk=practice.pk)).content.decode()
    assert "Periksa jawaban Anda" in text
    assert "Layanan keliling" in text and ">2021<" in text  # a year is not grouped
    section = _url("manage:section", pk=practice.pk, section="identity")
    assert f'<a href="{section}#id_title">Ubah<span class="visually-hidden"> judul</span></a>' in text
    assert "Waktu layanan (menit): 120 (2020) → 30,5 (2024)" in text  # no trailing zeros, Indonesian comma
    assert 'class="missing-list"' in text and f'href="{section}#id_summary"' in text
    assert "Belum diisi" in text


def test_the_check_answers_page_shows_the_moderators_whole_comment(client):
    author = member()
    practice = practice_changes_requested(
        author=author, section_comments={"impact": "Tambahkan data 2024."}, comment="Secara umum sudah baik."
    )
    client.force_login(author)
    text = client.get(_url("manage:submit", pk=practice.pk)).content.decode()
    assert "Secara umum sudah baik." in text and "Tambahkan data 2024." in text


# The submission route: the page says it, the service does it ----------------------------------------------

PAGE_FORM = {"csrfmiddlewaretoken": "x"}  # what the page's form sends (the test client skips the CSRF check)
ROUTE_MEMBER = {
    "id": "Pengajuan ulang ini dikirim ke admin instansi Anda lebih dulu.",
    "en": "This resubmission goes to your agency admin first.",
}
ROUTE_ADMIN = {
    "id": "Sebagai admin instansi, Anda mengajukan ulang praktik ini langsung ke moderator kementerian.",
    "en": "As the agency admin, you resubmit this practice straight to the ministry moderators.",
}


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_members_resubmission_goes_to_the_agency_admin_and_the_page_says_so(client, lang):
    author = member()
    practice = practice_changes_requested(author=author, section_comments={"impact": "Tambahkan data."})
    client.force_login(author)
    url = _url("manage:submit", lang, pk=practice.pk)
    page = client.get(url).content.decode()
    assert ROUTE_MEMBER[lang] in page
    assert "langsung ke moderator" not in page and "straight to the ministry" not in page
    response = client.post(url, PAGE_FORM)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == S.AGENCY_REVIEW


@pytest.mark.parametrize("lang", ["id", "en"])
def test_an_agency_admins_resubmission_goes_to_the_ministry_and_the_page_says_so(client, lang):
    admin = agency_admin()
    practice = practice_changes_requested(author=member(), section_comments={"impact": "Tambahkan data."})
    client.force_login(admin)
    url = _url("manage:submit", lang, pk=practice.pk)
    assert ROUTE_ADMIN[lang] in client.get(url).content.decode()
    assert client.post(url, PAGE_FORM).status_code == 302
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).state == S.SUBMITTED


def test_a_first_submission_takes_the_same_route_as_the_page_says():
    practice = practice_draft()
    assert practice_submit(practice_id=practice.pk, by=member()).state == S.AGENCY_REVIEW
    other = practice_draft()
    assert practice_submit(practice_id=other.pk, by=agency_admin()).state == S.SUBMITTED


def test_the_section_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    author = member()
    practice = practice_changes_requested(author=author, section_comments={"impact": "Tambahkan data."})
    for n in range(5):
        Indicator.objects.create(revision_id=practice.working_revision_id, name=f"I{n}", unit="x")
    client.force_login(author)
    with django_assert_max_num_queries(30):
        assert client.get(_url("manage:section", pk=practice.pk, section="impact")).status_code == 200


# The header and the account page ---------------------------------------------------------------------------


def test_the_header_names_the_person_and_links_to_their_account(client):
    person = member(full_name="Contoh: Sari Wulandari")
    client.force_login(person)
    text = client.get(_url("manage:list")).content.decode()
    account = _url("accounts:account")
    assert f'<a href="{account}"><span class="visually-hidden">Akun Anda: </span>Contoh: Sari Wulandari</a>' in text


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_account_page_shows_who_the_person_is_and_links_to_their_settings(client, lang):
    person = member(full_name="Sari Wulandari", email="sari@surabaya.go.id")
    client.force_login(person)
    response = client.get(_url("accounts:account", lang))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Sari Wulandari" in text and "sari@surabaya.go.id" in text
    assert person.memberships.get().agency.name in text
    for name in ("notifications:follows", "accounts:api_token", "accounts:2fa_setup", "accounts:logout"):
        assert _url(name, lang) in text, name
