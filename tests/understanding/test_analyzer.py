"""The analyzer interface and the default analyzer: one reading per text, batch-first."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from comptoir.understanding import analyzer as analyzer_module
from comptoir.understanding.analyzer import (
    Analyzer,
    Context,
    DefaultAnalyzer,
    Reading,
    SentimentSource,
)
from comptoir.understanding.entities import Entity
from comptoir.understanding.urgency import Reason, Urgency


@dataclass(frozen=True)
class FakeSentiment:
    label: str
    score: float


class RecordingSentiment:
    """Stands in for the sentiment model: negative when the text says "retard"."""

    def __init__(self) -> None:
        self.calls: list[tuple[list[str], list[str]]] = []

    def __call__(self, texts: Sequence[str], languages: Sequence[str], /) -> list[FakeSentiment]:
        self.calls.append((list(texts), list(languages)))
        return [
            FakeSentiment("negative", -0.8) if "retard" in text else FakeSentiment("neutral", 0.0)
            for text in texts
        ]


def test_the_default_analyzer_is_an_analyzer() -> None:
    analyzer: Analyzer = DefaultAnalyzer()
    assert callable(analyzer.analyze)


def test_a_reading_holds_every_finding() -> None:
    sentiment = RecordingSentiment()
    text = "super, encore en retard 🙄 commande CMD-2026-48213, je résilie @Comptoir"
    reading = DefaultAnalyzer(sentiment=sentiment).analyze(
        [text], hints=["fr"], context=[Context(is_public=True)]
    )[0]
    assert reading.language == "fr"
    assert reading.language_confidence == 1.0
    assert (reading.sentiment, reading.sentiment_score) == ("negative", -0.8)
    assert reading.sentiment_source == SentimentSource.MODEL
    assert set(reading.intents) == {"complaint", "churn_threat"}
    assert reading.intent_cues["churn_threat"] == ("resilie",)
    assert reading.urgency == Urgency.URGENT
    assert reading.urgency_reasons == (Reason.CHURN_THREAT, Reason.PUBLIC_COMPLAINT)
    assert reading.entities == (
        Entity("order", "CMD-2026-48213", 35, 49),
        Entity("handle", "@Comptoir", 62, 71),
    )
    assert sentiment.calls == [([text], ["fr"])]


def test_languages_are_detected_when_no_hint_is_given() -> None:
    readings = DefaultAnalyzer(sentiment=RecordingSentiment()).analyze(
        [
            "Bonjour, je voudrais être remboursé de mon billet annulé",
            "Hello, I would like a refund for my cancelled ticket",
        ]
    )
    assert [reading.language for reading in readings] == ["fr", "en"]
    assert all(reading.intents == {"after_sales": 0.8} for reading in readings)


def test_the_sentiment_model_runs_once_per_batch() -> None:
    sentiment = RecordingSentiment()
    texts = [f"message {number}" for number in range(50)]
    readings = DefaultAnalyzer(sentiment=sentiment).analyze(texts)
    assert len(readings) == 50
    assert len(sentiment.calls) == 1


def test_without_a_sentiment_module_every_text_reads_neutral_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(analyzer_module, "SENTIMENT_MODULE", "comptoir.understanding.absent")
    reading = DefaultAnalyzer().analyze(["Livraison en retard, inadmissible"])[0]
    assert (reading.sentiment, reading.sentiment_score) == ("neutral", 0.0)
    assert reading.sentiment_source == SentimentSource.UNAVAILABLE


def test_hints_and_context_must_match_the_texts() -> None:
    analyzer = DefaultAnalyzer(sentiment=RecordingSentiment())
    with pytest.raises(ValueError, match="hints has 1 items for 2 texts"):
        analyzer.analyze(["a", "b"], hints=["fr"])
    with pytest.raises(ValueError, match="context has 0 items for 1 texts"):
        analyzer.analyze(["a"], context=[])


def test_an_empty_batch_reads_as_nothing() -> None:
    assert DefaultAnalyzer(sentiment=RecordingSentiment()).analyze([]) == []


def test_as_json_is_plain_json() -> None:
    reading = Reading(
        language="en",
        language_confidence=0.98765,
        sentiment="positive",
        sentiment_score=0.61234,
        intents={"praise": 0.7},
        urgency=Urgency.LOW,
        entities=(Entity("hashtag", "#thanks", 0, 7),),
    )
    assert json.loads(json.dumps(reading.as_json())) == {
        "language": "en",
        "language_confidence": 0.988,
        "sentiment": "positive",
        "sentiment_score": 0.612,
        "sentiment_source": "model",
        "intents": {"praise": 0.7},
        "urgency": "low",
        "urgency_reasons": [],
        "entities": [{"kind": "hashtag", "value": "#thanks", "start": 0, "end": 7}],
    }
