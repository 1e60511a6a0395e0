"""Follows (notifications/services/follows.py): themes, provinces and agencies; the pages; double opt-in by
email; unsubscribe without login. Who a publish tells is in test_fanout.py, digests in test_digests.py."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from notifications.models import Delivery, Follow, Notification
from notifications.services.delivery import delivery_send_now
from notifications.services.follows import follow_set
from practices.models import PracticeRevision, Theme
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state

from .factories import approve, email_follow, jatim, surabaya, theme

pytestmark = pytest.mark.django_db
S = PracticeRevision.State


# Database constraints -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"email": ""},  # neither a user nor an email
        {"email": "a@example.com", "with_user": True},  # both
        {"email": "a@example.com", "kind": "agency"},  # kind does not match the target
        {"email": "A@example.com"},  # emails are stored lower-case
    ],
)
def test_the_database_refuses_an_inconsistent_follow(fields):
    fields = dict(fields)
    user = member() if fields.pop("with_user", False) else None
    kind = fields.pop("kind", "theme")
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(user=user, kind=kind, theme=theme(), token="t1", **fields)


def test_a_follower_follows_a_target_once():
    user = member()
    Follow.objects.create(user=user, kind="theme", theme=theme(), token="t1")
    Follow.objects.create(email="a@example.com", kind="theme", theme=theme(), token="t2")
    Follow.objects.create(user=user, kind="agency", agency=surabaya(), token="t3")  # another target is fine
    for dup in [{"user": user}, {"email": "a@example.com"}]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Follow.objects.create(kind="theme", theme=theme(), token="t9", **dup)


# Following from the pages ---------------------------------------------------------------------------------


def test_a_user_follows_a_theme_from_its_page_and_manages_it_on_my_follows(client):
    user = member()
    client.force_login(user)
    theme_url = reverse("practices:theme", args=["kemiskinan"])
    page = client.get(theme_url)
    assert page.status_code == 200 and 'action="/notifikasi/langganan/ikuti/"' in page.text
    response = client.post(
        reverse("notifications:follow"),
        {"kind": "theme", "target": theme().pk, "frequency": "daily", "next": theme_url},
    )
    assert response.status_code == 302 and response["Location"] == theme_url
    follow = Follow.objects.get(user=user)
    assert (follow.kind, follow.theme, follow.frequency, follow.is_confirmed) == ("theme", theme(), "daily", True)
    assert "Anda mengikuti ini." in client.get(theme_url).text
    # The same button again changes the frequency instead of adding a second follow.
    client.post(reverse("notifications:follow"), {"kind": "theme", "target": theme().pk, "frequency": "weekly"})
    assert Follow.objects.get(user=user).frequency == "weekly"

    listing = client.get(reverse("notifications:follows"))
    assert listing.status_code == 200 and theme().name in listing.text
    assert client.get("/en/notifications/subscriptions/").status_code == 200
    client.post(reverse("notifications:follow_change", args=[follow.pk]), {f"f{follow.pk}-frequency": "off"})
    assert Follow.objects.get(pk=follow.pk).frequency == "off"
    other = Follow.objects.create(user=member(), kind="theme", theme=theme(), token="other")
    client.post(reverse("notifications:follow_change", args=[other.pk]), {f"f{other.pk}-delete": "on"})
    assert Follow.objects.filter(pk=other.pk).exists()  # not theirs: untouched
    client.post(reverse("notifications:follow_change", args=[follow.pk]), {f"f{follow.pk}-delete": "on"})
    assert not Follow.objects.filter(pk=follow.pk).exists()


def test_follow_buttons_on_agency_pages_cover_the_agency_and_its_province(client):
    user = member()
    client.force_login(user)
    page = client.get(reverse("agencies:detail", args=[surabaya().slug]))
    assert page.status_code == 200
    assert f'name="target" value="{surabaya().pk}"' in page.text and f'name="target" value="{jatim().pk}"' in page.text
    client.post(reverse("notifications:follow"), {"kind": "province", "target": jatim().pk, "frequency": "immediate"})
    assert Follow.objects.get(user=user).province == jatim()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "theme", "target": 999999, "frequency": "daily"},
        {"kind": "province", "target": "35.78", "frequency": "daily"},
        {"kind": "theme", "target": 1, "frequency": "hourly"},
        {"kind": "region", "target": 1, "frequency": "daily"},
        {},
    ],
)
def test_bad_follow_input_is_refused_without_a_500(client, data):
    client.force_login(member())
    assert client.post(reverse("notifications:follow"), data).status_code == 302
    assert not Follow.objects.exists()


def test_follow_pages_need_login(client):
    assert client.get(reverse("notifications:follows")).status_code == 302
    assert client.post(reverse("notifications:follow"), {"kind": "theme", "target": theme().pk}).status_code == 302


def test_the_public_follow_by_email_with_double_opt_in(client):
    anon_page = client.get(reverse("practices:theme", args=["kemiskinan"]))
    assert 'action="/notifikasi/langganan/email/"' in anon_page.text
    data = {"kind": "theme", "target": theme().pk, "frequency": "immediate", "email": "Warga@Example.com"}
    response = client.post(reverse("notifications:follow_email"), data)
    assert response.status_code == 200 and "Periksa email Anda" in response.text
    follow = Follow.objects.get(email="warga@example.com")
    assert follow.confirmed_at is None
    [confirm] = Notification.objects.filter(email="warga@example.com", kind="follow_confirm")
    assert confirm.target_url == reverse("notifications:follow_confirm", args=[follow.token])

    # Not confirmed yet: a publish tells nobody at that address.
    approve(practice_in_state(S.IN_REVIEW))
    assert not Notification.objects.filter(email="warga@example.com", kind="follow_published").exists()

    page = client.get(confirm.target_url)  # a link scanner's GET does not confirm
    assert page.status_code == 200 and "Ya, aktifkan langganan" in page.text
    assert Follow.objects.get(pk=follow.pk).confirmed_at is None
    assert client.post(confirm.target_url).status_code == 200
    assert Follow.objects.get(pk=follow.pk).confirmed_at is not None

    approve(practice_in_state(S.IN_REVIEW))
    assert Notification.objects.filter(email="warga@example.com", kind="follow_published").count() == 1
    assert client.get(reverse("notifications:follow_confirm", args=["bukan-token"])).status_code == 404


def test_the_email_form_keeps_what_was_typed_and_does_not_500(client):
    response = client.post(
        reverse("notifications:follow_email"),
        {"kind": "theme", "target": theme().pk, "frequency": "daily", "email": "bukan email"},
    )
    assert response.status_code == 400 and 'value="bukan email"' in response.text
    assert client.post(reverse("notifications:follow_email"), {"target": "x"}).status_code == 400
    assert client.get(reverse("notifications:follow_email") + "?kind=theme&target=abc").status_code == 200
    assert client.get(f"/en/notifications/subscriptions/email/?kind=theme&target={theme().pk}").status_code == 200
    assert not Follow.objects.exists()


# Unsubscribing without login ------------------------------------------------------------------------------


def test_follower_emails_carry_a_one_click_unsubscribe_that_works_without_login():
    follow = email_follow("warga@example.com", language="en")
    approve(practice_in_state(S.IN_REVIEW))
    delivery = Delivery.objects.get(notification__email="warga@example.com")
    mail.outbox.clear()
    assert delivery_send_now(delivery_id=delivery.pk)
    [message] = mail.outbox
    url = f"{settings.SITE_URL}/notifikasi/berhenti/{follow.token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body and "Unsubscribe (no login needed)" in message.body
    assert message.subject.startswith("New practice")

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/notifikasi/berhenti/{follow.token}/")
    assert page.status_code == 200 and Follow.objects.get(pk=follow.pk).frequency == "immediate"
    # RFC 8058: the mail provider POSTs this body, with no cookie and no CSRF token.
    response = client.post(
        f"/notifikasi/berhenti/{follow.token}/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Follow.objects.get(pk=follow.pk).frequency == "off"
    assert client.post("/notifikasi/berhenti/tidak-ada/").status_code == 404


def test_unsubscribe_everything_stops_all_follows_of_that_person_only(client):
    a = email_follow("a@example.com")
    email_follow("a@example.com", kind="agency", target=surabaya(), frequency="daily")
    b = email_follow("b@example.com")
    client.post(f"/notifikasi/berhenti/{a.token}/?semua=1")
    assert set(Follow.objects.filter(email="a@example.com").values_list("frequency", flat=True)) == {"off"}
    assert Follow.objects.get(pk=b.pk).frequency == "immediate"


def test_demo_follows_are_loaded_once():
    from django.core.management import call_command

    from demo.management.commands.load_demo_data import load_demo_follows

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    count = Follow.objects.count()
    assert count == 3 and load_demo_follows() == 3 and Follow.objects.count() == count
    assert Follow.objects.active().count() == 3


def test_my_follows_page_has_a_fixed_query_budget(client, django_assert_max_num_queries):
    """ "Langganan saya" costs the same with 2 follows as with 9: the targets come with the follows (5 queries:
    session, user, follows, memberships, unread count), so a query per row would fail here."""
    user = member()
    client.force_login(user)
    client.get(reverse("notifications:follows"))  # the first request after login also settles the 2FA check
    follow_set(user=user, kind="theme", target=theme(), frequency="daily")
    follow_set(user=user, kind="agency", target=surabaya(), frequency="immediate")
    with django_assert_max_num_queries(5):
        assert client.get(reverse("notifications:follows")).status_code == 200
    others = list(Theme.objects.exclude(pk=theme().pk)[:4])
    for other in others:
        follow_set(user=user, kind="theme", target=other, frequency="weekly")
    follow_set(user=user, kind="province", target=jatim(), frequency="daily")
    for agency in Agency.objects.exclude(pk=surabaya().pk).order_by("pk")[:2]:
        follow_set(user=user, kind="agency", target=agency, frequency="off")
    with django_assert_max_num_queries(5):
        response = client.get(reverse("notifications:follows"))
    assert response.status_code == 200 and Follow.objects.filter(user=user).count() == 9
    assert jatim().name in response.text and all(other.name in response.text for other in others)
