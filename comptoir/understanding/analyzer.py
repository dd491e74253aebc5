"""The analyzer interface: a batch of texts in, one ``Reading`` per text out.

Everything that reads messages (the ingest pipeline, ``comptoir analyze``, a re-analysis
by the worker) goes through an ``Analyzer``, so a heavier model can replace the default
one behind the same call. ``DefaultAnalyzer`` is the one that runs inline in ingestion:
offline, on the CPU, batch-first.
"""

from __future__ import annotations

import importlib
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final, Protocol

from comptoir.understanding.entities import Entity, extract_entities
from comptoir.understanding.intents import THRESHOLD, detect_intents, normalise
from comptoir.understanding.language import DEFAULT_LANGUAGES, detect_languages
from comptoir.understanding.urgency import Context, Reason, Urgency, assess_urgency

__all__ = [
    "INTENT_THRESHOLD",
    "Analyzer",
    "Context",
    "DefaultAnalyzer",
    "Reading",
    "SentimentReader",
    "SentimentSource",
]

SENTIMENT_MODULE: Final = "comptoir.understanding.sentiment"
# An intent "fires" at this score: for callers that filter on ``Reading.intent_scores``.
INTENT_THRESHOLD: Final = THRESHOLD


class SentimentSource:
    MODEL: Final = "model"
    # The sentiment module is not there yet: every text reads neutral, and says so.
    UNAVAILABLE: Final = "unavailable"


@dataclass(frozen=True)
class Reading:
    language: str  # ISO 639-1, "" when the text has too little to tell
    language_confidence: float
    sentiment: str  # "negative", "neutral" or "positive"
    sentiment_score: float  # in [-1, 1]
    intents: dict[str, float]  # the intents that fire, with their scores; {"other": s} if none
    urgency: Urgency
    urgency_reasons: tuple[Reason, ...] = ()
    entities: tuple[Entity, ...] = ()
    intent_scores: dict[str, float] = field(default_factory=dict)  # every intent
    intent_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # why each fired
    urgency_cues: tuple[str, ...] = ()
    sentiment_source: str = SentimentSource.MODEL

    def as_json(self) -> dict[str, Any]:
        """The reading as plain JSON types, the shape ``comptoir analyze --file`` writes."""
        return {
            "language": self.language,
            "language_confidence": round(self.language_confidence, 3),
            "sentiment": self.sentiment,
            "sentiment_score": round(self.sentiment_score, 3),
            "sentiment_source": self.sentiment_source,
            "intents": self.intents,
            "urgency": str(self.urgency),
            "urgency_reasons": [str(reason) for reason in self.urgency_reasons],
            "entities": [
                {
                    "kind": entity.kind,
                    "value": entity.value,
                    "start": entity.start,
                    "end": entity.end,
                }
                for entity in self.entities
            ],
        }


class Analyzer(Protocol):
    def analyze(
        self,
        texts: Sequence[str],
        *,
        hints: Sequence[str] | None = None,
        context: Sequence[Context] | None = None,
    ) -> list[Reading]:
        """One reading per text, in order. ``hints`` are language codes from the channel
        ("" where it gave none); ``context`` holds what the pipeline knows of each text."""
        ...


@dataclass(frozen=True)
class _Sentiment:
    label: str
    score: float
    source: str


class SentimentReader(Protocol):
    """``analyze_sentiment``'s shape: readings with a ``label`` and a ``score``."""

    def __call__(self, texts: Sequence[str], languages: Sequence[str], /) -> Sequence[Any]: ...


def _sentiments(
    texts: Sequence[str], languages: Sequence[str], reader: SentimentReader | None
) -> list[_Sentiment]:
    if reader is None:
        # Imported when first needed, so the analyzer works while the sentiment model is
        # being built; any other import error inside that module is a real bug: it raises.
        try:
            module: Any = importlib.import_module(SENTIMENT_MODULE)
        except ModuleNotFoundError as exc:
            if exc.name != SENTIMENT_MODULE:
                raise
            return [_Sentiment("neutral", 0.0, SentimentSource.UNAVAILABLE) for _ in texts]
        reader = module.analyze_sentiment
    readings = reader(list(texts), list(languages))
    return [
        _Sentiment(str(reading.label), float(reading.score), SentimentSource.MODEL)
        for reading in readings
    ]


class DefaultAnalyzer:
    """Language by py3langid, sentiment by the sentiment model, intents, urgency and
    entities by transparent rules: each step runs once over the whole batch."""

    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        *,
        sentiment: SentimentReader | None = None,
    ) -> None:
        """``sentiment`` replaces ``sentiment.analyze_sentiment`` (a stronger model, a test)."""
        self.languages = tuple(languages)
        self.sentiment = sentiment

    def analyze(
        self,
        texts: Sequence[str],
        *,
        hints: Sequence[str] | None = None,
        context: Sequence[Context] | None = None,
        entities: bool = True,
    ) -> list[Reading]:
        """See ``Analyzer.analyze``; ``entities=False`` leaves them out (none stored)."""
        return self._analyze(texts, hints, context, entities=entities, lean=False)

    def _analyze(
        self,
        texts: Sequence[str],
        hints: Sequence[str] | None,
        context: Sequence[Context] | None,
        *,
        entities: bool,
        lean: bool,
    ) -> list[Reading]:
        """``lean`` readings leave out what ``analyze_lean`` drops (every intent's score and
        the cues): they are never worked out rather than worked out and thrown away."""
        for name, given in (("hints", hints), ("context", context)):
            if given is not None and len(given) != len(texts):
                raise ValueError(f"{name} has {len(given)} items for {len(texts)} texts")
        languages = detect_languages(texts, hints=hints, languages=self.languages)
        codes = [reading.language for reading in languages]
        sentiments = _sentiments(texts, codes, self.sentiment)
        normalised = [normalise(text) for text in texts]
        intents = detect_intents(texts, normalised=normalised, cues=not lean)
        urgencies = assess_urgency(texts, intents, context, normalised=normalised)
        found: Sequence[Sequence[Entity]] = [()] * len(texts)
        if entities:
            found = extract_entities(texts, codes)
        readings: list[Reading] = []
        for language, sentiment, intent, urgency, entity in zip(
            languages, sentiments, intents, urgencies, found, strict=True
        ):
            scores = intent.scores
            readings.append(
                Reading(
                    language=language.language,
                    language_confidence=language.confidence,
                    sentiment=sentiment.label,
                    sentiment_score=sentiment.score,
                    intents={name: scores[name] for name in intent.labels},
                    urgency=urgency.level,
                    urgency_reasons=urgency.reasons,
                    entities=tuple(entity),
                    intent_scores={} if lean else dict(scores),
                    intent_cues=intent.cues,
                    urgency_cues=() if lean else urgency.cues,
                    sentiment_source=sentiment.source,
                )
            )
        return readings


@cache
def default_analyzer() -> DefaultAnalyzer:
    """This process's default analyzer, built once: its models load on first use."""
    return DefaultAnalyzer()


def analyze_lean(
    texts: Sequence[str], hints: Sequence[str], publics: Sequence[bool], channel_kind: str
) -> list[Reading]:
    """The default analyzer's readings without entities and cues: what is stored with a
    message, and light to send back from another process (the ingest pipeline reads long
    imports in a helper process, see ``comptoir.ingest.pipeline``)."""
    return default_analyzer()._analyze(
        texts,
        hints,
        [Context(is_public=public, channel_kind=channel_kind) for public in publics],
        entities=False,
        lean=True,
    )


def languages_of(texts: Sequence[str], hints: Sequence[str]) -> list[str]:
    """The default analyzer's language of each text, and nothing else: what is stored for
    the brand's own messages."""
    found = detect_languages(texts, hints=hints, languages=default_analyzer().languages)
    return [reading.language for reading in found]


def end_with_parent(parent: int) -> None:
    """For a helper process: exit as soon as ``parent`` is gone, even if it was killed
    without a chance to say so (SIGKILL), rather than linger as an orphan."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()
