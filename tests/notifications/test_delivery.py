"""The email outbox (notifications/services/delivery.py): sent once through a real SMTP server, retried, queued
again by the sweeper when the broker was down, reconciled after a lost worker."""

import email
import socket
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from common.breaker import breakers_reset
from notifications.models import Delivery
from notifications.services.delivery import (
    DeliveryError,
    deliveries_requeue,
    delivery_message_id,
    delivery_send_now,
)
from notifications.services.notify import notify
from notifications.tasks import delivery_send
from practices.models import Practice, PracticeRevision
from tests.accounts.factories import moderator
from tests.agencies.factories import member
from tests.practices.factories import practice_in_state, verified

S = PracticeRevision.State


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collector()
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


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.django_db
def test_an_email_goes_through_a_real_smtp_server_once_in_the_recipients_language(smtp_server, settings):
    user = member(language="en")
    [notification] = notify(
        recipients=[user, user], kind="published", context={"title": "Izin cepat", "agency": "Kota"}, target_url="/t/1/"
    )
    delivery = notification.deliveries.get()
    assert delivery_send_now(delivery_id=delivery.pk) is True
    assert delivery_send_now(delivery_id=delivery.pk) is False  # a second run finds it sent
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == [user.email]
    message = email.message_from_bytes(envelope.content)
    assert str(email.header.make_header(email.header.decode_header(message["Subject"]))) == (
        "Practice “Izin cepat” published"
    )
    assert message["X-RBX-Delivery"] == delivery.key
    body = message.get_payload(decode=True).decode()
    assert "approved and is now shown on the portal" in body and f"{settings.SITE_URL}/t/1/" in body
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.SENT, 1) and delivery.sent_at


@pytest.mark.django_db
def test_an_unreachable_smtp_server_records_the_attempt_and_asks_for_a_retry():
    [notification] = notify(recipients=["publik@example.com"], kind="published", context={"title": "T", "agency": "A"})
    delivery = notification.deliveries.get()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=_free_port()
    ):
        with pytest.raises(DeliveryError):
            delivery_send_now(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (Delivery.State.PENDING, 1)
    assert "ConnectionRefusedError" in delivery.last_error


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_duplicated_delivery_task_sends_once(celery_worker):
    user = member()
    [notification] = notify(recipients=[user], kind="rejected", context={"title": "T", "agency": "A", "comment": "x"})
    delivery = notification.deliveries.get()
    # notify ran outside a transaction, so its on-commit queueing already happened; queue two duplicates.
    delivery_send.delay(delivery.pk)
    delivery_send.delay(delivery.pk)
    assert _wait_for(lambda: Delivery.objects.get(pk=delivery.pk).state == Delivery.State.SENT)
    time.sleep(1.5)  # let the duplicates run
    assert len(mail.outbox) == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_during_a_decision_saves_it_and_the_sweeper_delivers_exactly_once(
    celery_worker, client, monkeypatch
):
    from rbx_portal.celery import app

    practice = verified(practice_in_state(S.IN_REVIEW), "agency_verified")
    mod = moderator()
    client.force_login(mod)
    with monkeypatch.context() as broken:
        # Point publishing at a closed port: a fresh connection pool is built from the broken URL.
        broken.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
        broken.setattr(app, "_pool", None)
        broken.setattr(app.amqp, "_producer_pool", None)
        with translation.override("id"):
            url = reverse("review:decide", args=[practice.pk])
        response = client.post(url, {"decision-decision": "approve", "decision-evidence_level": "agency_verified"})
        assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).status == Practice.Status.PUBLISHED
    pending = list(Delivery.objects.filter(state=Delivery.State.PENDING))
    assert pending and all(d.queued_at is None for d in pending)
    time.sleep(1)
    assert mail.outbox == []

    # The broker is back (and, as the 5 s after a refusal would, the breaker lets requests try it again): the
    # sweeper queues them, the worker sends each once.
    breakers_reset()
    assert deliveries_requeue(older_than=timedelta(0)) == len(pending)
    assert _wait_for(lambda: not Delivery.objects.filter(state=Delivery.State.PENDING).exists())
    assert deliveries_requeue(older_than=timedelta(0)) == 0
    time.sleep(1)
    assert len(mail.outbox) == len(pending)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.notification.recipient.email for d in pending)


@pytest.mark.django_db
def test_a_lost_sender_is_reconciled_by_whether_it_handed_the_message_over():
    from django.utils import timezone

    def sending(**fields):
        [n] = notify(recipients=["publik@example.com"], kind="published", context={"title": "T", "agency": "A"})
        delivery = n.deliveries.get()
        Delivery.objects.filter(pk=delivery.pk).update(state="sending", attempts=1, **fields)
        return delivery

    now = timezone.now()
    live = sending(lease_until=now + timedelta(minutes=1))
    assert delivery_send_now(delivery_id=live.pk) is False  # someone else holds the claim
    assert deliveries_requeue(older_than=timedelta(hours=1)) == 0
    before = sending(lease_until=now - timedelta(seconds=1))
    after = sending(lease_until=now - timedelta(seconds=1), handed_over_at=now - timedelta(minutes=1))
    mail.outbox.clear()
    legacy = sending(lease_until=now - timedelta(seconds=1))
    Delivery.objects.filter(pk=legacy.pk).update(
        state="uncertain", lease_until=None
    )  # marked by the earlier rule: not resent then
    assert delivery_send_now(delivery_id=before.pk) is True  # the server never had it: sent now
    # The server may or may not have it (the kill fell between the hand-over and the reply): a loss is worse
    # than a duplicate, so it is sent again under the same Message-ID, and counted.
    assert delivery_send_now(delivery_id=after.pk) is True
    assert delivery_send_now(delivery_id=legacy.pk) is True
    assert len(mail.outbox) == 3
    assert {d.pk: (d.state, d.resends) for d in Delivery.objects.filter(pk__in=[before.pk, after.pk, legacy.pk])} == {
        before.pk: ("sent", 0),
        after.pk: ("sent", 1),
        legacy.pk: ("sent", 1),
    }
    ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert ids == {delivery_message_id(d) for d in (before, after, legacy)}
    assert Delivery.objects.get(pk=live.pk).state == "sending"


@pytest.mark.django_db
def test_the_sweeper_queues_what_the_broker_never_took_within_seconds_not_minutes():
    from django.utils import timezone

    [n] = notify(recipients=["publik@example.com"], kind="published", context={"title": "T", "agency": "A"})
    delivery = n.deliveries.get()
    # As when the broker refused it at commit: pending, never queued.
    Delivery.objects.filter(pk=delivery.pk).update(queued_at=None, created_at=timezone.now() - timedelta(seconds=5))
    assert deliveries_requeue() == 0  # still within the commit hook's own chance
    Delivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - timedelta(seconds=11))
    assert deliveries_requeue() == 1  # not five minutes later
    assert Delivery.objects.get(pk=delivery.pk).queued_at is not None
    assert deliveries_requeue() == 0  # queued once; the task's claim does the rest


@pytest.mark.django_db
def test_the_final_dot_is_not_held_back_by_nagles_algorithm(smtp_server, monkeypatch):
    """The message and its final "." are separate writes; without TCP_NODELAY the second waited for the
    server's delayed ACK (~40 ms per email on Linux)."""
    import smtplib

    nodelay = []
    real_send = smtplib.SMTP.send

    def send(self, data):
        nodelay.append(self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        return real_send(self, data)

    monkeypatch.setattr(smtplib.SMTP, "send", send)
    [notification] = notify(recipients=["publik@example.com"], kind="published", context={"title": "T", "agency": "A"})
    assert delivery_send_now(delivery_id=notification.deliveries.get().pk) is True
    assert nodelay and all(nodelay) and len(smtp_server.messages) == 1
