from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from comptoir.inbox.actions import do_add_message, do_start_conversation, preview_of
from comptoir.inbox.models import Conversation, ConversationStatus, Direction, Message, MessageKind
from comptoir.people.actions import do_add_identity, do_create_person
from comptoir.people.models import IdentityKind
from tests.conftest import Personas
from tests.factories import BASE_TIME, ChannelFactory, MessageFactory


@pytest.fixture
def conversation(personas: Personas) -> Conversation:
    ws = personas.workspace_a
    person = do_create_person(ws, display_name="Léa Martin", first_seen_at=BASE_TIME)
    identity = do_add_identity(person, kind=IdentityKind.X, external_id="777", handle="@lea")
    channel = ChannelFactory.create(workspace=ws)
    return do_start_conversation(channel, identity=identity, started_at=BASE_TIME)


def test_messages_keep_the_conversation_and_person_up_to_date(
    personas: Personas, conversation: Conversation
) -> None:
    t1, t2, t3 = (BASE_TIME + timedelta(minutes=m) for m in (5, 20, 30))
    do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        text="Mon colis   est perdu",
        sent_at=t1,
        author_identity=conversation.identity,
        external_id="x-1",
    )
    do_add_message(
        conversation,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REPLY,
        text="Nous regardons.",
        sent_at=t2,
        author_seat=personas.alice,
    )
    do_add_message(
        conversation,
        direction=Direction.NOTE,
        kind=MessageKind.DIRECT,
        text="Transporteur relancé",
        sent_at=t3,
        author_seat=personas.alice,
    )
    conversation.refresh_from_db()
    assert conversation.message_count == 3
    assert conversation.first_inbound_at == t1
    assert conversation.first_response_at == t2
    assert conversation.last_activity_at == t3
    assert conversation.last_message_preview == "Nous regardons."  # notes are internal
    person = conversation.person
    assert person is not None
    person.refresh_from_db()
    assert (person.last_inbound_at, person.last_outbound_at) == (t1, t2)


def test_new_inbound_reopens_a_resolved_conversation(conversation: Conversation) -> None:
    conversation.status = ConversationStatus.RESOLVED
    conversation.save()
    do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        text="Toujours rien reçu",
        author_identity=conversation.identity,
    )
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.OPEN


def test_authors_must_match_the_direction(personas: Personas, conversation: Conversation) -> None:
    with pytest.raises(ValueError, match="inbound message is written by an identity"):
        do_add_message(
            conversation,
            direction=Direction.INBOUND,
            kind=MessageKind.POST,
            text="x",
            author_seat=personas.alice,
        )
    with pytest.raises(ValueError, match="written by a seat"):
        do_add_message(
            conversation,
            direction=Direction.OUTBOUND,
            kind=MessageKind.REPLY,
            text="x",
            author_identity=conversation.identity,
        )


def test_the_database_refuses_a_message_with_two_authors(
    personas: Personas, conversation: Conversation
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageFactory.create(conversation=conversation, author_seat=personas.alice)


def test_the_database_refuses_the_same_platform_message_twice(conversation: Conversation) -> None:
    MessageFactory.create(conversation=conversation, external_id="tweet-1")
    MessageFactory.create(conversation=conversation, external_id=None)
    MessageFactory.create(conversation=conversation, external_id=None)  # notes have no id
    with pytest.raises(IntegrityError), transaction.atomic():
        MessageFactory.create(conversation=conversation, external_id="tweet-1")
    assert Message.objects.filter(conversation=conversation).count() == 3


def test_a_conversation_cannot_mix_workspaces(personas: Personas) -> None:
    person = do_create_person(personas.workspace_b, display_name="Z")
    identity = do_add_identity(person, kind=IdentityKind.X, external_id="1")
    channel = ChannelFactory.create(workspace=personas.workspace_a)
    with pytest.raises(ValueError, match="different workspaces"):
        do_start_conversation(channel, identity=identity)


def test_previews_are_flat_and_bounded() -> None:
    assert preview_of("a\n\n  b") == "a b"
    long = preview_of("mot " * 200)
    assert len(long) == 280
    assert long.endswith("…")
