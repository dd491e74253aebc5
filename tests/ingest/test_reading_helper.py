"""Long inputs are read ahead in a helper process; its readings are the in-process ones,
and its death costs nothing but time."""

from __future__ import annotations

import os
import signal
import time

import pytest

from comptoir.channels.models import Channel
from comptoir.inbox.models import Message
from comptoir.ingest import reading as reading_step
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.reading import reading_fields
from comptoir.ingest.types import Candidate
from comptoir.understanding.analyzer import analyze_lean
from tests.conftest import Personas
from tests.factories import ChannelFactory

TEXTS = [
    "Mon colis n'est jamais arrivé, c'est inadmissible, je veux un remboursement !",
    "Thank you so much, the lamp is gorgeous and arrived early. Love it!",
    "Si rien ne bouge d'ici vendredi je résilie mon abonnement.",
    "Is this model available in brass? I want to order three.",
]

pytestmark = pytest.mark.skipif(
    len(os.sched_getaffinity(0)) < 2, reason="the helper only runs with two cores or more"
)


def candidates(start: int, count: int) -> list[Candidate]:
    return [
        Candidate(
            location=f"event {n}",
            payload={
                "external_id": f"m{n}",
                "created_at": f"2026-11-20T10:{n % 60:02d}:{n // 60 % 60:02d}+00:00",
                "text": TEXTS[n % len(TEXTS)],
                "visibility": "public" if n % 2 else "private",
                "author": {"kind": "x", "external_id": f"id-{n % 7}", "handle": f"@p{n % 7}"},
            },
        )
        for n in range(start, start + count)
    ]


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a, kind="x")


def stored_readings() -> dict[str, dict[str, object]]:
    return {
        m.external_id or "": {name: getattr(m, name) for name in reading_fields(None, "")}
        for m in Message.objects.all()
    }


def test_a_long_input_is_read_ahead_and_stored_as_read_in_process(
    personas: Personas, channel: Channel
) -> None:
    report = ingest(personas.workspace_a, channel, candidates(0, 130), batch_size=40)

    assert report.stored == 130
    assert reading_step._HELPER, "a long input shares its reading with the helper"
    texts = [TEXTS[n % len(TEXTS)] for n in range(130)]
    publics = [bool(n % 2) for n in range(130)]
    expected = analyze_lean(texts, [""] * 130, publics, "x")
    stored = stored_readings()
    for n, reading in enumerate(expected):
        assert stored[f"m{n}"] == reading_fields(reading, "inbound"), n


def test_when_the_helper_dies_the_batches_are_read_here(
    personas: Personas, channel: Channel, caplog: pytest.LogCaptureFixture
) -> None:
    ingest(personas.workspace_a, channel, candidates(0, 80), batch_size=40)
    [pid] = list(reading_step._HELPER[0]._processes or {})
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)

    report = ingest(personas.workspace_a, channel, candidates(80, 120), batch_size=40)

    assert report.stored == 120
    assert Message.objects.filter(sentiment_label="").count() == 0
    assert "the reading helper process died" in caplog.text
    # The next long input has a helper again.
    ingest(personas.workspace_a, channel, candidates(200, 80), batch_size=40)
    assert reading_step._HELPER
    assert Message.objects.count() == 280


def test_a_full_first_batch_is_read_by_both_processes_with_the_same_readings(
    personas: Personas, channel: Channel
) -> None:
    reading_step._forget_helper()
    count = reading_step.SLICE * 2 + 17  # three slices: the helper takes some, this the rest
    report = ingest(personas.workspace_a, channel, candidates(0, count), batch_size=count)

    assert report.stored == count
    assert reading_step._HELPER, "a full first batch already shares its reading"
    texts = [TEXTS[n % len(TEXTS)] for n in range(count)]
    publics = [bool(n % 2) for n in range(count)]
    expected = analyze_lean(texts, [""] * count, publics, "x")
    stored = stored_readings()
    assert [stored[f"m{n}"] for n in range(count)] == [
        reading_fields(r, "inbound") for r in expected
    ]


def test_a_short_input_is_read_here_without_starting_the_helper(
    personas: Personas, channel: Channel
) -> None:
    reading_step._forget_helper()

    report = ingest(personas.workspace_a, channel, candidates(0, 30), batch_size=40)

    assert report.stored == 30
    assert not reading_step._HELPER


def test_the_brands_own_messages_are_read_for_their_language_only() -> None:
    texts = [TEXTS[n % len(TEXTS)] for n in range(12)]
    directions = ["inbound" if n % 3 else "outbound" for n in range(12)]
    publics = [bool(n % 2) for n in range(12)]
    full = analyze_lean(texts, [""] * 12, publics, "x")

    stored = reading_step.read_piece(texts, [""] * 12, publics, directions, "x")

    assert stored == [reading_fields(r, d) for r, d in zip(full, directions, strict=True)]
    assert {s["language"] for s in stored} == {"fr", "en"}
