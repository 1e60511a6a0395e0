"""The permission ladder on every management URL: anonymous, member of another agency, member, agency admin,
moderator. Members and admins of the owning agency may use them; another agency gets 404; moderators never edit."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from agencies.models import Membership
from practices.models import PracticeRevision
from practices.services.attachments import attachment_add
from practices.services.submission import practice_submit
from tests.accounts.factories import moderator
from tests.agencies.factories import BANDUNG, member
from tests.practices.factories import new_practice, revision_complete

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def setup():
    owner = member()
    practice = new_practice(owner)
    attachment = attachment_add(practice_id=practice.pk, uploaded=SimpleUploadedFile("a.pdf", PDF), by=owner)
    return owner, practice, attachment


def _get_urls(practice, attachment):
    pk = {"pk": practice.pk}
    return [
        reverse("manage:section", kwargs={**pk, "section": "identity"}),
        reverse("manage:section", kwargs={**pk, "section": "impact"}),
        reverse("manage:submit", kwargs=pk),
        reverse("manage:attachments", kwargs=pk),
        reverse("manage:compare", kwargs=pk),
    ]


def _post_urls(practice, attachment):
    pk = {"pk": practice.pk}
    return [
        (reverse("manage:section", kwargs={**pk, "section": "problem"}), {"version": 1, "problem": "x"}),
        (reverse("manage:submit", kwargs=pk), {"source": ""}),
        (reverse("manage:revision_new", kwargs=pk), {}),
        (reverse("manage:attachment_delete", kwargs={**pk, "attachment_pk": attachment.pk}), {}),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, setup):
    _owner, practice, attachment = setup
    for url in [reverse("manage:list"), *_get_urls(practice, attachment)]:
        response = client.get(url)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"], url
    for url, data in [(reverse("manage:new"), {}), *_post_urls(practice, attachment)]:
        response = client.post(url, data)
        assert response.status_code == 302 and "/akun/masuk/" in response["Location"], url
    # Downloads are not behind login (published files are public) but a draft's file answers 404.
    assert client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk})).status_code == 404
    assert PracticeRevision.objects.get(pk=practice.working_revision_id).problem == ""


@pytest.mark.parametrize("who", ["other_agency_member", "other_agency_admin", "moderator"])
def test_outsiders_get_404_and_change_nothing(client, setup, who):
    _owner, practice, attachment = setup
    user = {
        "other_agency_member": lambda: member(BANDUNG),
        "other_agency_admin": lambda: member(BANDUNG, Membership.Role.ADMIN),
        "moderator": moderator,
    }[who]()
    client.force_login(user)
    for url in _get_urls(practice, attachment):
        assert client.get(url).status_code == 404, url
    for url, data in _post_urls(practice, attachment):
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk})).status_code == 404
    revision = PracticeRevision.objects.get(pk=practice.working_revision_id)
    assert revision.problem == "" and revision.state == "draft" and practice.attachments.count() == 1
    if who == "moderator":
        # A moderator has no agency: no "my practices" list and no new practice.
        assert client.get(reverse("manage:list")).status_code == 404
        assert client.post(reverse("manage:new")).status_code == 404
    else:
        assert list(client.get(reverse("manage:list")).context["practices"]) == []


@pytest.mark.parametrize("role", [Membership.Role.MEMBER, Membership.Role.ADMIN])
def test_members_and_admins_of_the_agency_use_every_page(client, setup, role):
    _owner, practice, attachment = setup
    user = member(role=role)
    client.force_login(user)
    response = client.get(reverse("manage:list"))
    assert response.status_code == 200 and list(response.context["practices"]) == [practice]
    assert reverse("manage:list") in response.content.decode()  # the "Praktik saya" nav link
    for url in _get_urls(practice, attachment):
        assert client.get(url).status_code == 200, url
    download = client.get(reverse("manage:attachment_download", kwargs={"attachment_pk": attachment.pk}))
    assert download.status_code == 200
    section = reverse("manage:section", kwargs={"pk": practice.pk, "section": "problem"})
    assert client.post(section, {"version": 1, "problem": "Masalah."}).status_code == 302
    delete = reverse("manage:attachment_delete", kwargs={"pk": practice.pk, "attachment_pk": attachment.pk})
    assert client.post(delete).status_code == 302 and not practice.attachments.exists()


def test_a_moderator_may_compare_revisions_once_submitted_but_never_edit(client, setup):
    owner, practice, _attachment = setup
    admin = member(role=Membership.Role.ADMIN)
    revision_complete(practice)
    practice_submit(practice_id=practice.pk, by=admin)
    client.force_login(moderator())
    assert client.get(reverse("manage:compare", kwargs={"pk": practice.pk})).status_code == 200
    assert client.get(reverse("manage:section", kwargs={"pk": practice.pk, "section": "problem"})).status_code == 404
    # The owner still sees the submitted revision, read-only.
    client.force_login(owner)
    response = client.post(
        reverse("manage:section", kwargs={"pk": practice.pk, "section": "problem"}),
        {"version": PracticeRevision.objects.get(pk=practice.working_revision_id).version, "problem": "Diubah"},
    )
    assert response.status_code == 200 and "tidak bisa diubah" in response.content.decode()


def test_pages_work_in_english(client, setup):
    owner, practice, attachment = setup
    client.force_login(owner)
    with translation.override("en"):
        urls = [reverse("manage:list"), *_get_urls(practice, attachment)]
    for url in urls:
        assert url.startswith("/en/")
        response = client.get(url)
        assert response.status_code == 200, url
        assert '<html lang="en">' in response.content.decode()


def test_the_list_page_has_a_fixed_query_budget(client, django_assert_max_num_queries):
    owner = member()
    for _ in range(5):
        new_practice(owner)
    client.force_login(owner)
    client.get(reverse("manage:list"))  # the first request after login also settles the 2FA check
    # session, user, membership, unread notifications, review nav, practices (+ their latest transitions)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("manage:list"))
    assert len(response.context["practices"]) == 5
