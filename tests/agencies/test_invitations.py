"""Invitations (issue #16): an agency admin or a lead moderator invites, the person accepts through a single-use
link that expires, sets a password (or signs in with the account they have) and is signed in; moderators enrol
TOTP before anything else. Refused links get a page that says what happened."""

from __future__ import annotations

import email
import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from agencies.models import Agency, Invitation, Membership
from agencies.services.invitations import invitation_create, invitation_resend, invitation_revoke
from audit.models import AuditEvent
from notifications.models import Delivery, Notification
from tests.accounts.factories import moderator, user
from tests.agencies.factories import BANDUNG, SURABAYA, agency_admin, member
from tests.notifications.test_delivery import _wait_for, smtp_server  # noqa: F401 - the SMTP fixture

NEW_PASSWORD = "Kopi-tubruk-pagi-2025"  # noqa: S105 - a test password


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()  # the invitation rate limit's counters
    yield
    cache.clear()


def _token(address: str, n: int = 1) -> str:
    """The token of the n-th invitation email written for `address` (taken from its link, as a person would)."""
    notes = Notification.objects.filter(kind="invitation").order_by("pk")
    notes = [n_ for n_ in notes if (n_.email or n_.recipient.email) == address]
    return notes[n - 1].target_url.rstrip("/").rsplit("/", 1)[1]


def _accept_url(token: str) -> str:
    return f"/instansi/undangan/{token}/"


def _invite(client, address: str, role: str = "member", language: str = "id"):
    return client.post("/instansi/kelola/orang/undang/", {"email": address, "role": role, "language": language})


def _accept(client, token: str, **overrides):
    data = {"full_name": "Sri Wahyuni", "position": "Analis Kebijakan", "new_password1": NEW_PASSWORD}
    data["new_password2"] = data["new_password1"]
    data.update(overrides)
    return client.post(_accept_url(token), data)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["member", "admin"])
def test_an_invited_person_sets_a_password_is_signed_in_and_can_sign_in_again(client, role):
    admin = agency_admin(SURABAYA)
    client.force_login(admin)
    response = _invite(client, "  Sri.Wahyuni@Surabaya.go.id ", role=role)
    assert response.status_code == 302 and response.url == "/instansi/kelola/orang/"

    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.agency.code, invitation.role) == ("sri.wahyuni@surabaya.go.id", SURABAYA, role)
    token = _token("sri.wahyuni@surabaya.go.id")
    # Only the hash is stored; the raw token is nowhere in the row.
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(Invitation.objects.filter(pk=invitation.pk).values().get())
    assert invitation.expires_at - invitation.last_sent_at == timedelta(days=7)
    assert AuditEvent.objects.filter(action="invitation.created", actor=admin, target_id=str(invitation.pk)).exists()
    assert Delivery.objects.filter(notification__kind="invitation").count() == 1

    visitor = Client()
    page = visitor.get(_accept_url(token))
    assert page.status_code == 200 and "Kota Surabaya" in page.text
    # A weak password is refused on its field, with what was typed kept.
    weak = _accept(visitor, token, new_password1="12345678", new_password2="12345678")
    assert weak.status_code == 400 and weak.context["form"].errors["new_password1"]
    assert 'value="Sri Wahyuni"' in weak.text
    mismatch = _accept(visitor, token, new_password2="lain-sekali-123")
    assert mismatch.status_code == 400 and mismatch.context["form"].errors["new_password2"]
    assert not User.objects.filter(email="sri.wahyuni@surabaya.go.id").exists()

    done = _accept(visitor, token)
    assert done.status_code == 302 and done.url == "/kelola/"
    person = User.objects.get(email="sri.wahyuni@surabaya.go.id")
    assert (person.full_name, person.position) == ("Sri Wahyuni", "Analis Kebijakan")
    assert int(visitor.session[SESSION_KEY]) == person.pk
    assert visitor.get("/kelola/").status_code == 200  # signed in, a member of the agency
    membership = Membership.objects.get(user=person)
    assert (membership.agency.code, membership.role, membership.state) == (SURABAYA, role, "active")
    invitation.refresh_from_db()
    assert invitation.accepted_user == person and invitation.accepted_at
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=person).exists()

    # Signed out, the person signs in with the password they chose.
    fresh = Client()
    login = fresh.post("/akun/masuk/", {"username": "SRI.wahyuni@surabaya.go.id", "password": NEW_PASSWORD})
    assert login.status_code == 302 and int(fresh.session[SESSION_KEY]) == person.pk

    # The link works once.
    again = Client().get(_accept_url(token))
    assert again.status_code == 410 and "sudah diterima" in again.text


@pytest.mark.django_db
def test_a_moderator_accepts_and_must_enrol_totp_before_anything_else(client, settings):
    settings.ACCOUNTS_2FA_REQUIRED_FOR_MODERATORS = True
    lead = moderator(lead=True)
    device = TOTPDevice.objects.create(user=lead, name="default", confirmed=True)
    client.force_login(lead)
    session = client.session
    session["otp_device_id"] = device.persistent_id  # the lead passed their own second factor
    session.save()
    response = client.post(
        "/instansi/kelola/moderator/undang/", {"email": "mod.baru@menpan.go.id", "role": "moderator", "language": "en"}
    )
    assert response.status_code == 302 and response.url == "/instansi/kelola/moderator/"
    invitation = Invitation.objects.get()
    assert invitation.agency is None and invitation.ministry_role == "moderator"
    note = Notification.objects.get(kind="invitation")
    assert note.language == "en" and note.subject == "Invitation to become an RBX Portal moderator"

    visitor = Client()
    done = _accept(visitor, _token("mod.baru@menpan.go.id"))
    assert done.status_code == 302
    person = User.objects.get(email="mod.baru@menpan.go.id")
    assert person.is_moderator and not person.is_lead_moderator and person.language == "en"
    # The very next page is the TOTP enrolment, and so is every other page until a device is confirmed.
    landing = visitor.get(done.url)
    assert landing.status_code == 302 and landing.url.startswith("/akun/2fa/?next=")
    for path in ("/", "/tinjauan/antrean/", "/akun/", "/instansi/kelola/moderator/"):
        answer = visitor.get(path)
        assert answer.status_code == 302 and answer.url.startswith("/akun/2fa/"), path
    assert visitor.get("/akun/2fa/").status_code == 200


@pytest.mark.django_db
def test_expired_revoked_tampered_and_replaced_links_get_a_clear_page():
    admin = agency_admin(SURABAYA)
    expired = invitation_create(
        email="lama@surabaya.go.id", agency=admin.memberships.get().agency, role="member", by=admin
    )
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    page = Client().get(_accept_url(_token("lama@surabaya.go.id")))
    assert page.status_code == 410 and "Masa berlaku undangan ini sudah habis" in page.text
    assert _accept(Client(), _token("lama@surabaya.go.id")).status_code == 410
    english = Client().get(f"/en/agencies/invitation/{_token('lama@surabaya.go.id')}/")
    assert english.status_code == 410 and "This invitation has expired" in english.text

    revoked = invitation_create(email="batal@surabaya.go.id", agency=expired.agency, role="member", by=admin)
    invitation_revoke(invitation_id=revoked.pk, by=admin)
    page = Client().get(_accept_url(_token("batal@surabaya.go.id")))
    assert page.status_code == 410 and "sudah dibatalkan" in page.text

    token = _token("lama@surabaya.go.id")
    for tampered in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "a" * 300):
        page = Client().get(_accept_url(tampered))
        assert page.status_code == 404 and "tidak dikenal" in page.text

    # A resend makes a new link; the old one is unknown from then on, the new one works for 7 more days.
    resent = invitation_resend(invitation_id=expired.pk, by=admin)
    assert resent.sent_count == 2 and resent.expires_at > timezone.now() + timedelta(days=6)
    assert Client().get(_accept_url(token)).status_code == 404
    assert Client().get(_accept_url(_token("lama@surabaya.go.id", 2))).status_code == 200
    assert Notification.objects.filter(kind="invitation", email="lama@surabaya.go.id").count() == 2
    assert not User.objects.filter(email__in=["lama@surabaya.go.id", "batal@surabaya.go.id"]).exists()


@pytest.mark.django_db
def test_an_existing_account_accepts_by_signing_in():
    admin = agency_admin(SURABAYA)
    person = user(email="publik@surabaya.go.id")
    invitation_create(email="PUBLIK@surabaya.go.id", agency=admin.memberships.get().agency, role="member", by=admin)
    note = Notification.objects.get(kind="invitation")
    assert note.recipient == person  # the account gets it, in its own language
    url = _accept_url(_token("publik@surabaya.go.id"))

    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Masuk dengan akun itu" in page.text and "new_password1" not in page.text
    assert anonymous.post(url, {"new_password1": "x"}).status_code == 200  # no account is created next to it
    assert User.objects.filter(email="publik@surabaya.go.id").count() == 1

    other = Client()
    other.force_login(user())
    page = other.get(url)
    assert "sedang masuk dengan akun lain" in page.text
    other.post(url)
    assert not Membership.objects.filter(user=person).exists()

    own = Client()
    own.force_login(person)
    response = own.post(url)
    assert response.status_code == 302
    assert Membership.objects.active().get(user=person).agency.code == SURABAYA
    assert own.get(url).status_code == 410


@pytest.mark.django_db
def test_addresses_that_cannot_take_the_invitation_are_refused_clearly(client):
    admin = agency_admin(SURABAYA)
    member(BANDUNG, email="staf@bandung.go.id")
    member(SURABAYA, email="staf@surabaya.go.id")
    moderator(email="mod@menpan.go.id")
    client.force_login(admin)
    for address, message in [
        ("staf@bandung.go.id", "masih anggota instansi lain"),
        ("staf@surabaya.go.id", "sudah menjadi anggota instansi Anda"),
        ("mod@menpan.go.id", "moderator tidak menjadi anggota instansi"),
    ]:
        response = _invite(client, address)
        assert response.status_code == 400 and message in response.context["form"].errors["email"][0], address
    assert _invite(client, "baru@surabaya.go.id").status_code == 302
    twice = _invite(client, "baru@surabaya.go.id")
    assert twice.status_code == 400 and "sudah punya undangan" in twice.context["form"].errors["email"][0]
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_the_database_allows_one_open_invitation_per_address_and_agency():
    from django.db import IntegrityError, transaction

    agency = Agency.objects.get(code=SURABAYA)
    now = timezone.now()
    fields = {"email": "x@surabaya.go.id", "expires_at": now + timedelta(days=7), "last_sent_at": now}
    Invitation.objects.create(agency=agency, role="member", token_hash="a" * 64, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(agency=agency, role="admin", token_hash="b" * 64, **fields)
    Invitation.objects.create(ministry_role="moderator", token_hash="c" * 64, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # the ministry counts as one "agency"
        Invitation.objects.create(ministry_role="lead", token_hash="d" * 64, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # an agency invitation with a ministry role
        Invitation.objects.create(agency=agency, role="member", ministry_role="lead", token_hash="e" * 64, **fields)


@pytest.mark.django_db
@override_settings(RATELIMIT_RATES={"invitation-send": "2/h"})
def test_invitations_and_resends_are_rate_limited_per_admin(client):
    client.force_login(agency_admin(SURABAYA))
    assert _invite(client, "a@surabaya.go.id").status_code == 302
    resend = client.post(f"/instansi/kelola/undangan/{Invitation.objects.get().pk}/kirim-ulang/")
    assert resend.status_code == 302
    refused = _invite(client, "b@surabaya.go.id")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert Invitation.objects.count() == 1
    assert client.get("/instansi/kelola/orang/").status_code == 200  # reading is not limited


# Through the real worker and a real SMTP server ------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_invitation_email_reaches_the_smtp_server_with_a_working_link(celery_worker, smtp_server, settings):  # noqa: F811
    admin = agency_admin(SURABAYA, language="en")
    client = Client()
    client.force_login(admin)
    assert _invite(client, "undangan@surabaya.go.id", language="en").status_code == 302
    assert _wait_for(lambda: len(smtp_server.messages) == 1)
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["undangan@surabaya.go.id"]
    message = email.message_from_bytes(envelope.content)
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    assert subject == "Invitation to join Pemerintah Kota Surabaya on RBX Portal"
    body = message.get_payload(decode=True).decode()
    link = next(line for line in body.splitlines() if line.startswith(settings.SITE_URL))
    assert "/instansi/undangan/" in link and "valid for 7 days" in body
    path = link[len(settings.SITE_URL) :]
    visitor = Client()
    assert visitor.get(path).status_code == 200
    assert _accept(visitor, path.rstrip("/").rsplit("/", 1)[1]).status_code == 302
    assert Membership.objects.active().filter(user__email="undangan@surabaya.go.id", agency__code=SURABAYA).exists()
