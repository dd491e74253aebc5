"""Working the inbox: assignment, status and snoozes, the Unhandled clock, priority, tags,
notes with @mentions, saved replies, presence."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from comptoir.inbox.actions import (
    do_add_message,
    do_add_note,
    do_assign,
    do_create_saved_reply,
    do_create_tag,
    do_mark_notifications_read,
    do_ping_presence,
    do_set_priority,
    do_set_status,
    do_start_conversation,
    do_tag,
    do_update_saved_reply,
    mentioned_in,
    render_saved_reply,
    wake_snoozed_conversations,
)
from comptoir.inbox.models import Conversation, ConversationStatus, Direction, MessageKind
from comptoir.inbox.queries import colleagues_replying, unhandled_count
from comptoir.people.actions import do_add_identity, do_create_person
from comptoir.people.models import IdentityKind
from comptoir.workspaces.actions import (
    do_change_team_members,
    do_create_team,
    do_delete_team,
    do_rename_team,
)
from comptoir.workspaces.models import Event, Notification
from tests.conftest import Personas
from tests.factories import BASE_TIME, ChannelFactory, SeatFactory, UserFactory


@pytest.fixture
def conversation(personas: Personas) -> Conversation:
    ws = personas.workspace_a
    person = do_create_person(ws, display_name="Léa Martin", first_seen_at=BASE_TIME)
    identity = do_add_identity(person, kind=IdentityKind.X, external_id="777", handle="@lea")
    channel = ChannelFactory.create(workspace=ws)
    return do_start_conversation(channel, identity=identity, started_at=BASE_TIME)


def inbound(conversation: Conversation, minutes: int, external_id: str) -> None:
    do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        text="Où est mon colis ?",
        sent_at=BASE_TIME + timedelta(minutes=minutes),
        author_identity=conversation.identity,
        external_id=external_id,
    )


def last_event(verb: str) -> Event:
    event = Event.objects.filter(verb=verb).order_by("-id").first()
    assert event is not None
    return event


def test_assign_to_a_seat_a_team_and_nobody(personas: Personas, conversation: Conversation) -> None:
    team = do_create_team(personas.workspace_a, name="Care", member_ids=[personas.alice.pk])

    do_assign(conversation, seat=personas.alice, team=team, actor=personas.bob)
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.assignee_team) == (personas.alice, team)
    assert last_event("conversation.assigned").payload == {
        "seat": personas.alice.pk,
        "team": team.pk,
    }

    do_assign(conversation, seat=None, team=None, actor=personas.bob)
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.assignee_team) == (None, None)
    assert last_event("conversation.assigned").payload == {"seat": None, "team": None}


def test_no_assignment_across_workspaces(personas: Personas, conversation: Conversation) -> None:
    with pytest.raises(ValueError, match="different workspaces"):
        do_assign(conversation, seat=personas.charlie)


def test_closing_needs_a_reason_and_stops_the_unhandled_clock(
    personas: Personas, conversation: Conversation
) -> None:
    inbound(conversation, 1, "m1")
    conversation.refresh_from_db()
    assert conversation.unhandled_since == BASE_TIME + timedelta(minutes=1)

    with pytest.raises(ValidationError) as refused:
        do_set_status(conversation, ConversationStatus.CLOSED, reason="  ")
    assert "closed_reason" in refused.value.message_dict

    do_set_status(conversation, ConversationStatus.CLOSED, reason="Spam", actor=personas.bob)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CLOSED
    assert conversation.closed_reason == "Spam"
    assert conversation.unhandled_since is None
    assert last_event("conversation.status_changed").payload == {
        "from": "open",
        "to": "closed",
        "reason": "Spam",
        "snoozed_until": None,
    }


def test_the_unhandled_clock_keeps_the_oldest_inbound_and_stops_on_an_answer(
    personas: Personas, conversation: Conversation
) -> None:
    inbound(conversation, 1, "m1")
    inbound(conversation, 9, "m2")
    conversation.refresh_from_db()
    assert conversation.unhandled_since == BASE_TIME + timedelta(minutes=1)
    assert unhandled_count(personas.workspace_a) == 1

    do_add_message(
        conversation,
        direction=Direction.OUTBOUND,
        kind=MessageKind.REPLY,
        text="Nous regardons.",
        author_seat=personas.alice,
    )
    conversation.refresh_from_db()
    assert conversation.unhandled_since is None
    assert unhandled_count(personas.workspace_a) == 0

    # Resolving is not handling: only an answer, a case or a reasoned close stops the clock.
    inbound(conversation, 20, "m3")
    do_set_status(conversation, ConversationStatus.RESOLVED)
    conversation.refresh_from_db()
    assert conversation.unhandled_since == BASE_TIME + timedelta(minutes=20)


def test_snoozing_needs_a_future_time_and_the_worker_wakes_it(
    personas: Personas, conversation: Conversation
) -> None:
    now = BASE_TIME + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        do_set_status(conversation, ConversationStatus.SNOOZED, now=now)
    assert "snoozed_until" in refused.value.message_dict
    with pytest.raises(ValidationError):
        do_set_status(
            conversation,
            ConversationStatus.SNOOZED,
            snoozed_until=now - timedelta(hours=1),
            now=now,
        )

    until = now + timedelta(hours=2)
    do_set_status(conversation, ConversationStatus.SNOOZED, snoozed_until=until, now=now)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("snoozed", until)

    assert wake_snoozed_conversations(until - timedelta(seconds=1)) == 0
    assert wake_snoozed_conversations(until) == 1
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)
    assert last_event("conversation.status_changed").payload == {
        "from": "snoozed",
        "to": "open",
        "reason": "snooze_ended",
        "snoozed_until": until.isoformat(),
    }
    assert wake_snoozed_conversations(until + timedelta(days=1)) == 0


def test_waking_works_in_batches(
    personas: Personas, conversation: Conversation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("comptoir.inbox.actions.WAKE_BATCH", 2)
    channel = conversation.channel
    until = BASE_TIME + timedelta(hours=1)
    for _ in range(5):
        other = do_start_conversation(channel, identity=None, started_at=BASE_TIME)
        Conversation.objects.filter(pk=other.pk).update(status="snoozed", snoozed_until=until)

    assert wake_snoozed_conversations(until) == 5
    assert not Conversation.objects.filter(status="snoozed").exists()
    assert Event.objects.filter(payload__reason="snooze_ended").count() == 5


def test_a_new_inbound_message_reopens_a_snoozed_conversation(
    conversation: Conversation,
) -> None:
    until = BASE_TIME + timedelta(days=400)
    do_set_status(conversation, ConversationStatus.SNOOZED, snoozed_until=until, now=BASE_TIME)
    inbound(conversation, 3, "m1")
    conversation.refresh_from_db()
    assert (conversation.status, conversation.snoozed_until) == ("open", None)


def test_priority(personas: Personas, conversation: Conversation) -> None:
    do_set_priority(conversation, "urgent", actor=personas.alice)
    conversation.refresh_from_db()
    assert conversation.priority == "urgent"
    assert last_event("conversation.priority_changed").payload == {
        "from": "normal",
        "to": "urgent",
    }


def test_tags_are_created_on_the_fly_and_removed_by_name(
    personas: Personas, conversation: Conversation
) -> None:
    existing = do_create_tag(personas.workspace_a, name="Refund")

    tags = do_tag(conversation, add=["refund", " Lost   parcel "], actor=personas.alice)
    assert [t.name for t in tags] == ["Lost parcel", "Refund"]
    assert existing in tags  # same name in another case is the same tag

    tags = do_tag(conversation, remove=["REFUND"], actor=personas.alice)
    assert [t.name for t in tags] == ["Lost parcel"]
    assert last_event("conversation.tagged").payload == {"added": [], "removed": [existing.pk]}


def test_mentions_by_display_name_or_first_name(personas: Personas) -> None:
    marie = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="marie@example.test"),
        display_name="Marie Curie",
    )
    seats = [personas.alice, personas.bob, marie]
    assert mentioned_in("@Bob can you look?", seats) == [personas.bob]
    assert mentioned_in("cc @marie and @Alice.", seats) == [personas.alice, marie]
    assert mentioned_in("@Marie Curie knows", seats) == [marie]
    assert mentioned_in("mail bob@example.com, @nobody", seats) == []


def test_a_note_notifies_the_colleagues_it_mentions(
    personas: Personas, conversation: Conversation
) -> None:
    note = do_add_note(conversation, seat=personas.alice, text="@Bob the carrier says Lyon. @alice")

    assert note.direction == Direction.NOTE
    assert list(note.mentioned_seats.all()) == [personas.bob]  # not herself
    [notification] = Notification.objects.all()
    assert notification.seat == personas.bob
    assert (notification.verb, notification.subject_id) == ("note.mention", conversation.pk)
    assert notification.text == "Alice: @Bob the carrier says Lyon. @alice"
    assert last_event("message.note").payload["message"] == note.pk

    assert do_mark_notifications_read(personas.bob) == 1
    assert do_mark_notifications_read(personas.bob) == 0


def test_an_empty_note_is_refused(personas: Personas, conversation: Conversation) -> None:
    with pytest.raises(ValidationError):
        do_add_note(conversation, seat=personas.alice, text="   ")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Bonjour {first_name},", "Bonjour Marie,"),
        ("Dear {name}, {agent_name} here.", "Dear Marie Dupont, Alice here."),
        ("{unknown} stays", "{unknown} stays"),
    ],
)
def test_render_saved_reply(body: str, expected: str) -> None:
    assert render_saved_reply(body, "Marie  Dupont", "Alice") == expected


def test_render_saved_reply_without_a_name() -> None:
    assert render_saved_reply("Bonjour {first_name} !", "", "Alice") == "Bonjour  !"


def test_saved_replies_are_checked(personas: Personas) -> None:
    ws = personas.workspace_a
    reply = do_create_saved_reply(
        ws, title="Colis", language="fr", body="Bonjour {first_name}", actor=personas.alice
    )
    with pytest.raises(ValidationError) as refused:
        do_create_saved_reply(ws, title="Colis", language="fr", body="x")
    assert "title" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        do_create_saved_reply(ws, title="Other", language="de", body="Hallo {vorname}")
    assert set(refused.value.message_dict) == {"language", "body"}

    do_update_saved_reply(reply, language="en", body="Hello {first_name}")
    reply.refresh_from_db()
    assert (reply.language, reply.body) == ("en", "Hello {first_name}")


def test_teams(personas: Personas) -> None:
    ws = personas.workspace_a
    team = do_create_team(ws, name=" Care  desk ", member_ids=[personas.alice.pk])
    assert team.name == "Care desk"
    with pytest.raises(ValidationError):
        do_create_team(ws, name="care DESK")
    with pytest.raises(ValidationError):
        do_change_team_members(team, add=[personas.charlie.pk])

    do_change_team_members(team, add=[personas.bob.pk], remove=[personas.alice.pk])
    assert list(team.members.all()) == [personas.bob]
    do_rename_team(team, "Care")
    assert last_event("team.renamed").payload == {"from": "Care desk", "to": "Care"}
    do_delete_team(team)
    assert last_event("team.deleted").payload == {"name": "Care"}


def test_presence_shows_colleagues_typing_until_it_expires(
    personas: Personas, conversation: Conversation
) -> None:
    now = BASE_TIME
    do_ping_presence(conversation, personas.bob, replying=True, now=now)
    do_ping_presence(conversation, personas.alice, replying=True, now=now)

    assert colleagues_replying(conversation, personas.alice, now) == ["Bob"]
    assert colleagues_replying(conversation, personas.alice, now + timedelta(seconds=31)) == []
    do_ping_presence(conversation, personas.bob, replying=False, now=now)
    assert colleagues_replying(conversation, personas.alice, now) == []
