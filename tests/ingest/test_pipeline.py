"""The pipeline end to end: validate, deduplicate, understand, resolve, thread, store, act."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, ConversationStatus, Message
from comptoir.ingest.models import RejectedEvent
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate
from comptoir.people.models import Identity, MergeSuggestion, Person
from comptoir.workspaces.models import Event
from tests.conftest import Personas
from tests.factories import ChannelFactory, IdentityFactory, PersonFactory


def event(n: int, author: str | None = "marie", text: str = "Bonjour", **extra: Any) -> Candidate:
    payload: dict[str, Any] = {
        "external_id": f"m{n}",
        "created_at": f"2026-11-20T10:{n:02d}:00+01:00",
        "text": text,
    }
    if author:
        payload["author"] = {
            "kind": "x",
            "external_id": f"id-{author}",
            "handle": f"@{author}",
            "display_name": author.title(),
            **extra.pop("a", {}),
        }
    payload.update(extra)
    return Candidate(location=f"event {n}", payload=payload)


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a)


def test_a_batch_becomes_people_conversations_and_messages(
    personas: Personas, channel: Channel
) -> None:
    report = ingest(
        personas.workspace_a,
        channel,
        [
            event(1, "marie", "Mon colis n'est toujours pas arrivé, c'est inadmissible"),
            event(2, "marie", "Toujours rien reçu ce matin", in_reply_to="m1"),
            event(3, "paul", "Hello, I would like a refund for my broken lamp please"),
        ],
    )
    assert (report.received, report.stored, report.duplicates, len(report.rejected)) == (3, 3, 0, 0)
    assert (report.new_people, report.new_identities, report.new_conversations) == (2, 2, 2)
    marie = Person.objects.get(display_name="Marie")
    thread = Conversation.objects.get(person=marie)
    assert thread.message_count == 2
    assert thread.thread_key == "m1"
    assert thread.language == "fr"
    assert thread.last_message_preview == "Toujours rien reçu ce matin"
    assert thread.first_inbound_at is not None
    assert thread.first_inbound_at.isoformat() == "2026-11-20T09:01:00+00:00"
    assert marie.last_inbound_at is not None
    assert marie.last_inbound_at.isoformat() == "2026-11-20T09:02:00+00:00"
    reply = Message.objects.get(external_id="m2")
    assert reply.in_reply_to == Message.objects.get(external_id="m1")
    assert list(Message.objects.order_by("sent_at").values_list("language", flat=True)) == [
        "fr",
        "fr",
        "en",
    ]
    assert Event.objects.filter(verb="ingest.batch", subject_id=channel.pk).count() == 1


def test_redelivery_changes_nothing(personas: Personas, channel: Channel) -> None:
    batch = [event(1), event(2, in_reply_to="m1"), event(3, "paul")]
    ingest(personas.workspace_a, channel, batch)
    before = (
        list(Message.objects.values_list("pk", "conversation_id", "text")),
        list(Conversation.objects.values_list("pk", "message_count", "last_activity_at")),
        Person.objects.count(),
    )
    report = ingest(personas.workspace_a, channel, batch)
    assert (report.stored, report.duplicates) == (0, 3)
    after = (
        list(Message.objects.values_list("pk", "conversation_id", "text")),
        list(Conversation.objects.values_list("pk", "message_count", "last_activity_at")),
        Person.objects.count(),
    )
    assert after == before


def test_duplicates_inside_one_batch_keep_the_first(personas: Personas, channel: Channel) -> None:
    report = ingest(personas.workspace_a, channel, [event(1, text="first"), event(1, text="again")])
    assert (report.stored, report.duplicates) == (1, 1)
    assert Message.objects.get().text == "first"


def test_bad_events_are_rejected_with_reasons_and_the_rest_lands(
    personas: Personas, channel: Channel
) -> None:
    naive = event(2)
    assert isinstance(naive.payload, dict)
    naive.payload["created_at"] = "2026-11-20T10:02:00"
    candidates = [
        event(1),
        naive,
        event(3, author=None),
        Candidate(location="line 4", payload=None, raw=b"{not json \xff", error="not JSON"),
        event(5, text="x" * 100_001),
        event(6, a={"kind": "myspace"}),
    ]
    report = ingest(personas.workspace_a, channel, candidates)
    assert report.stored == 1
    reasons = {r.location: r.reason for r in report.rejected}
    assert reasons["event 2"] == "created_at: Input should have timezone info"
    assert reasons["event 3"] == "event: an inbound event needs an author"
    assert reasons["line 4"] == "not JSON"
    assert reasons["event 5"].startswith("text: String should have at most 100000 characters")
    assert reasons["event 6"].startswith("author.kind: Input should be 'email'")
    stored = RejectedEvent.objects.get(location="line 4")
    assert stored.raw_bytes is not None
    assert bytes(stored.raw_bytes) == b"{not json \xff"
    assert stored.raw == "{not json \ufffd"
    assert RejectedEvent.objects.count() == 5
    assert len(RejectedEvent.objects.get(location="event 5").raw) > 100_000


def test_a_batch_lands_whole_or_not_at_all(
    personas: Personas, channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comptoir.ingest import pipeline

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_link_replies", explode)
    with pytest.raises(RuntimeError):
        ingest(personas.workspace_a, channel, [event(1), event(2, "paul")])
    assert (Message.objects.count(), Person.objects.count(), Conversation.objects.count()) == (
        0,
        0,
        0,
    )


def test_new_inbound_reopens_a_resolved_conversation(personas: Personas, channel: Channel) -> None:
    ingest(personas.workspace_a, channel, [event(1)])
    Conversation.objects.update(status=ConversationStatus.RESOLVED)
    ingest(personas.workspace_a, channel, [event(2, in_reply_to="m1")])
    conversation = Conversation.objects.get()
    assert (conversation.status, conversation.message_count) == (ConversationStatus.OPEN, 2)


def test_known_identities_keep_their_person(personas: Personas, channel: Channel) -> None:
    person = PersonFactory.create(workspace=personas.workspace_a, display_name="Marie Known")
    IdentityFactory.create(person=person, kind="x", external_id="id-marie", handle="@old")
    report = ingest(personas.workspace_a, channel, [event(1)])
    assert report.new_people == 0
    identity = Identity.objects.get(external_id="id-marie")
    assert (identity.person, identity.handle) == (person, "@marie")
    assert Conversation.objects.get().person == person


def test_the_same_email_joins_the_same_person(personas: Personas, channel: Channel) -> None:
    person = PersonFactory.create(workspace=personas.workspace_a)
    IdentityFactory.create(person=person, kind="email", external_id="marie@example.org")
    ingest(
        personas.workspace_a,
        channel,
        [event(1, a={"email": "Marie@Example.ORG "})],
    )
    assert Identity.objects.get(kind="x").person == person
    assert Person.objects.count() == 1


def test_the_same_phone_joins_the_same_person(personas: Personas, channel: Channel) -> None:
    person = PersonFactory.create(workspace=personas.workspace_a)
    IdentityFactory.create(person=person, kind="phone", external_id="+33612345678")
    ingest(personas.workspace_a, channel, [event(1, a={"phone": "06 12 34 56 78"})])
    assert Identity.objects.get(kind="x").person == person


def test_declared_profile_links_join_both_ways(personas: Personas, channel: Channel) -> None:
    # The Mastodon account arrives first; later an X account declares it in its bio.
    ingest(
        personas.workspace_a,
        channel,
        [
            event(
                1,
                "masto",
                a={"kind": "mastodon", "profile_url": "https://piaille.fr/@marie/"},
            )
        ],
    )
    ingest(
        personas.workspace_a,
        channel,
        [event(2, "marie", a={"declared": ["piaille.fr/@marie"]})],
    )
    assert Person.objects.count() == 1
    # And the other way round: a declared link first, the profile later.
    ingest(
        personas.workspace_a,
        channel,
        [event(3, "lea", a={"declared": ["https://bsky.app/profile/lea.bsky.social"]})],
    )
    ingest(
        personas.workspace_a,
        channel,
        [
            event(
                4,
                "lea-bsky",
                a={"kind": "bluesky", "profile_url": "https://bsky.app/profile/lea.bsky.social"},
            )
        ],
    )
    assert Person.objects.count() == 2
    assert (
        Identity.objects.get(kind="bluesky").person
        == Identity.objects.get(external_id="id-lea").person
    )


def test_new_authors_of_one_batch_sharing_an_email_are_one_person(
    personas: Personas, channel: Channel
) -> None:
    report = ingest(
        personas.workspace_a,
        channel,
        [
            event(1, "marie", a={"email": "marie@example.org"}),
            event(2, "marie-fb", a={"kind": "facebook", "email": "MARIE@example.org"}),
        ],
    )
    assert report.new_people == 1
    assert set(Identity.objects.values_list("kind", flat=True)) == {"x", "facebook", "email"}


def test_an_identity_claimed_by_two_people_is_suggested_not_merged(
    personas: Personas, channel: Channel
) -> None:
    first = PersonFactory.create(workspace=personas.workspace_a, display_name="A")
    second = PersonFactory.create(workspace=personas.workspace_a, display_name="B")
    IdentityFactory.create(person=first, kind="email", external_id="a@example.org")
    IdentityFactory.create(person=second, kind="phone", external_id="+33612345678")
    ingest(
        personas.workspace_a,
        channel,
        [event(1, a={"email": "a@example.org", "phone": "+33 6 12 34 56 78"})],
    )
    assert Person.objects.filter(merged_into__isnull=True).count() == 2
    assert Identity.objects.get(kind="x").person == first  # the older one
    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.person, suggestion.other, suggestion.score) == (first, second, 0.95)
    assert suggestion.reasons[0]["signal"] == "shared_key"


def test_threads_join_by_thread_id_and_private_messages_by_author(
    personas: Personas, channel: Channel
) -> None:
    ingest(
        personas.workspace_a,
        channel,
        [
            event(1, "marie", thread_id="post-1"),
            event(2, "paul", thread_id="post-1"),
            event(3, "marie", visibility="private", kind="direct"),
            event(4, "marie", visibility="private", kind="direct"),
        ],
    )
    assert sorted(Conversation.objects.values_list("thread_key", "message_count")) == [
        ("dm:id-marie", 2),
        ("post-1", 2),
    ]


def test_email_threads_by_references_then_by_subject(personas: Personas) -> None:
    mailbox = ChannelFactory.create(
        workspace=personas.workspace_a, kind="email", config={"address": "help@example.org"}
    )

    def mail(n: int, subject: str, **extra: Any) -> Candidate:
        return event(
            n,
            a={"kind": "email", "external_id": "Client@Example.org"},
            subject=subject,
            kind="email",
            visibility="private",
            **extra,
        )

    ingest(personas.workspace_a, mailbox, [mail(1, "Commande CMD-1 perdue")])
    ingest(
        personas.workspace_a,
        mailbox,
        [
            mail(2, "RE: Commande CMD-1 perdue", in_reply_to="m1", references=["m1"]),
            # Headers lost by the client: the subject still finds the conversation.
            mail(3, "TR: Re: Commande CMD-1 perdue"),
            mail(4, "Autre question"),
        ],
    )
    assert sorted(Conversation.objects.values_list("subject", "message_count")) == [
        ("Autre question", 1),
        ("Commande CMD-1 perdue", 3),
    ]
    assert Person.objects.count() == 1
    assert Identity.objects.get().external_id == "client@example.org"


def test_outbound_history_needs_no_author(personas: Personas, channel: Channel) -> None:
    ingest(personas.workspace_a, channel, [event(1)])
    report = ingest(
        personas.workspace_a,
        channel,
        [event(2, author=None, direction="outbound", in_reply_to="m1", text="On regarde !")],
    )
    assert report.stored == 1
    conversation = Conversation.objects.get()
    assert conversation.first_response_at is not None
    assert conversation.person is not None
    conversation.person.refresh_from_db()
    assert conversation.person.last_outbound_at == conversation.first_response_at


def test_the_channel_must_belong_to_the_workspace(personas: Personas, channel: Channel) -> None:
    with pytest.raises(ValueError, match="another workspace"):
        ingest(personas.workspace_b, channel, [event(1)])


def test_batches_cost_a_constant_number_of_queries(personas: Personas, channel: Channel) -> None:
    def batch(offset: int, size: int) -> list[Candidate]:
        return [
            event(offset + i, f"author{offset + i}", thread_id=f"t{(offset + i) % 7}")
            for i in range(size)
        ]

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        ingest(personas.workspace_a, channel, batch(0, 5))
    with CaptureQueriesContext(connection) as large:
        ingest(personas.workspace_a, channel, batch(100, 50))
    assert len(large.captured_queries) <= len(small.captured_queries) + 2


def test_unstorable_characters_are_refused_not_fatal(personas: Personas, channel: Channel) -> None:
    report = ingest(
        personas.workspace_a,
        channel,
        [event(1, text="nul \x00 byte"), event(2, text="lone \ud800 surrogate"), event(3)],
    )
    assert report.stored == 1
    assert {r.location: r.reason for r in report.rejected} == {
        "event 1": "text: contains a NUL character",
        "event 2": "text: Input should be a valid string, unable to parse raw data as a "
        "unicode string",
    }
    # The refused payloads are kept, with what cannot be stored escaped.
    assert "\\ud800" in RejectedEvent.objects.get(location="event 2").raw
