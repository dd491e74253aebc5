"""The strong analyzer refines stored messages in the worker, and only when configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from pytest_django.fixtures import Settings

from comptoir.inbox.models import Conversation, Direction, Message
from comptoir.ingest import pipeline
from comptoir.ingest.reanalysis import refine, strong_analyzer
from comptoir.ingest.tasks import refine_readings_task
from tests.conftest import Personas
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory
from tests.understanding.strong_model import write_tiny_model


@pytest.fixture
def stored(personas: Personas) -> dict[str, Any]:
    """An earlier complaint and a later inbound message the default model reads negative."""
    channel = ChannelFactory.create(workspace=personas.workspace_a, kind="x")
    convo = ConversationFactory.create(workspace=personas.workspace_a, channel=channel)
    earlier = MessageFactory.create(conversation=convo, text="Le colis est affreux")
    latest = MessageFactory.create(
        conversation=convo,
        text="Ce vase est formidable",
        sent_at=earlier.sent_at.replace(hour=23),
    )
    answer = MessageFactory.create(
        conversation=convo,
        direction=Direction.OUTBOUND,
        author_identity=None,
        text="Merci, c'est formidable",
        sent_at=latest.sent_at,
    )
    Message.objects.filter(pk__in=[earlier.pk, latest.pk]).update(
        sentiment_label="negative", sentiment_score=-0.5, urgency="low"
    )
    Conversation.objects.filter(pk=convo.pk).update(sentiment="negative", urgency="low")
    return {
        "workspace": personas.workspace_a,
        "other_workspace": personas.workspace_b,
        "convo": convo,
        "earlier": earlier,
        "latest": latest,
        "answer": answer,
    }


def ids(stored: dict[str, Any]) -> list[int]:
    return [stored[name].pk for name in ("earlier", "latest", "answer")]


def test_the_task_does_nothing_when_not_configured(
    stored: dict[str, Any], settings: Settings
) -> None:
    settings.STRONG_ANALYZER_PATH = ""

    refine_readings_task(stored["workspace"].pk, ids(stored))

    assert strong_analyzer() is None
    latest = Message.objects.get(pk=stored["latest"].pk)
    assert (latest.sentiment_label, latest.sentiment_score) == ("negative", -0.5)
    assert Conversation.objects.get(pk=stored["convo"].pk).sentiment == "negative"


def test_the_task_refines_messages_and_the_roll_up(
    stored: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    settings.STRONG_ANALYZER_PATH = str(write_tiny_model(tmp_path / "strong"))

    refine_readings_task(stored["workspace"].pk, ids(stored))

    earlier = Message.objects.get(pk=stored["earlier"].pk)
    latest = Message.objects.get(pk=stored["latest"].pk)
    answer = Message.objects.get(pk=stored["answer"].pk)
    assert earlier.sentiment_label == "negative"
    assert earlier.sentiment_score is not None
    assert earlier.sentiment_score < -0.9
    assert latest.sentiment_label == "positive"
    assert latest.sentiment_score is not None
    assert latest.sentiment_score > 0.9
    assert latest.urgency == "low"  # only sentiment is refined
    assert (answer.sentiment_label, answer.sentiment_score) == ("", None)  # outbound: untouched
    convo = Conversation.objects.get(pk=stored["convo"].pk)
    assert convo.sentiment == "positive"  # the latest inbound message's, refined
    assert convo.urgency == "low"


def test_other_workspaces_messages_are_left_alone(
    stored: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    settings.STRONG_ANALYZER_PATH = str(write_tiny_model(tmp_path / "strong"))

    assert refine(stored["other_workspace"].pk, ids(stored)) == 0
    assert refine(stored["workspace"].pk, []) == 0
    assert Message.objects.get(pk=stored["latest"].pk).sentiment_label == "negative"


def test_a_broken_model_does_nothing(
    stored: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    settings.STRONG_ANALYZER_PATH = str(tmp_path / "missing")

    assert refine(stored["workspace"].pk, ids(stored)) == 0
    assert Message.objects.get(pk=stored["latest"].pk).sentiment_label == "negative"


def test_after_commit_schedules_refinement_only_when_configured(
    settings: Settings,
) -> None:
    with (
        mock.patch("comptoir.ingest.tasks.refine_readings_task") as refine_task,
        mock.patch("comptoir.ingest.tasks.suggest_merges_task") as suggest,
        mock.patch("comptoir.ingest.pipeline.enqueue_messages_created"),
    ):
        settings.STRONG_ANALYZER_PATH = ""
        pipeline._after_commit(1, [2], [3, 4])
        refine_task.assert_not_called()
        suggest.assert_called_once_with(1, [2])

        settings.STRONG_ANALYZER_PATH = "/models/strong"
        pipeline._after_commit(1, [], [3, 4])
        refine_task.assert_called_once_with(1, [3, 4])
        pipeline._after_commit(1, [], [])
        refine_task.assert_called_once()


def test_refine_counts_inbound_messages_in_batches(
    stored: dict[str, Any], settings: Settings, tmp_path: Path
) -> None:
    settings.STRONG_ANALYZER_PATH = str(write_tiny_model(tmp_path / "strong"))

    assert refine(stored["workspace"].pk, [*ids(stored), stored["latest"].pk], size=1) == 2
    assert Message.objects.get(pk=stored["latest"].pk).sentiment_label == "positive"
    assert Conversation.objects.get(pk=stored["convo"].pk).sentiment == "positive"
