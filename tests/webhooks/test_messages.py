"""message.created: inbound messages enqueued in bulk by the pipeline, replies from the log."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.inbox.models import Direction, MessageKind
from comptoir.inbox.replies import do_reply
from comptoir.webhooks.dispatch import deliver_due, dispatch_events, enqueue_messages_created
from comptoir.webhooks.models import EventType, WebhookDelivery
from comptoir.workspaces.actions import record_event
from tests.conftest import Personas
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory
from tests.webhooks.conftest import Receiver, make_endpoint


def _conversation(personas: Personas):  # type: ignore[no-untyped-def]
    channel = ChannelFactory.create(workspace=personas.workspace_a, kind="email")
    return ConversationFactory.create(workspace=personas.workspace_a, channel=channel)


def test_without_a_subscribed_endpoint_it_costs_one_query(
    personas: Personas, receiver: Receiver
) -> None:
    conversation = _conversation(personas)
    ids = [MessageFactory.create(conversation=conversation).pk for _ in range(3)]
    make_endpoint(personas, receiver, events=[EventType.CASE_OPENED])

    with CaptureQueriesContext(connection) as queries:
        assert enqueue_messages_created(personas.workspace_a.pk, ids) == 0

    assert len(queries) == 1
    assert not WebhookDelivery.objects.exists()


def test_inbound_messages_are_sent_in_one_batch(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver, events=[EventType.MESSAGE_CREATED])
    conversation = _conversation(personas)
    long_text = "Bonjour, " + "x" * 400
    first = MessageFactory.create(conversation=conversation, text=long_text)
    second = MessageFactory.create(conversation=conversation, kind=MessageKind.EMAIL)
    note = MessageFactory.create(
        conversation=conversation, direction=Direction.NOTE, author_identity=None
    )

    with CaptureQueriesContext(connection) as queries:
        made = enqueue_messages_created(personas.workspace_a.pk, [first.pk, second.pk, note.pk])
    assert made == 2
    # Endpoints, messages, workspace, the insert; then the inline worker's sending.
    inserting = [q for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserting) == 1

    documents = sorted(receiver.documents(), key=lambda d: d["data"]["message_id"])
    assert [d["type"] for d in documents] == ["message.created", "message.created"]
    assert documents[0]["id"] == f"message:{first.pk}"
    assert documents[0]["data"] == {
        "message_id": first.pk,
        "conversation_id": conversation.pk,
        "channel": {"id": conversation.channel_id, "kind": "email"},
        "direction": "inbound",
        "kind": "post",
        "text_excerpt": long_text[:280],
        "sent_at": first.sent_at.isoformat(),
        "person_id": conversation.person_id,
    }
    assert documents[1]["data"]["kind"] == "email"

    # The pipeline calling again for the same messages enqueues nothing new.
    enqueue_messages_created(personas.workspace_a.pk, [first.pk, second.pk])
    assert WebhookDelivery.objects.count() == 2


def test_other_workspaces_messages_are_left_out(personas: Personas, receiver: Receiver) -> None:
    make_endpoint(personas, receiver, events=[EventType.MESSAGE_CREATED])
    theirs = MessageFactory.create(
        conversation=ConversationFactory.create(workspace=personas.workspace_b)
    )

    assert enqueue_messages_created(personas.workspace_a.pk, [theirs.pk]) == 0
    assert enqueue_messages_created(personas.workspace_b.pk, [theirs.pk]) == 0
    assert receiver.requests == []


def test_a_reply_is_sent_as_message_created(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    make_endpoint(personas, receiver, events=[EventType.MESSAGE_CREATED])
    conversation = _conversation(personas)
    # Enough messages that the reply's id and its conversation's id differ.
    for _ in range(3):
        MessageFactory.create(conversation=conversation, kind=MessageKind.EMAIL)
    with django_capture_on_commit_callbacks(execute=False):  # not sent: no SMTP here
        reply = do_reply(conversation, seat=personas.alice, text="Nous le retrouvons.")
    assert reply.pk != conversation.pk

    dispatch_events()
    deliver_due()

    [document] = receiver.documents()
    assert document["type"] == "message.created"
    assert document["data"]["message_id"] == reply.pk
    assert document["data"]["direction"] == "outbound"
    assert document["data"]["text_excerpt"] == "Nous le retrouvons."


@pytest.mark.parametrize("verb", ["message.note", "message.sent", "message.failed"])
def test_other_message_verbs_are_not_sent(
    personas: Personas, receiver: Receiver, verb: str
) -> None:
    make_endpoint(personas, receiver)
    message = MessageFactory.create(conversation=_conversation(personas))
    record_event(personas.workspace_a, verb, "message", message.pk)

    assert dispatch_events() == 0


def test_ingested_messages_are_sent_after_the_batch_commits(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from comptoir.ingest.pipeline import ingest
    from comptoir.ingest.types import Candidate

    make_endpoint(personas, receiver, events=[EventType.MESSAGE_CREATED])
    channel = ChannelFactory.create(workspace=personas.workspace_a, kind="x")
    payload = {
        "external_id": "tweet-1",
        "created_at": "2026-11-20T10:00:00+00:00",
        "text": "Bonjour, où en est ma commande ?",
        "author": {"kind": "x", "external_id": "id-marie", "handle": "@marie"},
    }

    with django_capture_on_commit_callbacks(execute=True):
        ingest(personas.workspace_a, channel, [Candidate(location="event 1", payload=payload)])

    [document] = receiver.documents()
    assert document["type"] == "message.created"
    assert document["data"]["text_excerpt"] == "Bonjour, où en est ma commande ?"
    assert document["data"]["channel"] == {"id": channel.pk, "kind": "x"}
