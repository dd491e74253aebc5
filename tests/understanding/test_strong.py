"""The optional strong analyzer: loaded from a directory, sentiment only, never breaking."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from comptoir.understanding.analyzer import DefaultAnalyzer
from comptoir.understanding.strong import (
    SOURCE,
    StrongAnalyzer,
    bucket,
    load_strong_analyzer,
)
from tests.understanding.strong_model import BUCKETS, write_tiny_model

TEXTS = [
    "Ce vase est formidable",
    "Le colis est affreux",
    "Je voudrais un remboursement pour ma commande",
]


def test_the_tiny_model_reads_as_designed(tmp_path: Path) -> None:
    strong = load_strong_analyzer(write_tiny_model(tmp_path / "model"))

    assert isinstance(strong, StrongAnalyzer)
    assert strong.version == "tiny-1"
    readings = strong.analyze(TEXTS)
    assert [r.sentiment for r in readings] == ["positive", "negative", "neutral"]
    assert readings[0].sentiment_score > 0.9
    assert readings[1].sentiment_score < -0.9
    assert abs(readings[2].sentiment_score) < 1e-9
    assert {r.sentiment_source for r in readings} == {SOURCE}


def test_everything_but_sentiment_comes_from_the_default_analyzer(tmp_path: Path) -> None:
    strong = load_strong_analyzer(write_tiny_model(tmp_path / "model"))
    assert strong is not None

    refined = strong.analyze(TEXTS, hints=["fr", "fr", "fr"])
    default = DefaultAnalyzer().analyze(TEXTS, hints=["fr", "fr", "fr"])
    for mine, theirs in zip(refined, default, strict=True):
        assert mine.language == theirs.language
        assert mine.intents == theirs.intents
        assert mine.urgency == theirs.urgency
        assert mine.entities == theirs.entities
    assert strong.analyze([]) == []


def test_hashing_is_stable() -> None:
    assert bucket("w:formidable", BUCKETS) == bucket("w:formidable", BUCKETS)
    assert 0 <= bucket("c:abc", BUCKETS) < BUCKETS


def test_empty_path_is_off_without_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        assert load_strong_analyzer("") is None
        assert load_strong_analyzer(None) is None
    assert not caplog.records


def test_missing_directory_is_none_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert load_strong_analyzer(tmp_path / "nowhere") is None
    assert len(caplog.records) == 1
    assert "not loaded" in caplog.records[0].getMessage()


@pytest.mark.parametrize(
    "damage",
    ["garbage_npz", "truncated_npz", "garbage_meta", "wrong_labels", "wrong_shape", "pickled"],
)
def test_invalid_model_is_none_without_raising(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    directory = write_tiny_model(tmp_path / "model")
    arrays = directory / "model.npz"
    meta = directory / "meta.json"
    if damage == "garbage_npz":
        arrays.write_bytes(b"not a model at all")
    elif damage == "truncated_npz":
        arrays.write_bytes(arrays.read_bytes()[:100])
    elif damage == "garbage_meta":
        meta.write_text("{", encoding="utf-8")
    elif damage == "wrong_labels":
        meta.write_text(json.dumps({"version": "x", "labels": ["good", "bad"]}), encoding="utf-8")
    elif damage == "wrong_shape":
        np.savez(arrays, embeddings=np.zeros((4, 8)), weights=np.zeros((5, 3)))
    else:
        np.savez(arrays, embeddings=np.array([object()], dtype=object), weights=np.zeros((8, 3)))

    with caplog.at_level(logging.WARNING):
        assert load_strong_analyzer(directory) is None
    assert len(caplog.records) == 1
