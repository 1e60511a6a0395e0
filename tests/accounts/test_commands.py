import re

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from agencies.models import Membership

pytestmark = pytest.mark.django_db


def test_add_member_creates_account_and_prints_a_working_one_time_link(client, capsys):
    call_command("add_member", "Staf@Surabaya.go.id", "35.78", "--role", "admin")
    out = capsys.readouterr().out
    user = User.objects.get(email="staf@surabaya.go.id")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.agency.code, membership.role, membership.state) == ("35.78", "admin", "active")

    path = re.search(r"https?://[^/]+(/\S+)", out).group(1)
    response = client.get(path, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "Reformasi-2026!", "new_password2": "Reformasi-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reformasi-2026!")
    # The link is single-use.
    assert client.get(path, follow=True).context["validlink"] is False


def test_add_member_with_password_and_a_move_to_another_agency_keeps_one_open_membership(capsys):
    call_command("add_member", "a@b.go.id", "35.78", "--password", "Sandi-Panjang-1")
    call_command("add_member", "a@b.go.id", "32.04", "--role", "member", "--password", "Sandi-Panjang-1")
    user = User.objects.get(email="a@b.go.id")
    assert user.check_password("Sandi-Panjang-1")
    assert "one-time" not in capsys.readouterr().out
    open_ = Membership.objects.filter(user=user).exclude(state="ended")
    assert [m.agency.code for m in open_] == ["32.04"]
    assert Membership.objects.filter(user=user, state="ended").count() == 1


def test_add_member_unknown_agency_is_a_clear_error():
    with pytest.raises(CommandError, match="No agency with code"):
        call_command("add_member", "a@b.go.id", "99.99")
    assert not User.objects.filter(email="a@b.go.id").exists()


def test_add_moderator_and_lead(capsys):
    call_command("add_moderator", "mod@menpan.go.id", "--password", "Sandi-Panjang-1")
    mod = User.objects.get(email="mod@menpan.go.id")
    assert mod.is_moderator and not mod.is_lead_moderator
    call_command("add_moderator", "mod@menpan.go.id", "--lead")
    mod.refresh_from_db()
    assert mod.is_lead_moderator and mod.is_moderator
    assert "one-time password-set link" in capsys.readouterr().out
    assert User.objects.filter(email__iexact="mod@menpan.go.id").count() == 1


def test_login_with_email(client):
    call_command("add_member", "login@b.go.id", "35.78", "--password", "Sandi-Panjang-1")
    bad = client.post("/akun/masuk/", {"username": "login@b.go.id", "password": "salah"})
    assert bad.status_code == 200
    assert "Email atau kata sandi salah" in bad.content.decode()
    ok = client.post("/akun/masuk/", {"username": "login@b.go.id", "password": "Sandi-Panjang-1"})
    assert ok.status_code == 302
