"""Sending the email outbox in batches (notifications/services/delivery.py `deliveries_send_now`): one SMTP
connection per batch, each message exactly once, a refused recipient or a dropped connection costing only what
it must. Through a real aiosmtpd server that tells connections apart, and a real worker for the queueing."""

import asyncio
import email
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from common.breaker import breakers_reset
from notifications.models import Delivery
from notifications.services import delivery as delivery_services
from notifications.services.delivery import (
    MAX_ATTEMPTS,
    DeliveryError,
    deliveries_requeue,
    deliveries_send_now,
)
from notifications.services.notify import notify

from .test_delivery import _free_port, _wait_for


class Server:
    """Accepts every message and remembers, per message, the connection it came over (the client's address and
        port) and its delivery key. `refuse` recipients get 550 at RCPT; the connection is dropped, without a reply,
        after the message numbered `drop_after` has been received (the server keeps it, as a real MTA would); each
    answer to DATA can wait `delay` seconds."""

    def __init__(self, *, refuse=(), drop_after: int | None = None, delay: float = 0.0):
        self.refuse = set(refuse)
        self.drop_after = drop_after
        self.delay = delay
        self.received: list[tuple[tuple, str]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        key = email.message_from_bytes(envelope.content)["X-RBX-Delivery"]
        self.received.append((session.peer, key))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop_after is not None and len(self.received) == self.drop_after:
            self.drop_after = None
            server.transport.abort()  # gone before the 250
        return "250 OK"

    def connections(self) -> int:
        return len({peer for peer, _key in self.received})

    def keys(self) -> list[str]:
        return [key for _peer, key in self.received]


def _per_connection(received) -> list[int]:
    """How many messages each connection carried."""
    counts: dict = {}
    for peer, _key in received:
        counts[peer] = counts.get(peer, 0) + 1
    return list(counts.values())


@pytest.fixture
def smtp(request):
    """A running `Server` (its options from `@pytest.mark.parametrize("smtp", [{...}], indirect=True)`), with
    Django's SMTP backend pointed at it."""
    handler = Server(**getattr(request, "param", {}))
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


def _deliveries(count: int, *, start: int = 0) -> list[Delivery]:
    """`count` pending deliveries to email-only recipients. In the test's transaction, so nothing is queued:
    the tests call the sender themselves."""
    notes = notify(
        recipients=[f"warga{start + i}@example.com" for i in range(count)],
        kind="published",
        context={"title": "Izin cepat", "agency": "Kota"},
    )
    return list(Delivery.objects.filter(notification__in=notes).order_by("pk"))


def _states(deliveries) -> dict[str, tuple]:
    rows = Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).select_related("notification")
    return {d.notification.email: (d.state, d.attempts, d.resends) for d in rows}


@pytest.mark.django_db
def test_a_batch_goes_over_one_connection_each_message_once(smtp):
    deliveries = _deliveries(25)
    assert deliveries_send_now(delivery_ids=[d.pk for d in deliveries]) == 25
    assert smtp.connections() == 1
    assert sorted(smtp.keys()) == sorted(d.key for d in deliveries)
    assert set(_states(deliveries).values()) == {("sent", 1, 0)}
    assert all(d.sent_at and d.lease_until is None for d in Delivery.objects.filter(pk__in=[d.pk for d in deliveries]))
    # A duplicated task finds them sent: nothing more reaches the server.
    assert deliveries_send_now(delivery_ids=[d.pk for d in deliveries]) == 0
    assert len(smtp.received) == 25


@pytest.mark.django_db
@pytest.mark.parametrize("smtp", [{"refuse": {"warga2@example.com"}}], indirect=True)
def test_a_refused_recipient_is_retried_alone_and_the_rest_of_the_batch_goes_on(smtp):
    deliveries = _deliveries(5)
    ids = [d.pk for d in deliveries]
    with pytest.raises(DeliveryError):  # the task retries with backoff
        deliveries_send_now(delivery_ids=ids)
    states = _states(deliveries)
    assert states.pop("warga2@example.com") == ("pending", 1, 0)
    assert set(states.values()) == {("sent", 1, 0)}
    assert smtp.connections() == 1 and len(smtp.received) == 4
    refused = Delivery.objects.get(notification__email="warga2@example.com")
    assert "550" in refused.last_error
    # The task's retry claims only what is still pending; after the last attempt the row fails for good.
    Delivery.objects.filter(pk=refused.pk).update(attempts=MAX_ATTEMPTS - 1)
    assert deliveries_send_now(delivery_ids=ids) == 0
    assert Delivery.objects.get(pk=refused.pk).state == "failed"
    assert len(smtp.received) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("smtp", [{"drop_after": 3}], indirect=True)
def test_a_connection_dropped_mid_batch_loses_nothing_and_counts_the_possible_duplicate(smtp):
    deliveries = _deliveries(6)
    ids = [d.pk for d in deliveries]
    with pytest.raises(DeliveryError):
        deliveries_send_now(delivery_ids=ids)
    states = _states(deliveries)
    # Two sent; the third was complete at the server but its 250 never came: pending, a counted resend; the
    # three not tried are pending with their attempt given back.
    assert [states[f"warga{i}@example.com"] for i in range(6)] == [
        ("sent", 1, 0),
        ("sent", 1, 0),
        ("pending", 1, 1),
        ("pending", 0, 0),
        ("pending", 0, 0),
        ("pending", 0, 0),
    ]
    assert deliveries_send_now(delivery_ids=ids) == 4  # the task's retry: a new connection
    assert set(_states(deliveries).values()) == {("sent", 1, 0), ("sent", 2, 1)}
    keys = smtp.keys()
    assert sorted(set(keys)) == sorted(d.key for d in deliveries)  # nothing lost
    assert len(keys) - len(set(keys)) == 1 == sum(r for _s, _a, r in _states(deliveries).values())
    assert smtp.connections() == 2


@pytest.mark.django_db
def test_an_unreachable_server_charges_one_attempt_and_gives_the_others_back():
    deliveries = _deliveries(3)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=_free_port()
    ):
        with pytest.raises(DeliveryError):
            deliveries_send_now(delivery_ids=[d.pk for d in deliveries])
    assert sorted(_states(deliveries).values()) == [("pending", 0, 0), ("pending", 0, 0), ("pending", 1, 0)]


@pytest.mark.django_db
def test_rows_claimed_by_a_live_batch_are_skipped_and_expired_ones_reconciled(smtp):
    live, handed, fresh = _deliveries(3)
    now = timezone.now()
    Delivery.objects.filter(pk=live.pk).update(state="sending", attempts=1, lease_until=now + timedelta(minutes=1))
    Delivery.objects.filter(pk=handed.pk).update(
        state="sending", attempts=1, lease_until=now - timedelta(seconds=1), handed_over_at=now - timedelta(minutes=1)
    )
    assert deliveries_send_now(delivery_ids=[live.pk, handed.pk, fresh.pk]) == 2
    assert _states([live, handed, fresh]) == {
        "warga0@example.com": ("sending", 1, 0),  # another worker's: untouched
        "warga1@example.com": ("sent", 2, 1),  # its sender was lost after the hand-over: resent, counted
        "warga2@example.com": ("sent", 1, 0),
    }
    assert smtp.connections() == 1 and sorted(smtp.keys()) == sorted([handed.key, fresh.key])


@pytest.mark.django_db
@pytest.mark.parametrize("smtp", [{"delay": 1.0}], indirect=True)
def test_a_batch_starts_no_message_once_half_its_lease_is_gone(smtp, settings):
    """A slow server must not keep a worker sending rows whose lease ran out (another could claim them): with
    a 3 s lease and 1 s per message, the batch stops starting messages after 1.5 s and queues the rest again."""
    deliveries = _deliveries(5)
    settings.NOTIFICATIONS_DELIVERY_LEASE_SECONDS = 3
    sent = deliveries_send_now(delivery_ids=[d.pk for d in deliveries])
    rows = list(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).order_by("pk"))
    assert 1 <= sent <= 2 and [d.state for d in rows] == ["sent"] * sent + ["pending"] * (5 - sent)
    rest = rows[sent:]
    assert all(d.attempts == 0 and d.lease_until is None and d.queued_at is not None for d in rest)
    assert len(smtp.received) == sent


@pytest.mark.django_db
def test_the_deliveries_of_one_transaction_are_queued_once_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            notify(recipients=[f"warga{i}@example.com" for i in range(5)], kind="published", context={"title": "T"})
            with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint rolled back: its rows never existed
                notify(recipients=["hilang@example.com"], kind="published", context={"title": "T"})
                raise RuntimeError
            notify(recipients=["warga5@example.com"], kind="published", context={"title": "T"})
    assert sum(callback is delivery_services._buffer_flush for callback in callbacks) == 1
    assert Delivery.objects.filter(notification__email__startswith="warga").count() == 6


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_transaction_worth_of_mail_and_the_sweeper_go_out_in_batches_of_the_setting(
    celery_worker, smtp, settings, monkeypatch
):
    from rbx_portal.celery import app

    settings.NOTIFICATIONS_SEND_BATCH = 4
    with transaction.atomic():  # after commit: 10 deliveries, 3 tasks, 3 connections
        notes = notify(
            recipients=[f"warga{i}@example.com" for i in range(10)], kind="published", context={"title": "T"}
        )
    assert _wait_for(lambda: len(smtp.received) == 10)
    # 3 tasks of at most 4: 3 connections, or one more when a loaded machine made a task retry what was left (a
    # connection carries at most one batch either way); every message exactly once.
    assert _per_connection(smtp.received) and max(_per_connection(smtp.received)) <= 4
    assert 3 <= smtp.connections() <= 4 and len(set(smtp.keys())) == 10
    assert set(Delivery.objects.filter(notification__in=notes).values_list("state", flat=True)) == {"sent"}

    # Written while the broker was down (never queued): the sweeper queues them, in batches too.
    with monkeypatch.context() as broken:
        broken.setattr(app.conf, "broker_url", f"redis://127.0.0.1:{_free_port()}/0")
        broken.setattr(app, "_pool", None)
        broken.setattr(app.amqp, "_producer_pool", None)
        with transaction.atomic():
            later = notify(recipients=[f"nanti{i}@example.com" for i in range(6)], kind="published", context={})
    assert not Delivery.objects.filter(notification__in=later, queued_at__isnull=False).exists()
    breakers_reset()
    assert deliveries_requeue(older_than=timedelta(0)) == 6
    assert _wait_for(lambda: len(smtp.received) == 16)
    assert max(_per_connection(smtp.received[10:])) <= 4 and len(_per_connection(smtp.received[10:])) >= 2
    assert sorted(smtp.keys()[10:]) == sorted(
        Delivery.objects.filter(notification__in=later).values_list("key", flat=True)
    )
