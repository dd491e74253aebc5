"""The Unhandled clock kept by the pipeline: inbound waits until a reply comes after it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate
from tests.conftest import Personas
from tests.factories import ChannelFactory


def message(n: int, minute: int, *, direction: str = "inbound", reply_to: str = "") -> Candidate:
    payload = {
        "external_id": f"m{n}",
        "created_at": f"2026-11-20T10:{minute:02d}:00+00:00",
        "text": f"Message {n}",
        "direction": direction,
        "thread_id": "t1",
        "author": {"kind": "x", "external_id": "id-marie", "handle": "@marie"},
    }
    if reply_to:
        payload["in_reply_to"] = reply_to
    return Candidate(location=f"event {n}", payload=payload)


def at(minute: int) -> datetime:
    return datetime(2026, 11, 20, 10, minute, tzinfo=UTC)


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a)


def clock(channel: Channel) -> datetime | None:
    return Conversation.objects.get(channel=channel).unhandled_since


def test_inbound_starts_the_clock_and_later_inbound_keeps_its_start(
    personas: Personas, channel: Channel
) -> None:
    ingest(personas.workspace_a, channel, [message(1, 5)])
    assert clock(channel) == at(5)

    ingest(personas.workspace_a, channel, [message(2, 9)])
    assert clock(channel) == at(5)


def test_a_reply_after_every_inbound_message_stops_the_clock(
    personas: Personas, channel: Channel
) -> None:
    ingest(personas.workspace_a, channel, [message(1, 5), message(2, 6)])
    ingest(personas.workspace_a, channel, [message(3, 8, direction="outbound", reply_to="m2")])
    assert clock(channel) is None


def test_inbound_after_the_last_reply_waits_from_its_own_time(
    personas: Personas, channel: Channel
) -> None:
    ingest(
        personas.workspace_a,
        channel,
        [message(1, 5), message(2, 7, direction="outbound"), message(3, 9), message(4, 12)],
    )
    assert clock(channel) == at(9)


def test_an_old_reply_imported_late_does_not_stop_a_newer_wait(
    personas: Personas, channel: Channel
) -> None:
    ingest(personas.workspace_a, channel, [message(1, 5), message(3, 20)])
    ingest(personas.workspace_a, channel, [message(2, 10, direction="outbound")])
    # The reply answered message 1 only; message 3 still waits, and the clock keeps its
    # start rather than guess which inbound message came first after the reply.
    assert clock(channel) == at(5)


def test_a_batch_that_ends_with_a_reply_leaves_nothing_waiting(
    personas: Personas, channel: Channel
) -> None:
    ingest(
        personas.workspace_a,
        channel,
        [message(1, 5), message(2, 6), message(3, 7, direction="outbound")],
    )
    assert clock(channel) is None
