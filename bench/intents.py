"""Intent reading measured against the labelled sets in tests/data/intents/.

    .venv/bin/python bench/intents.py               # French and English
    .venv/bin/python bench/intents.py --mistakes    # and every message read wrongly
    .venv/bin/python bench/intents.py --speed       # and texts per second, one core

Prints, per language, each intent's precision, recall, F1 and support, the macro-F1 over
the eight intents, and the share of messages whose whole label set is right. The sets are
for measuring only: no cue is written or tuned against them.

``--speed`` times the rule-based steps (intents, urgency, entities) and the whole default
analyzer on batches of 1,000 texts drawn from the labelled sets and, when it is there, the
UMSAB validation text in ../shared/data/umsab (social posts, longer than care messages).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comptoir.understanding.analyzer import DefaultAnalyzer
from comptoir.understanding.entities import extract_entities
from comptoir.understanding.evaluation import evaluate_intents, load_labelled
from comptoir.understanding.intents import detect_intents
from comptoir.understanding.urgency import assess_urgency

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "intents"
UMSAB = ROOT.parent / "shared" / "data" / "umsab"
BATCH = 1000


def _texts(languages: list[str]) -> dict[str, list[str]]:
    pools = {
        "care messages": [
            text for lang in languages for text, _ in load_labelled(DATA / f"{lang}.jsonl")
        ]
    }
    social: list[str] = []
    for folder in ("french", "english"):
        path = UMSAB / folder / "val_text.txt"
        if path.exists():
            social += [line.strip() for line in path.open(encoding="utf-8") if line.strip()]
    if social:
        pools["UMSAB social posts"] = social
    return pools


def _rate(step: Callable[[list[str]], object], pool: list[str], batches: int) -> float:
    rng = random.Random(7)
    work = [[rng.choice(pool) for _ in range(BATCH)] for _ in range(batches)]
    step(work[0])  # loads models and compiles patterns outside the timing
    best = float("inf")
    for batch in work:
        # CPU time of this process: on a shared machine, wall time counts other people's work.
        started = time.process_time()
        step(batch)
        best = min(best, time.process_time() - started)
    return BATCH / best


@dataclass(frozen=True)
class _Neutral:
    label: str = "neutral"
    score: float = 0.0


def _no_sentiment(texts: Sequence[str], languages: Sequence[str], /) -> list[_Neutral]:
    return [_Neutral() for _ in texts]


def speed(languages: list[str], batches: int) -> None:
    steps: dict[str, Callable[[list[str]], object]] = {
        "intents": detect_intents,
        "intents + urgency": lambda batch: assess_urgency(batch, detect_intents(batch)),
        "entities": extract_entities,
        "analyzer, no sentiment": DefaultAnalyzer(sentiment=_no_sentiment).analyze,
        "whole default analyzer": DefaultAnalyzer().analyze,
    }
    for name, pool in _texts(languages).items():
        mean = sum(len(text) for text in pool) / len(pool)
        print(f"\nspeed on {name} ({len(pool)} texts, {mean:.0f} characters on average)")
        print(f"  best of {batches} batches of {BATCH:,}, CPU time of one process, one thread")
        for step_name, step in steps.items():
            try:
                rate = f"{_rate(step, pool, batches):>10,.0f} texts/s"
            except OSError as exc:  # the sentiment artefact is not built yet
                rate = f"  unavailable: {exc}"
            print(f"  {step_name:<24}{rate}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mistakes", action="store_true", help="list the messages read wrongly")
    parser.add_argument("--speed", action="store_true", help="also time the analyzer")
    parser.add_argument("--batches", type=int, default=5, metavar="N", help="timed batches")
    parser.add_argument("languages", nargs="*", default=["fr", "en"])
    args = parser.parse_args()
    for language in args.languages:
        result = evaluate_intents(DATA / f"{language}.jsonl")
        print(f"\n{language}: {result['messages']} messages ({result['path']})")
        print(f"  {'intent':<22}{'precision':>10}{'recall':>10}{'F1':>8}{'support':>9}")
        for intent, figures in result["per_intent"].items():
            print(
                f"  {intent:<22}{figures['precision']:>10.3f}{figures['recall']:>10.3f}"
                f"{figures['f1']:>8.3f}{figures['support']:>9}"
            )
        print(f"  macro-F1 {result['macro_f1']:.3f}   exact label set {result['exact_match']:.3f}")
        if args.mistakes:
            for mistake in result["mistakes"]:
                print(f"    {mistake['text']!r}: {mistake['expected']} -> {mistake['predicted']}")
    if args.speed:
        speed(args.languages, args.batches)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
