"""Language identification for short social texts, restricted to a configured set.

py3langid (a fast fork of langid.py) ships its model inside the package, so nothing is
downloaded. Restricting the candidates to the languages a brand actually receives makes
short texts far more accurate than an open-set guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from py3langid.langid import MODEL_FILE, LanguageIdentifier

DEFAULT_LANGUAGES = ("fr", "en", "es", "de", "it", "nl", "pt")
# Handles, hashtags, links and numbers say nothing about the language and fool n-grams.
_NOISE = re.compile(r"(?:https?://\S+|[@#][\w.@-]+|\b[\w.-]+@[\w-]+\.[\w.]+|[\d/:.,-]+)")
# The same for the many texts without "@" (no handle, no email): much cheaper to run. It is
# "https?://\S+|#[\w.@-]+|[\d/:.,-]+" with the first character of each alternative taken
# out in front (no two alternatives open on the same one, so the same text matches): the
# engine then skips the characters that cannot open a match instead of trying each one.
_NOISE_WITHOUT_AT = re.compile(
    r"[h#\d/:.,-](?:(?<=h)ttps?://\S+|(?<=#)[\w.@-]+|(?<=[\d/:.,-])[\d/:.,-]*)"
)
# Three letters at least, anywhere: emoji-only or number-only texts have no language.
_ENOUGH_LETTERS = re.compile(r"[^\W\d_](?:.*?[^\W\d_]){2}", re.S)


# The first characters tell the language of a long email as well as the whole does.
MAX_CHARS = 1000


@dataclass(frozen=True)
class LanguageReading:
    language: str  # ISO 639-1, or "" when the text has too little to tell
    confidence: float


_NO_LANGUAGE = LanguageReading("", 0.0)


@lru_cache(maxsize=8)
def _identifier(languages: tuple[str, ...]) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(languages))
    return identifier


def detect_languages(
    texts: Sequence[str],
    *,
    hints: Sequence[str] | None = None,
    languages: Sequence[str] = DEFAULT_LANGUAGES,
) -> list[LanguageReading]:
    """One reading per text. A hint (from the channel or the platform) wins when given."""
    readings = [_NO_LANGUAGE] * len(texts)
    todo: list[int] = []
    cleaned: list[str] = []
    for index, text in enumerate(texts):
        hint = hints[index] if hints else ""
        if hint:
            readings[index] = LanguageReading(hint[:2].lower(), 1.0)
            continue
        head = text[:MAX_CHARS]
        clean = (_NOISE if "@" in head else _NOISE_WITHOUT_AT).sub(" ", head)
        if _ENOUGH_LETTERS.search(clean):
            todo.append(index)
            cleaned.append(clean)
    if todo:
        found = _classify(_identifier(tuple(languages)), cleaned)
        for index, reading in zip(todo, found, strict=True):
            readings[index] = reading
    return readings


def _classify(identifier: LanguageIdentifier, texts: list[str]) -> list[LanguageReading]:
    """py3langid's ``classify`` for a whole batch at once.

    langid walks a byte automaton over each text, one Python step per byte. Here the
    texts walk it together: step ``t`` moves every text longer than ``t`` bytes with one
    numpy gather, so the Python loop runs as many times as the longest text has bytes
    (at most ``MAX_CHARS`` characters), not as many as the batch has. The naive Bayes
    scores and the length-tempered softmax are py3langid's own (tests/understanding
    check that both give the same answers).
    """
    encoded = [identifier._encode(text) for text in texts]
    order = sorted(range(len(encoded)), key=lambda i: -len(encoded[i]))
    lengths = np.fromiter((len(encoded[i]) for i in order), dtype=np.int64, count=len(order))
    flat = np.frombuffer(b"".join(encoded[i] for i in order), dtype=np.uint8).astype(np.int64)
    starts = np.zeros(len(order), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    move, output, start = _tables(identifier)
    # active[t]: how many texts (the longest first) are longer than t bytes.
    longest = int(lengths[0]) if len(lengths) else 0
    active = np.searchsorted(-lengths, -np.arange(longest), side="left")
    states = np.full(len(order), start, dtype=np.int64)
    # The rows of the table each step visits, in step order; what they emit is read once
    # after the walk, for all steps together, rather than step by step.
    visited: list[npt.NDArray[np.int64]] = []
    for step in range(longest):
        count = int(active[step])
        at = states[:count] + flat[starts[:count] + step]
        states[:count] = move[at]
        visited.append(at)
    classes = len(identifier.nb_classes)
    scores = np.zeros((len(order), classes), dtype=np.float32)
    emitted = output[np.concatenate(visited)] if visited else np.zeros(0, dtype=np.int64)
    hit = np.flatnonzero(emitted >= 0)
    if len(hit):
        # Step t visits texts 0 .. active[t] - 1 (the longest first).
        widths = active[:longest]
        firsts = np.repeat(np.cumsum(widths) - widths, widths)
        rows = (np.arange(len(emitted)) - firsts)[hit]
        features = emitted[hit]
        keys = rows * len(identifier.nb_ptc) + features
        if len(order) * len(identifier.nb_ptc) < 2**32:
            keys = keys.astype(np.uint32)  # sorted in about half the time
        keys, counts = np.unique(keys, return_counts=True)
        rows, features = np.divmod(keys, len(identifier.nb_ptc))
        weighted = np.log1p(counts.astype(np.float32))[:, None] * identifier.nb_ptc[features]
        for column in range(classes):
            scores[:, column] = np.bincount(rows, weights=weighted[:, column], minlength=len(order))
        seen = np.zeros(len(order), dtype=bool)
        seen[rows] = True
        scores[seen] += identifier.nb_pc
    # The softmax of py3langid's norm_probs, tempered by the square root of the length.
    scores *= (1.0 / np.sqrt(np.maximum(lengths, 1)))[:, None].astype(np.float32)
    scores = np.exp(scores - scores.max(axis=1, keepdims=True))
    scores /= scores.sum(axis=1, keepdims=True)
    for first, duplicate in identifier._alias_pairs:
        scores[:, first] += scores[:, duplicate]
        scores[:, duplicate] = 0.0
    best = scores.argmax(axis=1)
    # Read out for all texts at once: numpy indexing one text at a time costs more.
    labels = [str(name) for name in identifier.nb_classes]
    names = [labels[column] for column in best.tolist()]
    confidences = scores[np.arange(len(order)), best].tolist()
    readings = [_NO_LANGUAGE] * len(order)
    for original, name, confidence in zip(order, names, confidences, strict=True):
        readings[original] = LanguageReading(name, confidence)
    return readings


@lru_cache(maxsize=8)
def _tables(
    identifier: LanguageIdentifier,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], int]:
    """The automaton with each state stored pre-shifted to its row: from ``at`` = row of
    the state + byte, ``move[at]`` is the next state's row and ``output[at]`` the
    feature it emits (-1 for none): two lookups a step instead of four. The walk starts
    at state 0's row."""
    nextmove = np.asarray(identifier.tk_nextmove, dtype=np.int64)
    rowbase = np.asarray(identifier._rowbase, dtype=np.int64)
    output = np.asarray(identifier.tk_output, dtype=np.int64)
    return rowbase[nextmove], output[nextmove], int(rowbase[0])
