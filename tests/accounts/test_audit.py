"""The audit log: the service, login events, refused access, and the read-only admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import path

from accounts.models import User
from agencies.models import Agency
from audit.models import AuditEvent
from audit.services import audit_record
from rbx_portal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-uji-123"


def _denied(request):
    raise PermissionDenied


def _hidden(request):
    raise Http404


def _ok(request):
    return HttpResponse("ok")


# The portal's own URLs too: the styled 403 and 404 pages link to its navigation.
urlpatterns = [
    path("ditolak/", _denied, name="denied"),
    path("tersembunyi/", _hidden),
    path("ok/", _ok),
    *portal_urlpatterns,
]


def test_audit_record_stores_actor_target_ip_and_data():
    user = User.objects.create_user(email="moderator@menpan.go.id", password=PASSWORD)
    agency = Agency.objects.get(code="35.78")
    request = RequestFactory().post("/x/", REMOTE_ADDR="203.0.113.7")
    request.user = user

    event = audit_record(actor=None, action="practice.approved", target=agency, data={"note": "ok"}, request=request)
    event.refresh_from_db()
    assert (event.actor, event.actor_email, event.action) == (user, user.email, "practice.approved")
    assert (event.target_type, event.target_id) == ("agencies.agency", str(agency.pk))
    assert event.ip == "203.0.113.7" and event.data == {"note": "ok"} and event.created_at is not None


def test_logins_are_audited(client):
    user = User.objects.create_user(email="staf@surabaya.go.id", password=PASSWORD)
    client.post("/akun/masuk/", {"username": user.email, "password": "salah"}, REMOTE_ADDR="198.51.100.1")
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.actor is None and failed.data == {"username": user.email} and failed.ip == "198.51.100.1"
    assert "salah" not in str(failed.data)

    client.post("/akun/masuk/", {"username": user.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.1")
    succeeded = AuditEvent.objects.get(action="login.succeeded")
    assert succeeded.actor == user and succeeded.target_id == str(user.pk)


@pytest.mark.urls("tests.accounts.test_audit")
def test_permission_denied_and_hidden_objects_are_audited(client):
    user = User.objects.create_user(email="ingin-tahu@example.go.id", password=PASSWORD)
    assert client.get("/ditolak/").status_code == 403
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.actor is None and denied.data["path"] == "/ditolak/" and denied.data["view"] == "denied"

    # Anonymous 404s are noise and are not recorded; a logged-in user's are.
    assert client.get("/tersembunyi/").status_code == 404
    assert not AuditEvent.objects.filter(action="access.not_found").exists()
    client.force_login(user)
    assert client.get("/tersembunyi/").status_code == 404
    assert AuditEvent.objects.get(action="access.not_found").actor == user
    assert client.get("/ok/").status_code == 200
    assert AuditEvent.objects.filter(action__startswith="access.").count() == 2


def test_admin_shows_the_audit_log_read_only(client):
    admin = User.objects.create_superuser(email="admin@menpan.go.id", password=PASSWORD)
    event = audit_record(actor=admin, action="practice.approved")
    client.force_login(admin)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
