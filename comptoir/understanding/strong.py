"""An optional, heavier sentiment model behind the same ``Analyzer`` interface.

It is loaded from a local directory (``settings.STRONG_ANALYZER_PATH``) and run by the
worker to refine stored messages; it never runs inline in ingestion. It reads sentiment
only (label and score); language, intents, urgency and entities come from the
``DefaultAnalyzer``.

The directory holds two files:

``meta.json``
    ``{"version": "...", "labels": ["negative", "neutral", "positive"],
    "char_ngrams": [3, 5]}``: ``labels`` names the columns of the output layer, in order
    (a permutation of the three sentiment labels); ``char_ngrams`` is the inclusive range
    of character n-gram sizes hashed with each word, or ``null`` for words only.
``model.npz`` (plain arrays, read with ``allow_pickle=False``)
    ``embeddings``: float, shape ``(buckets, dim)``, one row per hash bucket;
    ``weights``: float, shape ``(dim, len(labels))``; ``bias``: float, shape
    ``(len(labels),)``, optional (zeros).

A text is normalised as the default model does, split into words; each word (``"w:"`` +
word) and each of its character n-grams (``"c:"`` + n-gram) is hashed with CRC-32 into a
bucket; the text's embedding is the mean of those buckets' rows, and a softmax layer gives
the label probabilities. The score is ``p(positive) - p(negative)``, in [-1, 1].
"""

from __future__ import annotations

import json
import logging
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from comptoir.understanding.analyzer import Context, DefaultAnalyzer, Reading
from comptoir.understanding.sentiment import char_ngrams, normalise

__all__ = ["LABELS", "SOURCE", "StrongAnalyzer", "StrongModel", "bucket", "load_strong_analyzer"]

logger = logging.getLogger(__name__)

LABELS: Final = frozenset({"negative", "neutral", "positive"})
META: Final = "meta.json"
ARRAYS: Final = "model.npz"
# ``Reading.sentiment_source`` of a reading refined by this model.
SOURCE: Final = "strong"
_WORD = re.compile(r"\w+(?:'\w+)?")


def bucket(feature: str, buckets: int) -> int:
    """The row of ``feature`` ("w:word" or "c:ngram"): stable across processes."""
    return zlib.crc32(feature.encode("utf-8")) % buckets


@dataclass(frozen=True)
class StrongSentiment:
    label: str
    score: float


@dataclass(frozen=True)
class StrongModel:
    version: str
    labels: tuple[str, ...]
    char_ngrams: tuple[int, int] | None
    embeddings: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]
    bias: npt.NDArray[np.float64]

    def features(self, text: str) -> list[int]:
        buckets = self.embeddings.shape[0]
        rows: list[int] = []
        for word in _WORD.findall(normalise(text)):
            rows.append(bucket("w:" + word, buckets))
            if self.char_ngrams is not None:
                low, high = self.char_ngrams
                rows.extend(
                    bucket("c:" + gram, buckets)
                    for gram in char_ngrams(word)
                    if low <= len(gram) <= high
                )
        return rows

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """One row of label probabilities per text, in ``labels`` order."""
        dim = self.embeddings.shape[1]
        pooled = np.zeros((len(texts), dim), dtype=np.float64)
        for index, text in enumerate(texts):
            rows = self.features(text)
            if rows:
                pooled[index] = self.embeddings[rows].mean(axis=0)
        logits = pooled @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        result: npt.NDArray[np.float64] = exp / exp.sum(axis=1, keepdims=True)
        return result

    def __call__(self, texts: Sequence[str], languages: Sequence[str], /) -> list[StrongSentiment]:
        """``analyze_sentiment``'s shape, so the ``DefaultAnalyzer`` can take it as is."""
        if not texts:
            return []
        probabilities = self.probabilities(texts)
        positive = self.labels.index("positive")
        negative = self.labels.index("negative")
        return [
            StrongSentiment(self.labels[int(row.argmax())], float(row[positive] - row[negative]))
            for row in probabilities
        ]


class StrongAnalyzer:
    """The default analyzer with the strong model reading sentiment."""

    def __init__(self, model: StrongModel) -> None:
        self.model = model
        self._default = DefaultAnalyzer(sentiment=model)

    @property
    def version(self) -> str:
        return self.model.version

    def analyze(
        self,
        texts: Sequence[str],
        *,
        hints: Sequence[str] | None = None,
        context: Sequence[Context] | None = None,
    ) -> list[Reading]:
        readings = self._default.analyze(texts, hints=hints, context=context)
        return [replace(reading, sentiment_source=SOURCE) for reading in readings]


def _float_array(arrays: np.lib.npyio.NpzFile, name: str, ndim: int) -> npt.NDArray[np.float64]:
    array = arrays[name]
    if array.ndim != ndim or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"{name}: expected a numeric array of {ndim} dimension(s)")
    result: npt.NDArray[np.float64] = np.asarray(array, dtype=np.float64)
    if not np.isfinite(result).all():
        raise ValueError(f"{name}: not finite")
    return result


def _read(directory: Path) -> StrongModel:
    meta = json.loads((directory / META).read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ValueError("meta.json: expected an object")
    version, labels, grams = meta["version"], meta["labels"], meta.get("char_ngrams")
    if not isinstance(version, str) or not isinstance(labels, list):
        raise ValueError("meta.json: version must be a string and labels a list")
    if len(labels) != len(LABELS) or set(labels) != LABELS:
        raise ValueError(f"meta.json: labels must be {sorted(LABELS)} in some order")
    char_range: tuple[int, int] | None = None
    if grams is not None:
        if (
            not isinstance(grams, list)
            or len(grams) != 2
            or not all(isinstance(n, int) and n > 0 for n in grams)
            or grams[0] > grams[1]
        ):
            raise ValueError("meta.json: char_ngrams must be [low, high] or null")
        char_range = (grams[0], grams[1])
    with np.load(directory / ARRAYS, allow_pickle=False) as arrays:
        embeddings = _float_array(arrays, "embeddings", 2)
        weights = _float_array(arrays, "weights", 2)
        bias = _float_array(arrays, "bias", 1) if "bias" in arrays.files else np.zeros(len(labels))
    if embeddings.shape[0] == 0 or weights.shape != (embeddings.shape[1], len(labels)):
        raise ValueError("model.npz: embeddings (buckets, dim) and weights (dim, 3) disagree")
    if bias.shape != (len(labels),):
        raise ValueError("model.npz: bias must have one value per label")
    return StrongModel(version, tuple(labels), char_range, embeddings, weights, bias)


def load_strong_analyzer(path: str | Path | None) -> StrongAnalyzer | None:
    """The strong analyzer at ``path``, or None: an empty path means it is off (silently);
    a missing or invalid directory logs one warning. It never raises."""
    if not path:
        return None
    directory = Path(path)
    try:
        model = _read(directory)
    except (OSError, ValueError, KeyError, TypeError, EOFError, zipfile.BadZipFile) as exc:
        logger.warning("Strong analyzer at %s not loaded: %s", directory, exc)
        return None
    return StrongAnalyzer(model)
