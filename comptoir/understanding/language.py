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

from py3langid.langid import MODEL_FILE, LanguageIdentifier

DEFAULT_LANGUAGES = ("fr", "en", "es", "de", "it", "nl", "pt")
# Handles, hashtags, links and numbers say nothing about the language and fool n-grams.
_NOISE = re.compile(r"(?:https?://\S+|[@#][\w.@-]+|\b[\w.-]+@[\w-]+\.[\w.]+|[\d/:.,-]+)")
# Three letters at least, anywhere: emoji-only or number-only texts have no language.
_ENOUGH_LETTERS = re.compile(r"[^\W\d_](?:.*?[^\W\d_]){2}", re.S)


@dataclass(frozen=True)
class LanguageReading:
    language: str  # ISO 639-1, or "" when the text has too little to tell
    confidence: float


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
    identifier = _identifier(tuple(languages))
    readings: list[LanguageReading] = []
    for index, text in enumerate(texts):
        hint = hints[index] if hints else ""
        if hint:
            readings.append(LanguageReading(hint[:2].lower(), 1.0))
            continue
        cleaned = _NOISE.sub(" ", text)
        if not _ENOUGH_LETTERS.search(cleaned):
            readings.append(LanguageReading("", 0.0))
            continue
        language, confidence = identifier.classify(cleaned)
        readings.append(LanguageReading(str(language), float(confidence)))
    return readings
