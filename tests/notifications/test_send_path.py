"""The sending path's shortcuts (notifications/services/delivery.py, issue #16's throughput): each message's DATA
written directly with what a batch shares built once, SMTP PIPELINING where the server offers it, one small
write per message and the accepted rows marked sent together, and a lost batch reconciled from its hand-overs.
Through a real aiosmtpd server; every message must arrive exactly once."""

import email
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core.mail import EmailMessage
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications.models import Delivery
from notifications.services import delivery as delivery_services
from notifications.services.delivery import (
    DeliveryError,
    _Composer,
    _email_message,
    _message_bytes,
    deliveries_send_now,
)
from notifications.services.notify import notify
from tests.accounts.factories import user

from .test_batch_sending import Server
from .test_delivery import _free_port


class PipeliningServer(Server):
    """`Server` (test_batch_sending) that offers PIPELINING, as Postfix and Exim do; counts EHLOs."""

    def __init__(self, *, pipelining: bool = True, **options):
        super().__init__(**options)
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses


@pytest.fixture
def smtp(request):
    handler = PipeliningServer(**getattr(request, "param", {}))
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=port
        ):
            yield handler
    finally:
        controller.stop()


def _pending(notes) -> list[Delivery]:
    return list(
        Delivery.objects.filter(notification__in=notes).select_related("notification__recipient").order_by("pk")
    )


def _parsed(data: bytes):
    message = email.message_from_bytes(data, policy=policy.default)
    headers = sorted((name, str(value)) for name, value in message.items() if name != "Date")
    return headers, message.get_content(), message["Date"]


@pytest.mark.django_db
def test_the_direct_message_is_the_one_django_would_build():
    english = user(email="reader@example.com", language="en")
    notes = [
        *notify(recipients=[english, user(email="pembaca@example.com")], kind="published", context={"title": "Izin"}),
        # Email-only follower: the signed link to their follows page too.
        *notify(
            recipients=["warga@example.com"],
            kind="published",
            context={"title": "Izin"},
            unsubscribe_url="/notifikasi/berhenti/abc/",
        ),
        # Needs Django's encoding: a non-ASCII address, and a line too long for 8bit.
        *notify(recipients=["wárga@example.com"], kind="published", context={"title": "Izin"}),
        *notify(recipients=["panjang@example.com"], kind="published", context={"title": "é" * 600}),
    ]
    composer = _Composer()
    for delivery in _pending(notes):
        sender, recipients, data = composer.compose(delivery)
        django_data = _message_bytes(_email_message(delivery))
        assert _parsed(data)[:2] == _parsed(django_data)[:2]
        assert _parsed(data)[2]  # a Date header
        assert sender == "<no-reply@rbx.menpan.go.id>" and len(recipients) == 1
        assert data.endswith(b"\r\n") and all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert len(composer.heads) == 2  # Indonesian and English subjects (the long one went through Django)
    # SMTP's transparency (RFC 5321 4.5.2): a line that starts with "." gets another; lines end with CRLF.
    data = composer._data("Subjek", "a@example.com", {"X-RBX-Delivery": "k"}, ".a\n..b\rc\r\nd")
    assert data.endswith(b"\r\n\r\n..a\r\n...b\r\nc\r\nd\r\n")


@pytest.mark.django_db
def test_a_batch_builds_each_subject_once_and_each_recipient_gets_one_email(smtp, monkeypatch):
    built = []
    real = EmailMessage.message

    def counting(message):
        built.append(message.subject)
        return real(message)

    monkeypatch.setattr(EmailMessage, "message", counting)
    people = [user(email=f"orang{i}@example.com", language="en" if i % 3 == 0 else "id") for i in range(24)]
    notes = notify(recipients=people, kind="published", context={"title": "Izin cepat", "agency": "Kota"})
    assert len({n.subject for n in notes}) == 2  # one per language
    ids = [d.pk for d in _pending(notes)]
    with CaptureQueriesContext(connection) as queries:
        assert deliveries_send_now(delivery_ids=ids) == 24
    assert sorted(built) == sorted({n.subject for n in notes})  # Django built each subject's header once
    assert sorted(smtp.keys()) == sorted(d.key for d in Delivery.objects.filter(pk__in=ids))
    assert smtp.connections() == 1
    # One write per message (its hand-over) and a handful per batch (claim, reconcile check, mark sent).
    hand_overs = [q for q in queries.captured_queries if "SET handed_over_at" in q["sql"]]
    assert len(hand_overs) == 24 and len(queries.captured_queries) <= 24 + 10
    rows = Delivery.objects.filter(pk__in=ids)
    assert {(d.state, d.attempts, d.resends) for d in rows} == {("sent", 1, 0)}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "smtp",
    [{"pipelining": True, "refuse": {"warga2@example.com"}}, {"pipelining": False, "refuse": {"warga2@example.com"}}],
    indirect=True,
)
def test_a_refused_recipient_with_and_without_pipelining(smtp):
    notes = notify(recipients=[f"warga{i}@example.com" for i in range(5)], kind="published", context={"title": "T"})
    ids = [d.pk for d in _pending(notes)]
    with pytest.raises(DeliveryError):
        deliveries_send_now(delivery_ids=ids)
    states = {d.notification.email: (d.state, d.resends) for d in Delivery.objects.filter(pk__in=ids)}
    assert states.pop("warga2@example.com") == ("pending", 0)
    assert set(states.values()) == {("sent", 0)}
    assert smtp.connections() == 1 and len(smtp.received) == 4 and len(set(smtp.keys())) == 4


class _Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs in the worker (see the test)."""


@pytest.mark.django_db
def test_a_batch_killed_mid_way_is_reconciled_each_message_exactly_once(smtp, monkeypatch, settings):
    """Killed right after recording the hand-over of its 4th message, before that message's final ".": the
    server has messages 1-3 (answered 250, not yet marked sent) and a cut-off 4th it discards. After the lease,
    the next claim marks 1-3 sent without sending them again, sends 4 again (a possible duplicate, counted: the
    worker cannot know it was cut off) and 5-6 for the first time. Every message reaches the server once."""
    notes = notify(recipients=[f"warga{i}@example.com" for i in range(6)], kind="published", context={"title": "T"})
    deliveries = _pending(notes)
    ids = [d.pk for d in deliveries]
    real_hand_over = delivery_services._Batch.record_hand_over
    hand_overs = []

    def hand_over_then_die(batch, delivery):
        real_hand_over(batch, delivery)
        hand_overs.append(delivery.pk)
        if len(hand_overs) == 4:
            raise _Killed

    with monkeypatch.context() as killed:
        killed.setattr(delivery_services._Batch, "record_hand_over", hand_over_then_die)
        # A killed process writes nothing more and its socket is simply gone (no QUIT, no final ".").
        killed.setattr(delivery_services._Batch, "record_accepted", lambda batch: None)
        killed.setattr(delivery_services._Batch, "disconnect", lambda batch: batch.backend.connection.sock.close())
        with pytest.raises(_Killed):
            deliveries_send_now(delivery_ids=ids)
    rows = {d.pk: d for d in Delivery.objects.filter(pk__in=ids)}
    assert [rows[pk].state for pk in ids] == ["sending"] * 6
    assert [rows[pk].handed_over_at is not None for pk in ids] == [True] * 4 + [False] * 2
    assert sorted(smtp.keys()) == sorted(d.key for d in deliveries[:3])

    # A duplicated task while the lease runs: nothing.
    assert deliveries_send_now(delivery_ids=ids) == 0
    # The lease expires; the sweeper's task (here a part of the batch first, then all of it) takes over.
    Delivery.objects.filter(pk__in=ids).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert deliveries_send_now(delivery_ids=ids[4:]) == 2  # 5 and 6; reconciles 1-3 although not its own
    assert deliveries_send_now(delivery_ids=ids) == 1  # 4 again
    final = {d.pk: (d.state, d.attempts, d.resends) for d in Delivery.objects.filter(pk__in=ids)}
    assert [final[pk] for pk in ids] == [
        ("sent", 1, 0),
        ("sent", 1, 0),
        ("sent", 1, 0),
        ("sent", 2, 1),
        ("sent", 2, 0),
        ("sent", 2, 0),
    ]
    keys = smtp.keys()
    assert sorted(keys) == sorted(d.key for d in deliveries) and len(keys) == len(set(keys)) == 6
