"""A tiny strong model, built in the tests in the format of ``comptoir.understanding.strong``:
64 buckets of 8 dimensions, words only; "formidable" reads positive, "affreux" negative,
anything else neutral."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from comptoir.understanding.strong import bucket

BUCKETS, DIM = 64, 8
LABELS = ["negative", "neutral", "positive"]
POSITIVE_WORD, NEGATIVE_WORD = "formidable", "affreux"


def write_tiny_model(directory: Path, *, version: str = "tiny-1") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    embeddings = np.zeros((BUCKETS, DIM), dtype=np.float32)
    embeddings[bucket("w:" + POSITIVE_WORD, BUCKETS), 0] = 1.0
    embeddings[bucket("w:" + NEGATIVE_WORD, BUCKETS), 1] = 1.0
    weights = np.zeros((DIM, len(LABELS)), dtype=np.float32)
    weights[0, LABELS.index("positive")] = 20.0
    weights[1, LABELS.index("negative")] = 20.0
    bias = np.array([0.0, 1.0, 0.0], dtype=np.float32)  # neutral unless a word says otherwise
    np.savez(directory / "model.npz", embeddings=embeddings, weights=weights, bias=bias)
    meta = {"version": version, "labels": LABELS, "char_ngrams": None}
    (directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return directory
