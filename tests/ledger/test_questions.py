import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse

from ledger.models import Question
from ledger.selectors import faq_list
from ledger.services import questions as svc
from ledger.services import replication as replication_svc
from ledger.tasks import questions_remind
from tests.accounts.factories import UserFactory
from tests.agencies.factories import member
from tests.i18n import en_url
from tests.practices.factories import published_practice

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def practice():
    return published_practice(agency_code="35.78", slug="surabaya-sapa")


def test_ask_answer_and_publish_as_faq(practice):
    asker, owner = member("32.04"), member("35.78")
    question = svc.question_ask(practice=practice, by=asker, text="Berapa biaya awalnya?")
    assert list(faq_list(practice=practice)) == []
    with pytest.raises(PermissionDenied):
        svc.question_answer(question_id=question.pk, by=asker, answer="Saya jawab sendiri", is_public=True)
    svc.question_answer(question_id=question.pk, by=owner, answer="Sekitar Rp50 juta.", is_public=False)
    assert list(faq_list(practice=practice)) == []  # answered but not public
    svc.question_set_public(question_id=question.pk, by=owner, is_public=True)
    assert [q.answer for q in faq_list(practice=practice)] == ["Sekitar Rp50 juta."]


def test_who_may_ask(practice):
    with pytest.raises(PermissionDenied):
        svc.question_ask(practice=practice, by=UserFactory(), text="?")  # no agency
    with pytest.raises(PermissionDenied):
        svc.question_ask(practice=practice, by=member("35.78"), text="?")  # own practice
    with pytest.raises(ValidationError):
        svc.question_ask(practice=practice, by=member("32.04"), text="   ")


def test_unanswered_question_cannot_be_public_even_bypassing_the_service(practice):
    question = svc.question_ask(practice=practice, by=member("32.04"), text="Apa syaratnya?")
    with pytest.raises(ValidationError):
        svc.question_set_public(question_id=question.pk, by=member("35.78"), is_public=True)
    with pytest.raises(IntegrityError):
        Question.objects.filter(pk=question.pk).update(is_public=True)


def test_reminder_after_seven_days_once(practice, monkeypatch):
    calls = []
    monkeypatch.setattr(svc, "_notify", lambda **kw: calls.append(kw))
    owner = member("35.78")
    with time_machine.travel(T0, tick=False):
        old = svc.question_ask(practice=practice, by=member("32.04"), text="Pertanyaan lama")
    with time_machine.travel(T0 + datetime.timedelta(days=3), tick=False):
        answered = svc.question_ask(practice=practice, by=member("11"), text="Dijawab")
        svc.question_answer(question_id=answered.pk, by=owner, answer="Ya", is_public=False)
        fresh = svc.question_ask(practice=practice, by=member("12"), text="Baru")
    calls.clear()
    with time_machine.travel(T0 + datetime.timedelta(days=6, hours=23), tick=False):
        assert questions_remind() == 0
    with time_machine.travel(T0 + datetime.timedelta(days=7, hours=1), tick=False):
        assert questions_remind() == 1
        assert questions_remind() == 0  # a second beat run does not remind again
    assert [c["kind"] for c in calls] == ["question_reminder"]
    assert calls[0]["recipients"] == [owner] and calls[0]["context"]["question_id"] == old.pk
    fresh.refresh_from_db()
    assert fresh.reminded_at is None


def test_question_pages_ladder(client, practice):
    url = reverse("ledger:question_list", kwargs={"slug": practice.slug})
    assert client.get(url).status_code == 200
    assert client.post(url, {"text": "Halo?"}).status_code == 302 and not Question.objects.exists()
    client.force_login(member("32.04"))
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Bagaimana memulai?"}).status_code == 302
    question = Question.objects.get()
    answer_url = reverse("ledger:question_answer", kwargs={"slug": practice.slug, "pk": question.pk})
    assert client.post(answer_url, {"answer": "Tidak boleh", "is_public": "on"}).status_code == 400
    client.force_login(member("11"))
    assert client.post(answer_url, {"answer": "Bukan urusan", "is_public": "on"}).status_code == 404
    assert "Bagaimana memulai?" not in client.get(url).content.decode()  # other agencies' questions are private
    client.force_login(member("35.78"))
    assert client.post(answer_url, {"answer": "Mulai dari data.", "is_public": "on"}).status_code == 302
    client.logout()
    page = client.get(en_url("ledger:question_list", slug=practice.slug)).content.decode()
    assert "Mulai dari data." in page and "Bagaimana memulai?" in page


def test_notify_is_shared_with_the_replication_service():
    assert svc._notify is replication_svc._notify


def test_a_cached_practice_page_shows_a_new_replication_and_faq_answer(client, practice):
    """The anonymous page is kept in the page cache: starting a replication and answering in the FAQ must make
    it stale, or visitors would see the old ledger for up to an hour."""
    url = reverse("practices:detail", args=[practice.slug])
    client.get(url)
    assert client.get(url)["X-Cache"] == "hit"
    replication_svc.replication_start(source=practice, by=member("32.04"), date=datetime.date(2025, 1, 6))
    page = client.get(url)
    assert page["X-Cache"] == "miss" and "Kabupaten Bandung" in page.content.decode()
    question = svc.question_ask(practice=practice, by=member("32.04"), text="Berapa biaya awalnya?")
    svc.question_answer(question_id=question.pk, by=member("35.78"), answer="Sekitar Rp50 juta.", is_public=True)
    assert "Sekitar Rp50 juta." in client.get(url).content.decode()
    svc.question_set_public(question_id=question.pk, by=member("35.78"), is_public=False)
    assert "Sekitar Rp50 juta." not in client.get(url).content.decode()
