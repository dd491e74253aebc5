"""Scoring the intent reader against a labelled set: per-intent precision, recall, F1.

A labelled set is a JSON Lines file, one message a line:
``{"text": "...", "intents": ["complaint", "question"], "note": "hard case: sarcasm"}``.
Intents are multi-label, so each intent is scored as its own yes/no question over every
message, and the macro-F1 is the plain mean of the eight per-intent F1 scores.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypedDict

from comptoir.understanding.intents import INTENTS, detect_intents


class IntentFigures(TypedDict):
    precision: float
    recall: float
    f1: float
    support: int  # messages labelled with the intent


class Mistake(TypedDict):
    text: str
    expected: list[str]
    predicted: list[str]


class IntentEvaluation(TypedDict):
    path: str
    messages: int
    exact_match: float  # share of messages whose whole label set is right
    per_intent: dict[str, IntentFigures]
    macro_f1: float
    mistakes: list[Mistake]


def load_labelled(path: str | Path) -> list[tuple[str, set[str]]]:
    examples: list[tuple[str, set[str]]] = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            labels = set(record["intents"])
            unknown = labels - set(INTENTS)
            if unknown or not labels:
                raise ValueError(f"{path}:{number}: unknown or missing intents {sorted(unknown)}")
            examples.append((str(record["text"]), labels))
    return examples


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def evaluate_intents(path: str | Path) -> IntentEvaluation:
    """Read every message of a labelled set and score the readings against its labels."""
    examples = load_labelled(path)
    readings = detect_intents([text for text, _ in examples])
    predicted = [set(reading.labels) for reading in readings]
    per_intent: dict[str, IntentFigures] = {}
    for intent in INTENTS:
        true_positives = sum(
            1
            for (_, gold), guess in zip(examples, predicted, strict=True)
            if intent in gold & guess
        )
        guessed = sum(1 for guess in predicted if intent in guess)
        support = sum(1 for _, gold in examples if intent in gold)
        precision = _ratio(true_positives, guessed)
        recall = _ratio(true_positives, support)
        f1 = _ratio(round(2 * precision * recall * 1e9), round((precision + recall) * 1e9))
        per_intent[intent] = IntentFigures(
            precision=round(precision, 3), recall=round(recall, 3), f1=round(f1, 3), support=support
        )
    mistakes = [
        Mistake(text=text, expected=sorted(gold), predicted=sorted(guess))
        for (text, gold), guess in zip(examples, predicted, strict=True)
        if gold != guess
    ]
    return IntentEvaluation(
        path=str(path),
        messages=len(examples),
        exact_match=round(_ratio(len(examples) - len(mistakes), len(examples)), 3),
        per_intent=per_intent,
        macro_f1=round(sum(figures["f1"] for figures in per_intent.values()) / len(INTENTS), 3),
        mistakes=mistakes,
    )
