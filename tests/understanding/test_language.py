"""Language identification: the batch walk gives py3langid's own answers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from comptoir.understanding.language import (
    _NOISE,
    DEFAULT_LANGUAGES,
    MAX_CHARS,
    _identifier,
    detect_languages,
)

UMSAB = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "umsab"
SAMPLES = [
    "Bonjour, ma commande n'est toujours pas arrivée",
    "Hi, where is my order? It's been two weeks",
    "Hola, ¿dónde está mi pedido?",
    "Guten Tag, ich warte noch auf meine Bestellung",
    "Ciao, grazie mille per tutto",
    "Olá, o meu pedido ainda não chegou",
    "Hallo, mijn bestelling is nog niet aangekomen",
    "COMMANDE PAS REÇUE !!!",
    "ok",
    "👍👍👍",
    "1234 5678",
    "@marie #soldes https://example.com/x merci",
    "é" * 3000,
    "Un très long courriel. " * 200,
]


def _one_by_one(texts: list[str]) -> list[tuple[str, float]]:
    identifier = _identifier(DEFAULT_LANGUAGES)
    answers: list[tuple[str, float]] = []
    for text in texts:
        readings = detect_languages([text])  # the noise and too-short rules
        if not readings[0].language:
            answers.append(("", 0.0))
            continue
        language, confidence = identifier.classify(_NOISE.sub(" ", text[:MAX_CHARS]))
        answers.append((str(language), float(confidence)))
    return answers


def test_the_batch_gives_the_same_language_and_confidence_as_py3langid() -> None:
    texts = list(SAMPLES)
    if UMSAB.exists():
        pool = []
        for folder in ("french", "english"):
            pool += (UMSAB / folder / "val_text.txt").read_text(encoding="utf-8").splitlines()
        texts += random.Random(7).sample(pool, 300)  # noqa: S311 - a fixed sample, not a secret

    batch = detect_languages(texts)

    expected = _one_by_one(texts)
    for text, reading, (language, confidence) in zip(texts, batch, expected, strict=True):
        assert reading.language == language, text
        assert reading.confidence == pytest.approx(confidence, abs=1e-4), text


def test_hints_win_and_texts_without_letters_have_no_language() -> None:
    readings = detect_languages(["Hello there", "!!! 123", "Bonjour"], hints=["", "", "FR-be"])
    assert [r.language for r in readings] == ["en", "", "fr"]
    assert readings[2].confidence == 1.0
    assert readings[1].confidence == 0.0


def test_an_empty_batch() -> None:
    assert detect_languages([]) == []
