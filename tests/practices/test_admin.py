"""The Django admin for ministry staff (practices/admin.py): read-mostly pages with a fixed query budget, and the
one write, featuring a published practice on the home page (through the service: audited, caches refreshed)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from agencies.models import Agency
from audit.models import AuditEvent
from practices.models import Attachment, Practice, Review, ReviewAssignment, Screening
from practices.services.submission import practice_create
from tests.accounts.factories import user
from tests.practices.factories import practice_draft, practice_published

MODELS = ["practice", "practicerevision", "review", "screening", "reviewassignment", "attachment"]


@pytest.fixture
def staff(client):
    person = user(is_staff=True, is_superuser=True)
    client.force_login(person)
    return person


def _changelist(model: str) -> str:
    return reverse(f"admin:practices_{model}_changelist")


def _featured_section(client) -> str:
    html = client.get("/").content.decode()
    start = html.find('id="featured-heading"')
    return html[start : html.index('id="latest-heading"')] if start != -1 else ""


def _act(client, action: str, *practices):
    return client.post(
        _changelist("practice"),
        {"action": action, "_selected_action": [p.pk for p in practices], "index": 0},
        follow=True,
    )


@pytest.mark.django_db
def test_staff_features_a_published_practice_and_the_home_page_shows_it_at_once(client, staff):
    practice = practice_published(title="Mal pelayanan publik terpadu")
    assert "Mal pelayanan publik terpadu" not in _featured_section(client)  # and the home page is now cached

    assert b'value="feature"' in client.get(_changelist("practice")).content
    response = _act(client, "feature", practice)
    assert "1 praktik kini ditampilkan di beranda." in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).featured is True
    event = AuditEvent.objects.get(action="practice.featured")
    assert (event.actor_id, event.target_type, event.target_id) == (staff.pk, "practices.practice", str(practice.pk))
    assert "Mal pelayanan publik terpadu" in _featured_section(client)

    _act(client, "feature", practice)  # already featured: nothing changes, nothing more is audited
    assert AuditEvent.objects.filter(action="practice.featured").count() == 1

    response = _act(client, "unfeature", practice)
    assert "1 praktik dihapus dari beranda." in response.content.decode()
    assert AuditEvent.objects.filter(action="practice.unfeatured", actor=staff).count() == 1
    assert "Mal pelayanan publik terpadu" not in _featured_section(client)


@pytest.mark.django_db
def test_a_practice_that_is_not_published_is_refused_with_a_message(client, staff):
    draft = practice_draft(title="Belum terbit")
    public = practice_published(title="Sudah terbit")
    response = _act(client, "feature", draft, public)
    page = response.content.decode()
    assert "belum terbit; hanya praktik yang terbit dapat ditampilkan di beranda." in page
    assert "1 praktik kini ditampilkan di beranda." in page
    assert Practice.objects.get(pk=draft.pk).featured is False
    assert Practice.objects.get(pk=public.pk).featured is True
    assert not AuditEvent.objects.filter(action="practice.featured", target_id=str(draft.pk)).exists()


@pytest.mark.django_db
def test_staff_who_may_only_view_practices_get_no_featured_action(client):
    viewer = user(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_practice"))
    client.force_login(viewer)
    practice = practice_published()
    response = client.get(_changelist("practice"))
    assert response.status_code == 200
    assert b'value="feature"' not in response.content
    _act(client, "feature", practice)
    assert Practice.objects.get(pk=practice.pk).featured is False


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_workflow_records_are_read_only_in_the_admin(client, staff, model):
    """State changes go through the services: no add, no delete, no saving an object's page."""
    rows = _rows(2)
    obj = rows[model][0]
    change = reverse(f"admin:practices_{model}_change", args=[obj.pk])
    page = client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {}).status_code == 403
    assert client.get(reverse(f"admin:practices_{model}_add")).status_code == 403
    assert client.post(reverse(f"admin:practices_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_every_changelist_has_a_fixed_query_budget_for_50_rows(client, staff, model, django_assert_max_num_queries):
    _rows(50)
    with django_assert_max_num_queries(12):
        response = client.get(_changelist(model))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 50
    # The search answers too (title, slug, agency name, ...).
    assert client.get(_changelist(model), {"q": "a"}).status_code == 200


@pytest.mark.django_db
def test_the_practice_list_filters_by_featured_status_theme_agency_kind_and_evidence(client, staff):
    featured = practice_published(title="Unggulan", featured=True, evidence_level="agency_verified")
    practice_published(title="Biasa")
    url = _changelist("practice")
    for query in (
        {"featured__exact": "1"},
        {"status__exact": "published", "featured__exact": "1"},
        {"evidence_level__exact": "agency_verified"},
    ):
        response = client.get(url, query)
        assert [p.pk for p in response.context["cl"].result_list] == [featured.pk], query
    kind = Agency.objects.get(pk=featured.agency_id).kind
    assert (
        client.get(
            url, {"agency__kind__exact": kind, "primary_theme__id__exact": featured.primary_theme_id}
        ).status_code
        == 200
    )


def _rows(count: int) -> dict[str, list]:
    """`count` practices of different agencies (through `practice_create`), each with a screening, a review,
    an assignment and an attachment on its revision: plain rows, what the admin lists (the services that make
    them are tested in their own files)."""
    agencies = list(Agency.objects.order_by("code")[:count])
    reviewer = user()
    rows = {model: [] for model in MODELS}
    for n, agency in enumerate(agencies):
        practice = practice_create(agency=agency, by=reviewer)
        revision = practice.working_revision
        rows["practice"].append(practice)
        rows["practicerevision"].append(revision)
        rows["screening"].append(Screening.objects.create(revision=revision, completeness=0.5, assigned_to=reviewer))
        rows["review"].append(
            Review.objects.create(revision=revision, reviewer=reviewer, total=Decimal("70"), recommendation="approve")
        )
        rows["reviewassignment"].append(
            ReviewAssignment.objects.create(revision=revision, reviewer=reviewer, assigned_by=reviewer)
        )
        rows["attachment"].append(
            Attachment.objects.create(
                practice=practice,
                revision=revision,
                file=f"lampiran/{n}.pdf",
                original_name=f"bukti-{n}.pdf",
                mime_type="application/pdf",
                size=100,
                sha256="0" * 64,
                uploaded_by=reviewer,
            )
        )
    return rows
