"""From the event log to signed POSTs: subscriptions, commits, retries, abandonment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from comptoir.webhooks.actions import do_ping, do_redeliver, do_update_endpoint
from comptoir.webhooks.dispatch import (
    COMMIT_GRACE,
    RETRY_WINDOW,
    _claim,
    backoff,
    deliver_due,
    dispatch_events,
)
from comptoir.webhooks.models import (
    DeliveryStatus,
    DispatchCursor,
    EventType,
    WebhookDelivery,
)
from comptoir.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Event
from tests.conftest import Personas
from tests.webhooks.conftest import Receiver, make_endpoint, signed_correctly


def test_an_event_arrives_signed_with_a_timestamp(personas: Personas, receiver: Receiver) -> None:
    created = make_endpoint(personas, receiver)
    event = record_event(
        personas.workspace_a,
        "case.opened",
        "case",
        41,
        actor=personas.alice,
        payload={"title": "Colis perdu", "priority": "high"},
    )
    assert dispatch_events() == 1
    before = int(timezone.now().timestamp())

    assert deliver_due() == 1

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert request.headers[EVENT_HEADER] == "case.opened"
    assert request.headers[DELIVERY_HEADER] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    timestamp = request.headers[TIMESTAMP_HEADER]
    assert before <= int(timestamp) <= before + 5
    assert signed_correctly(request, created.secret)
    assert request.headers[SIGNATURE_HEADER] == signature(
        created.secret, timestamp, request.get_data()
    )
    # Another secret, or another timestamp, does not verify.
    assert request.headers[SIGNATURE_HEADER] != signature(
        "whsec_other", timestamp, request.get_data()
    )
    assert request.headers[SIGNATURE_HEADER] != signature(
        created.secret, int(timestamp) + 1, request.get_data()
    )
    assert receiver.documents() == [
        {
            "id": f"event:{event.pk}",
            "type": "case.opened",
            "created_at": event.created_at.isoformat(),
            "workspace": {"id": personas.workspace_a.pk, "slug": "maison-lumiere"},
            "data": {
                "case_id": 41,
                "actor_seat_id": personas.alice.pk,
                "title": "Colis perdu",
                "priority": "high",
            },
        }
    ]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 200
    assert delivery.response_excerpt == "ok"
    assert delivery.delivered_at is not None


def test_only_subscribed_events_are_sent(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver, events=[EventType.CONVERSATION_ASSIGNED])
    workspace = personas.workspace_a
    record_event(workspace, "case.opened", "case", 1)
    record_event(workspace, "conversation.tagged", "conversation", 2, payload={"tag": "vip"})
    record_event(workspace, "conversation.assigned", "conversation", 3, payload={"seat": 9})
    record_event(workspace, "conversation.status_changed", "conversation", 3)
    # Another workspace's events go to its own endpoints only.
    record_event(personas.workspace_b, "conversation.assigned", "conversation", 4)

    dispatch_events()
    deliver_due()

    assert [(d["type"], d["data"]) for d in receiver.documents()] == [
        (
            "conversation.assigned",
            {"conversation_id": 3, "actor_seat_id": None, "seat": 9},
        )
    ]


def test_every_listed_verb_maps_to_its_public_type(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver)
    workspace = personas.workspace_a
    for verb in (
        "conversation.assigned",
        "conversation.status_changed",
        "case.opened",
        "case.sla_warning",
        "case.sla_breached",
        "case.resolved",
        "case.closed",  # not a public event type
        "message.note",  # internal notes never leave
    ):
        subject = verb.split(".")[0]
        record_event(workspace, verb, subject, 1)

    dispatch_events()
    deliver_due()

    assert sorted(r.headers[EVENT_HEADER] for r in receiver.requests) == [
        "case.opened",
        "case.resolved",
        "case.sla_breached",
        "case.sla_warning",
        "conversation.assigned",
        "conversation.status_changed",
    ]


def test_a_rolled_back_action_sends_nothing(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver)

    def failing_action() -> None:
        with transaction.atomic():
            record_event(personas.workspace_a, "case.opened", "case", 1)
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        failing_action()

    assert dispatch_events() == 0
    assert deliver_due() == 0
    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_an_event_is_enqueued_once_however_many_passes_see_it(
    personas: Personas, receiver: Receiver
) -> None:
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.resolved", "case", 5)

    for _ in range(3):
        dispatch_events()
    deliver_due()
    dispatch_events()
    deliver_due()

    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_late_committed_lower_id_is_still_sent(personas: Personas, receiver: Receiver) -> None:
    """Ids are allocated before commit: a transaction that commits after a later one has
    been read lands below the rows seen. The re-read window catches it."""
    make_endpoint(personas, receiver)
    workspace = personas.workspace_a
    first = record_event(workspace, "case.opened", "case", 1)
    # The id first + 1 is held by a transaction still open; first + 2 commits before it.
    [third] = Event.objects.bulk_create(
        [
            Event(
                id=first.pk + 2,
                workspace=workspace,
                verb="case.opened",
                subject_type="case",
                subject_id=3,
            )
        ]
    )
    assert dispatch_events() == 2

    # Now the slow transaction commits.
    Event.objects.bulk_create(
        [
            Event(
                id=first.pk + 1,
                workspace=workspace,
                verb="case.opened",
                subject_type="case",
                subject_id=2,
            )
        ]
    )
    dispatch_events()
    deliver_due()

    assert sorted(d["data"]["case_id"] for d in receiver.documents()) == [1, 2, 3]
    assert WebhookDelivery.objects.count() == 3
    # The cursor has not passed events younger than the grace period...
    assert DispatchCursor.objects.get().last_event_id < first.pk
    # ...and passes them once they are older: the next passes start after them.
    dispatch_events(now=timezone.now() + COMMIT_GRACE + timedelta(seconds=1))
    assert DispatchCursor.objects.get().last_event_id == third.pk


def test_events_before_the_endpoint_existed_are_not_sent(
    personas: Personas, receiver: Receiver
) -> None:
    record_event(personas.workspace_a, "case.opened", "case", 1)
    Event.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.opened", "case", 2)

    dispatch_events()
    deliver_due()

    assert [d["data"]["case_id"] for d in receiver.documents()] == [2]


def test_a_failure_is_retried_until_it_succeeds(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.opened", "case", 1)
    start = timezone.now()
    dispatch_events(now=start)
    receiver.answer_once(500, "database down")

    assert deliver_due(now=start) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.last_error == "HTTP 500"
    assert delivery.response_excerpt == "database down"
    assert delivery.next_attempt_at == start + timedelta(seconds=30)

    # Not before its time.
    assert deliver_due(now=start + timedelta(seconds=29)) == 0
    assert deliver_due(now=start + timedelta(seconds=30)) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert delivery.next_attempt_at is None
    first, second = receiver.requests
    assert first.headers[DELIVERY_HEADER] == second.headers[DELIVERY_HEADER]
    assert first.get_data() == second.get_data()


def test_an_unreachable_endpoint_is_retried(personas: Personas, receiver: Receiver) -> None:
    created = make_endpoint(personas, receiver)
    do_update_endpoint(created.endpoint, url="http://127.0.0.1:9/nothing-listens")
    record_event(personas.workspace_a, "case.opened", "case", 1)
    dispatch_events()

    deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("ConnectError")


def test_the_backoff_grows_to_an_hour() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 10)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_a_delivery_is_abandoned_after_24_hours(personas: Personas, receiver: Receiver) -> None:
    receiver.answer(503, "maintenance")
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.sla_breached", "case", 1)
    start = timezone.now()
    dispatch_events(now=start)

    clock = start
    tries = 0
    while True:
        tries += deliver_due(now=clock)
        delivery = WebhookDelivery.objects.get()
        if delivery.status == DeliveryStatus.ABANDONED:
            break
        assert delivery.next_attempt_at is not None
        clock = delivery.next_attempt_at

    assert delivery.attempts == tries == len(receiver.requests)
    assert clock <= start + RETRY_WINDOW
    assert delivery.next_attempt_at is None
    # Within the day it was tried with the whole schedule: 30 s, 1 min, ... then hourly.
    assert 25 <= tries <= 30
    assert deliver_due(now=start + timedelta(days=2)) == 0


def test_redelivery_sends_the_same_event_again(personas: Personas, receiver: Receiver) -> None:
    receiver.answer(500)
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.opened", "case", 1)
    start = timezone.now()
    dispatch_events(now=start)
    deliver_due(now=start + RETRY_WINDOW + timedelta(seconds=1))
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.ABANDONED

    receiver.answer(204, "")
    later = start + timedelta(days=3)
    do_redeliver(delivery, actor=personas.bob, now=later)
    assert deliver_due(now=later) == 1

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 204
    first, second = receiver.requests
    assert first.get_data() == second.get_data()
    assert Event.objects.filter(verb="webhook.redelivered").count() == 1


def test_a_paused_endpoint_keeps_its_deliveries_until_it_resumes(
    personas: Personas, receiver: Receiver
) -> None:
    created = make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.opened", "case", 1)
    dispatch_events()
    do_update_endpoint(created.endpoint, is_active=False)

    assert deliver_due() == 0
    # A paused endpoint gets no new deliveries either.
    record_event(personas.workspace_a, "case.opened", "case", 2)
    assert dispatch_events() == 0

    do_update_endpoint(created.endpoint, is_active=True)
    assert deliver_due() == 1
    assert [d["data"]["case_id"] for d in receiver.documents()] == [1]


def test_a_delivery_is_claimed_by_one_worker_only(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver)
    record_event(personas.workspace_a, "case.opened", "case", 1)
    now = timezone.now()
    dispatch_events(now=now)
    delivery = WebhookDelivery.objects.get()

    assert _claim(delivery.pk, now) is True
    assert _claim(delivery.pk, now) is False
    # The claimed row is not offered to another sender either.
    assert deliver_due(now=now) == 0
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_a_ping_is_sent_after_commit_and_not_on_rollback(
    personas: Personas, receiver: Receiver
) -> None:
    created = make_endpoint(personas, receiver)

    def failing_action() -> None:
        with transaction.atomic():
            do_ping(created.endpoint, actor=personas.bob)
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        failing_action()
    assert receiver.requests == []

    delivery = do_ping(created.endpoint, actor=personas.bob)

    # The worker runs inline in the tests: sent as soon as the action committed.
    [request] = receiver.requests
    assert request.headers[EVENT_HEADER] == "ping"
    assert signed_correctly(request, created.secret)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert receiver.documents()[0]["data"] == {
        "endpoint_id": created.endpoint.pk,
        "seat_id": personas.bob.pk,
    }


def test_a_long_backlog_is_read_in_batches(
    personas: Personas, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("comptoir.webhooks.dispatch.EVENT_BATCH", 2)
    monkeypatch.setattr("comptoir.webhooks.dispatch.MAX_BATCHES", 2)
    make_endpoint(personas, receiver)
    for case in range(5):
        record_event(personas.workspace_a, "case.opened", "case", case)

    assert dispatch_events() == 4
    assert WebhookDelivery.objects.count() == 4
    # Once the first ones are settled the cursor passes them and the rest follows.
    dispatch_events(now=timezone.now() + COMMIT_GRACE + timedelta(seconds=1))
    dispatch_events()
    assert WebhookDelivery.objects.count() == 5
