"""Ingestion stores what the analyzer reads in each message, and rolls it up on its
conversation: the latest inbound sentiment and the highest inbound urgency."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.pipeline import _Activity, ingest
from comptoir.ingest.types import Candidate
from tests.conftest import Personas
from tests.factories import ChannelFactory

COMPLAINT_FR = "Mon colis n'est jamais arrivé, c'est inadmissible, je veux un remboursement !"
PRAISE_EN = "Thank you so much, the lamp is gorgeous and arrived early. Love it!"
THREAT_FR = "Trois semaines sans réponse, je vais résilier et porter plainte auprès de la DGCCRF."


def event(
    n: int,
    text: str,
    *,
    author: str = "marie",
    thread: str = "t1",
    minute: int | None = None,
    **extra: Any,
) -> Candidate:
    payload: dict[str, Any] = {
        "external_id": f"m{n}",
        "created_at": f"2026-11-20T10:{n if minute is None else minute:02d}:00+01:00",
        "text": text,
        "thread_id": thread,
        "author": {"kind": "x", "external_id": f"id-{author}", "handle": f"@{author}"},
        **extra,
    }
    return Candidate(location=f"event {n}", payload=payload)


def reply(n: int, text: str, *, thread: str = "t1") -> Candidate:
    payload: dict[str, Any] = {
        "external_id": f"r{n}",
        "created_at": f"2026-11-20T10:{n:02d}:00+01:00",
        "text": text,
        "thread_id": thread,
        "direction": "outbound",
    }
    return Candidate(location=f"reply {n}", payload=payload)


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a, kind="x")


def test_a_french_complaint_and_an_english_praise_get_their_readings(
    personas: Personas, channel: Channel
) -> None:
    ingest(
        personas.workspace_a,
        channel,
        [
            event(1, COMPLAINT_FR, thread="complaint"),
            event(2, PRAISE_EN, author="john", thread="praise"),
        ],
    )

    complaint = Message.objects.get(external_id="m1")
    assert complaint.language == "fr"
    assert complaint.sentiment_label == "negative"
    assert complaint.sentiment_score is not None
    assert complaint.sentiment_score < 0
    assert "complaint" in complaint.intents
    assert all(0.5 <= score <= 1 for score in complaint.intents.values())
    assert complaint.urgency == "high"  # a complaint posted publicly
    assert complaint.urgency_reasons == ["public_complaint"]

    praise = Message.objects.get(external_id="m2")
    assert praise.language == "en"
    assert praise.sentiment_label == "positive"
    assert praise.sentiment_score is not None
    assert praise.sentiment_score > 0
    assert list(praise.intents) == ["praise"]
    assert praise.urgency == "low"
    assert praise.urgency_reasons == []


def test_a_private_complaint_is_not_raised_for_being_public(
    personas: Personas, channel: Channel
) -> None:
    ingest(personas.workspace_a, channel, [event(1, COMPLAINT_FR, visibility="private")])

    message = Message.objects.get(external_id="m1")
    assert message.urgency == "normal"
    assert message.urgency_reasons == []


def test_replies_get_a_language_and_no_other_reading(personas: Personas, channel: Channel) -> None:
    ingest(
        personas.workspace_a,
        channel,
        [event(1, COMPLAINT_FR), reply(2, "Toutes nos excuses, nous regardons tout de suite.")],
    )

    answer = Message.objects.get(external_id="r2")
    assert answer.language == "fr"
    assert (answer.sentiment_label, answer.sentiment_score) == ("", None)
    assert (answer.intents, answer.urgency, answer.urgency_reasons) == ({}, "", [])
    conversation = Conversation.objects.get()
    assert (conversation.sentiment, conversation.urgency) == ("negative", "high")


def test_the_conversation_keeps_the_latest_sentiment_and_the_highest_urgency(
    personas: Personas, channel: Channel
) -> None:
    ingest(personas.workspace_a, channel, [event(1, THREAT_FR)])
    conversation = Conversation.objects.get()
    assert conversation.urgency == "urgent"

    ingest(personas.workspace_a, channel, [event(2, PRAISE_EN)])
    conversation.refresh_from_db()
    assert conversation.sentiment == "positive"  # the latest inbound message's
    assert conversation.urgency == "urgent"  # the highest, kept

    # An older message delivered late does not replace the latest sentiment.
    ingest(personas.workspace_a, channel, [event(3, COMPLAINT_FR, minute=0)])
    conversation.refresh_from_db()
    assert (conversation.sentiment, conversation.urgency) == ("positive", "urgent")


def test_one_batch_rolls_up_its_own_messages(personas: Personas, channel: Channel) -> None:
    ingest(personas.workspace_a, channel, [event(1, PRAISE_EN), event(2, COMPLAINT_FR)])

    conversation = Conversation.objects.get()
    assert (conversation.sentiment, conversation.urgency) == ("negative", "high")


def test_the_roll_up_fields_are_written_for_existing_conversations() -> None:
    assert {"sentiment", "urgency"} <= set(_Activity.CONVERSATION_FIELDS)


def test_reading_keeps_the_query_count_constant(personas: Personas, channel: Channel) -> None:
    texts = [COMPLAINT_FR, PRAISE_EN, THREAT_FR]

    def batch(offset: int, size: int) -> list[Candidate]:
        return [
            event(
                offset + i,
                texts[i % 3],
                author=f"author{offset + i}",
                thread=f"t{(offset + i) % 7}",
                minute=i % 60,
            )
            for i in range(size)
        ]

    # Every thread exists from now on, each with its after-sales case already open, so the
    # batches measured below only read and store (opening cases is a fixed cost of its own,
    # tests/cases/test_after_sales.py).
    warm_up = [
        event(i, COMPLAINT_FR, author=f"author{i}", thread=f"t{i}", minute=i) for i in range(7)
    ]
    ingest(personas.workspace_a, channel, warm_up)
    with CaptureQueriesContext(connection) as small:
        ingest(personas.workspace_a, channel, batch(10, 5))
    with CaptureQueriesContext(connection) as large:
        ingest(personas.workspace_a, channel, batch(100, 60))

    assert len(large.captured_queries) <= len(small.captured_queries) + 2
    assert Message.objects.exclude(sentiment_label="").count() == 72
