"""The people of an agency (issue #16): an admin sees and removes members and manages invitations of their own
agency only (web and API); a removed member's practices and drafts stay; the ministry invites an agency's first
admin (command and Django admin action), refused when there is one."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agencies.models import Agency, Invitation, Membership
from agencies.services.invitations import invitation_create
from audit.models import AuditEvent
from practices.access import practice_can_edit
from practices.models import Practice, PracticeRevision
from tests.accounts.factories import UserFactory, moderator
from tests.agencies.factories import BANDUNG, SURABAYA, agency_admin, member
from tests.practices.factories import practice_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _agency(code):
    return Agency.objects.get(code=code)


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_the_people_page_lists_the_agency_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    admin = agency_admin(SURABAYA, full_name="Admin Surabaya")
    for n in range(5):
        member(SURABAYA, full_name=f"Anggota {n}", position="Analis")
        invitation_create(email=f"calon{n}@surabaya.go.id", agency=_agency(SURABAYA), role="member", by=admin)
    member(BANDUNG, full_name="Orang Bandung")
    client.force_login(admin)
    # Session, user, device check, membership, unread count, members, invitations, session write: none per row.
    with django_assert_max_num_queries(10):
        page = client.get("/instansi/kelola/orang/")
    assert page.status_code == 200
    assert "Anggota 4" in page.text and "calon4@surabaya.go.id" in page.text and "Orang Bandung" not in page.text
    assert client.get("/en/agencies/manage/people/").status_code == 200


def test_only_the_agency_admin_reaches_the_people_pages(client):
    client.force_login(member(SURABAYA))
    for path in ("/instansi/kelola/orang/", "/instansi/kelola/orang/undang/", "/instansi/kelola/moderator/"):
        assert client.get(path).status_code == 404, path
    client.force_login(moderator())
    assert client.get("/instansi/kelola/orang/").status_code == 404
    assert client.get("/instansi/kelola/moderator/").status_code == 404  # a lead moderator's page
    assert Client().get("/instansi/kelola/orang/").status_code == 302


def test_an_admin_cannot_reach_another_agencys_people_on_the_web(client):
    surabaya_admin = agency_admin(SURABAYA)
    bandung_admin = agency_admin(BANDUNG)
    bandung_member = member(BANDUNG)
    bandung_invitation = invitation_create(
        email="calon@bandung.go.id", agency=_agency(BANDUNG), role="member", by=bandung_admin
    )
    client.force_login(surabaya_admin)
    membership = bandung_member.memberships.get()
    assert client.post(f"/instansi/kelola/anggota/{membership.pk}/keluarkan/").status_code == 404
    assert client.post(f"/instansi/kelola/undangan/{bandung_invitation.pk}/kirim-ulang/").status_code == 404
    assert client.post(f"/instansi/kelola/undangan/{bandung_invitation.pk}/batalkan/").status_code == 404
    # Inviting always goes into the admin's own agency, whatever the form carries.
    client.post(
        "/instansi/kelola/orang/undang/",
        {"email": "x@bandung.go.id", "role": "admin", "language": "id", "agency": _agency(BANDUNG).pk},
    )
    assert Invitation.objects.get(email="x@bandung.go.id").agency.code == SURABAYA
    membership.refresh_from_db()
    bandung_invitation.refresh_from_db()
    assert membership.state == "active" and bandung_invitation.revoked_at is None and bandung_invitation.sent_count == 1


def test_an_admin_cannot_reach_another_agencys_people_through_the_api():
    surabaya_admin = agency_admin(SURABAYA)
    bandung_admin = agency_admin(BANDUNG)
    bandung_member = member(BANDUNG, email="staf@bandung.go.id")
    own_member = member(SURABAYA, email="staf@surabaya.go.id")
    bandung_invitation = invitation_create(
        email="calon@bandung.go.id", agency=_agency(BANDUNG), role="member", by=bandung_admin
    )
    api = _api(surabaya_admin)
    members = api.get("/api/v1/members/").json()["results"]
    assert {m["email"] for m in members} == {surabaya_admin.email, "staf@surabaya.go.id"}
    assert api.get("/api/v1/invitations/").json()["results"] == []
    membership = bandung_member.memberships.get()
    assert api.delete(f"/api/v1/members/{membership.pk}/").status_code == 404
    assert api.delete(f"/api/v1/invitations/{bandung_invitation.pk}/").status_code == 404
    assert api.post(f"/api/v1/invitations/{bandung_invitation.pk}/resend/").status_code == 404
    assert Membership.objects.get(pk=membership.pk).state == "active"

    created = api.post("/api/v1/invitations/", {"email": "Baru@Surabaya.go.id", "role": "admin"}, format="json")
    assert created.status_code == 201 and created.json()["email"] == "baru@surabaya.go.id"
    assert Invitation.objects.get(pk=created.json()["id"]).agency.code == SURABAYA
    again = api.post("/api/v1/invitations/", {"email": "baru@surabaya.go.id"}, format="json")
    assert again.status_code == 400 and "email" in again.json()["error"]["fields"]
    assert api.post(f"/api/v1/invitations/{created.json()['id']}/resend/").json()["sent_count"] == 2
    assert api.delete(f"/api/v1/invitations/{created.json()['id']}/").status_code == 204
    assert api.delete(f"/api/v1/members/{own_member.memberships.get().pk}/").status_code == 204
    assert not Membership.objects.active().filter(user=own_member).exists()

    # A member who is not an admin is told why (403); without a token, 401.
    plain = _api(member(SURABAYA))
    listing = plain.get("/api/v1/members/")
    assert listing.status_code == 403 and "admin instansi" in listing.json()["error"]["message"]
    assert plain.post("/api/v1/invitations/", {"email": "y@surabaya.go.id"}, format="json").status_code == 403
    assert APIClient().get("/api/v1/members/").status_code == 401


def test_removing_a_member_keeps_their_practices_and_drafts(client):
    admin = agency_admin(SURABAYA)
    author = member(SURABAYA)
    colleague = member(SURABAYA)
    draft = practice_draft(by=author, title="Draf layanan cepat")
    client.force_login(admin)
    membership = author.memberships.get()
    response = client.post(f"/instansi/kelola/anggota/{membership.pk}/keluarkan/")
    assert response.status_code == 302 and response.url == "/instansi/kelola/orang/"
    membership.refresh_from_db()
    assert membership.state == Membership.State.ENDED
    author.refresh_from_db()
    assert author.is_active  # the account stays
    practice = Practice.objects.get(pk=draft.pk)
    assert practice.agency.code == SURABAYA and practice.working_revision.state == PracticeRevision.State.DRAFT
    assert practice.working_revision.title == "Draf layanan cepat" and practice.created_by == author
    assert practice_can_edit(user=colleague, practice=practice)
    assert not practice_can_edit(user=type(author).objects.get(pk=author.pk), practice=practice)
    event = AuditEvent.objects.get(action="membership.ended")
    assert event.actor == admin and event.data["user_id"] == author.pk


def test_the_last_admin_cannot_be_removed_but_one_of_two_can_leave(client):
    admin = agency_admin(SURABAYA)
    client.force_login(admin)
    own = admin.memberships.get()
    response = client.post(f"/instansi/kelola/anggota/{own.pk}/keluarkan/", follow=True)
    assert "setidaknya satu admin" in response.text
    own.refresh_from_db()
    assert own.state == "active"
    agency_admin(SURABAYA)
    response = client.post(f"/instansi/kelola/anggota/{own.pk}/keluarkan/")
    assert response.status_code == 302 and response.url == "/akun/"
    assert client.get("/instansi/kelola/orang/").status_code == 404  # no longer an admin


def test_resend_and_revoke_from_the_people_page(client):
    admin = agency_admin(SURABAYA)
    invitation = invitation_create(email="calon@surabaya.go.id", agency=_agency(SURABAYA), role="member", by=admin)
    old_hash = invitation.token_hash
    client.force_login(admin)
    assert client.post(f"/instansi/kelola/undangan/{invitation.pk}/kirim-ulang/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.sent_count == 2 and invitation.token_hash != old_hash
    assert client.post(f"/instansi/kelola/undangan/{invitation.pk}/batalkan/").status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = client.post(f"/instansi/kelola/undangan/{invitation.pk}/kirim-ulang/", follow=True)
    assert "tidak bisa dikirim ulang" in page.text
    actions = set(AuditEvent.objects.filter(target_id=str(invitation.pk)).values_list("action", flat=True))
    assert actions == {"invitation.created", "invitation.resent", "invitation.revoked"}


def test_the_moderators_page_lists_moderators_with_their_second_factor(client):
    lead = moderator(lead=True, full_name="Lead Satu")
    moderator(full_name="Moderator Dua")
    invitation_create(email="calon.mod@menpan.go.id", agency=None, ministry_role="moderator", by=lead)
    client.force_login(lead)
    page = client.get("/instansi/kelola/moderator/")
    assert page.status_code == 200
    assert "Moderator Dua" in page.text and "calon.mod@menpan.go.id" in page.text
    # A lead moderator manages the ministry's invitations, not an agency's.
    invitation = Invitation.objects.get()
    assert client.post(f"/instansi/kelola/undangan/{invitation.pk}/batalkan/").url == "/instansi/kelola/moderator/"
    client.force_login(agency_admin(SURABAYA))
    assert client.post(f"/instansi/kelola/undangan/{invitation.pk}/kirim-ulang/").status_code == 404


# The first admin of an agency (the ministry) ---------------------------------------------------------------


def test_the_command_invites_a_first_admin_and_refuses_when_there_is_one(capsys):
    call_command("invite_agency_admin", "35.15", "Admin@Sidoarjokab.go.id")
    invitation = Invitation.objects.get()
    assert (invitation.agency.code, invitation.role, invitation.email) == ("35.15", "admin", "admin@sidoarjokab.go.id")
    assert "invitation sent to admin@sidoarjokab.go.id" in capsys.readouterr().out
    with pytest.raises(CommandError, match="undangan admin yang menunggu"):
        call_command("invite_agency_admin", "35.15", "lain@sidoarjokab.go.id")
    agency_admin(SURABAYA)
    with pytest.raises(CommandError, match="sudah punya admin aktif"):
        call_command("invite_agency_admin", SURABAYA, "kedua@surabaya.go.id")
    with pytest.raises(CommandError, match="No agency"):
        call_command("invite_agency_admin", "99.99", "x@example.go.id")
    assert Invitation.objects.count() == 1


def test_the_admin_action_invites_a_first_admin_and_refuses_when_there_is_one():
    staff = UserFactory(is_staff=True, is_superuser=True)
    staff.save()
    client = Client()
    client.force_login(staff)
    url = "/admin/agencies/agency/"
    sidoarjo = _agency("35.15")
    form = client.post(url, {"action": "invite_first_admin", "_selected_action": [sidoarjo.pk]})
    assert form.status_code == 200 and "Email admin pertama" in form.text
    sent = client.post(
        url,
        {
            "action": "invite_first_admin",
            "_selected_action": [sidoarjo.pk],
            "apply": "1",
            "email": "admin@sidoarjokab.go.id",
            "language": "en",
        },
    )
    assert sent.status_code == 302
    invitation = Invitation.objects.get(agency=sidoarjo)
    assert (invitation.role, invitation.language, invitation.invited_by) == ("admin", "en", staff)

    agency_admin(SURABAYA)
    surabaya = _agency(SURABAYA)
    refused = client.post(
        url,
        {
            "action": "invite_first_admin",
            "_selected_action": [surabaya.pk],
            "apply": "1",
            "email": "kedua@surabaya.go.id",
            "language": "id",
        },
    )
    assert refused.status_code == 200 and "sudah punya admin aktif" in refused.text
    assert not Invitation.objects.filter(agency=surabaya).exists()
    # The invitation and membership admins are read-only lists.
    assert client.get("/admin/agencies/invitation/").status_code == 200
    assert client.get(f"/admin/agencies/invitation/{invitation.pk}/delete/").status_code == 403
    membership = Membership.objects.get(agency=surabaya)
    assert client.get(f"/admin/agencies/membership/{membership.pk}/delete/").status_code == 403
