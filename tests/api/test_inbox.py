"""Conversations, their messages and a person's timeline over the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.inbox.models import Conversation
from comptoir.inbox.queries import CONVERSATION_ORDERING
from tests.api.conftest import ApiClient, World, ids
from tests.conftest import Personas
from tests.factories import BASE_TIME, ConversationFactory, MessageFactory


def test_a_conversation_with_its_relations(world: World, alice_api: ApiClient) -> None:
    a = world.a
    assert alice_api.ok(f"/conversations/{a.complaint.pk}") == {
        "id": a.complaint.pk,
        "channel": {"id": a.email.pk, "kind": "email", "name": "Service client a"},
        "person": {"id": a.marie.pk, "display_name": "Marie Dupont A"},
        "identity": {
            "id": a.marie_email.pk,
            "kind": "email",
            "external_id": "marie.dupont@a.example.org",
            "handle": "",
            "display_name": "",
        },
        "subject": "Colis perdu",
        "status": "open",
        "snoozed_until": None,
        "closed_reason": None,
        "unhandled_since": None,
        "assignee": {"id": a.complaint.assignee_id, "display_name": "Alice"},
        "assignee_team": None,
        "tags": [],
        "priority": "normal",
        "language": "fr",
        "first_inbound_at": "2026-10-01T09:01:00Z",
        "first_response_at": "2026-10-01T09:05:00Z",
        "last_activity_at": "2026-10-01T09:06:00Z",
        "message_count": 3,
        "last_message_preview": "Nous le retrouvons.",
        "created_at": alice_api.ok(f"/conversations/{a.complaint.pk}")["created_at"],
    }


def test_the_inbox_is_most_recent_first(world: World, alice_api: ApiClient) -> None:
    assert ids(alice_api.walk("/conversations")) == [world.a.question.pk, world.a.complaint.pk]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, ["question", "complaint"]),
        ({"status": "pending"}, []),
        ({"channel": "email"}, ["complaint"]),
        ({"assignee": "none"}, ["question"]),
        ({"assignee": "alice"}, ["complaint"]),
        ({"assignee": "bob"}, []),
        ({"language": "en"}, ["question"]),
        ({"person": "jean"}, []),
        ({"person": "marie", "channel": "x"}, ["question"]),
    ],
)
def test_conversation_filters(
    world: World,
    personas: Personas,
    alice_api: ApiClient,
    params: dict[str, str],
    expected: list[str],
) -> None:
    a = world.a
    known = {
        "email": a.email.pk,
        "x": a.x.pk,
        "alice": personas.alice.pk,
        "bob": personas.bob.pk,
        "marie": a.marie.pk,
        "jean": a.jean.pk,
    }
    query = {key: known.get(value, value) for key, value in params.items()}
    conversations = {"question": a.question.pk, "complaint": a.complaint.pk}
    assert ids(alice_api.walk("/conversations", query)) == [conversations[n] for n in expected]


@pytest.mark.parametrize("params", [{"assignee": "someone"}, {"status": "lost"}])
def test_invalid_conversation_filters_are_a_400(
    alice_api: ApiClient, params: dict[str, str]
) -> None:
    response = alice_api.get("/conversations", params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_the_thread_pages_newest_first(world: World, alice_api: ApiClient) -> None:
    a = world.a
    url = f"/conversations/{a.complaint.pk}/messages"
    first = alice_api.ok(url, {"limit": 2})
    assert ids(first["items"]) == [a.note.pk, a.reply.pk]
    rest = alice_api.ok(url, {"limit": 2, "cursor": first["next_cursor"]})
    assert ids(rest["items"]) == [a.inbound.pk]
    assert rest["next_cursor"] is None
    note, reply, inbound = first["items"] + rest["items"]
    assert (note["direction"], note["visibility"], note["author_seat"]["display_name"]) == (
        "note",
        "private",
        "Alice",
    )
    assert reply["in_reply_to_id"] == a.inbound.pk
    assert inbound["author_identity"]["id"] == a.marie_email.pk
    assert inbound["author_seat"] is None
    assert inbound["external_id"] == "<lost-a@example.org>"
    assert (inbound["sentiment_label"], inbound["urgency"], inbound["intents"]) == (None, None, {})


def test_a_message_names_its_channel(world: World, alice_api: ApiClient) -> None:
    message = alice_api.ok(f"/messages/{world.a.inbound.pk}")
    assert message["channel"] == {
        "id": world.a.email.pk,
        "kind": "email",
        "name": "Service client a",
    }
    assert message["conversation_id"] == world.a.complaint.pk
    assert message["sent_at"] == "2026-10-01T09:01:00Z"


def test_a_persons_timeline_spans_channels(world: World, alice_api: ApiClient) -> None:
    a = world.a
    timeline = alice_api.walk(f"/people/{a.marie.pk}/timeline", {"limit": 3})
    assert [(m["id"], m["channel"]["kind"]) for m in timeline] == [
        (a.question.messages.get().pk, "x"),
        (a.note.pk, "email"),
        (a.reply.pk, "email"),
        (a.inbound.pk, "email"),
    ]
    assert alice_api.ok(f"/people/{a.jean.pk}/timeline") == {"items": [], "next_cursor": None}


def test_walking_the_inbox_lists_each_conversation_once(
    personas: Personas, alice_api: ApiClient
) -> None:
    ws = personas.workspace_a
    # Ties on last activity: only the id orders them.
    for n in range(17):
        ConversationFactory.create(
            workspace=ws, last_activity_at=BASE_TIME + timedelta(hours=n % 4)
        )
    expected = list(
        Conversation.objects.filter(workspace=ws)
        .order_by(*CONVERSATION_ORDERING)
        .values_list("id", flat=True)
    )
    assert ids(alice_api.walk("/conversations", {"limit": 4})) == expected


def test_the_inbox_costs_the_same_for_5_or_40_rows(
    personas: Personas, alice_api: ApiClient
) -> None:
    ws = personas.workspace_a
    ConversationFactory.create_batch(5, workspace=ws, assignee=personas.bob)
    few = alice_api.queries_for("/conversations", 5)
    ConversationFactory.create_batch(35, workspace=ws, assignee=personas.alice)
    # The token, the page with its channel, person, identity and assignees joined, its tags.
    assert few == alice_api.queries_for("/conversations", 40) == 3


def test_a_thread_costs_the_same_for_5_or_40_messages(
    personas: Personas, alice_api: ApiClient
) -> None:
    conversation = ConversationFactory.create(workspace=personas.workspace_a)
    MessageFactory.create_batch(5, conversation=conversation)
    url = f"/conversations/{conversation.pk}/messages"
    few = alice_api.queries_for(url, 5)
    MessageFactory.create_batch(
        35, conversation=conversation, author_identity=None, author_seat=personas.bob
    )
    # The token, the conversation, the page with its authors joined.
    assert few == alice_api.queries_for(url, 40) == 3


def test_a_timeline_costs_the_same_for_5_or_40_messages(
    personas: Personas, alice_api: ApiClient
) -> None:
    conversation = ConversationFactory.create(workspace=personas.workspace_a)
    MessageFactory.create_batch(5, conversation=conversation)
    url = f"/people/{conversation.person_id}/timeline"
    few = alice_api.queries_for(url, 5)
    other = ConversationFactory.create(workspace=personas.workspace_a, person=conversation.person)
    MessageFactory.create_batch(35, conversation=other)
    assert few == alice_api.queries_for(url, 40) == 3
