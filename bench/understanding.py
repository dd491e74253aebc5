"""Understanding benchmark: sentiment quality on UMSAB validation, and analyzer speed.

    .venv/bin/python bench/understanding.py [--data ../shared/data/umsab] [--texts 20000]

Prints, for French and English separately, the sentiment macro-F1 and the per-class
precision, recall and F1 on the UMSAB validation split (the models are trained on its train
split only, by scripts/train_sentiment.py), then the speed of ``analyze_sentiment`` in texts
per second on one core with batches of 1,000. Intent figures are printed when the intents
evaluation set and analyzer exist (see ``intents_report``).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# One core, as the goal is stated: numpy's BLAS must not spread over the machine.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

from comptoir.understanding.sentiment import LABELS, analyze_sentiment  # noqa: E402  (after the thread caps)

FOLDERS = {"fr": "french", "en": "english"}
BATCH = 1000


def read_split(data: Path, language: str, split: str) -> tuple[list[str], list[str]]:
    folder = data / FOLDERS[language]
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    codes = (folder / f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return texts, [LABELS[int(code)] for code in codes]


def class_report(gold: list[str], predicted: list[str]) -> tuple[float, list[str]]:
    """Macro-F1 (in %) and one line per class."""
    lines = []
    f1s = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        predicted_n = predicted.count(label)
        gold_n = gold.count(label)
        precision = tp / predicted_n if predicted_n else 0.0
        recall = tp / gold_n if gold_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        f1s.append(f1)
        lines.append(
            f"    {label:<9} precision {precision * 100:5.1f}  recall {recall * 100:5.1f}"
            f"  F1 {f1 * 100:5.1f}  (n={gold_n})"
        )
    return sum(f1s) / len(f1s) * 100, lines


def sentiment_report(data: Path) -> None:
    for language in FOLDERS:
        texts, gold = read_split(data, language, "val")
        readings = analyze_sentiment(texts, [language] * len(texts))
        macro, lines = class_report(gold, [r.label for r in readings])
        print(f"sentiment {language}: UMSAB val, {len(texts)} tweets, macro-F1 {macro:.1f}")
        print("\n".join(lines))


def _texts_per_second(items: list[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        analyze_sentiment([text for text, _ in batch], [language for _, language in batch])
    return len(items) / (time.perf_counter() - started)


def speed_report(data: Path, total: int) -> None:
    pool: list[tuple[str, str]] = []
    for language in FOLDERS:
        for split in ("train", "val"):
            texts, _ = read_split(data, language, split)
            pool.extend((text, language) for text in texts)
    analyze_sentiment(["warm-up: loads the model"], ["en"])
    # First pass: every tweet once, while the per-token cache is still cold.
    cold = _texts_per_second(pool)
    # Then the real tweets repeated up to the size asked for; batches mix both languages.
    items = [pool[i % len(pool)] for i in range(total)]
    warm = _texts_per_second(items)
    mean = sum(len(text) for text, _ in pool) / len(pool)
    print(f"speed, one core, batches of {BATCH}, UMSAB tweets (mean {mean:.0f} chars):")
    print(f"    {len(pool)} distinct tweets, cold token cache: {cold:,.0f} texts/s")
    print(f"    {total} texts (the same tweets repeated): {warm:,.0f} texts/s")
    # The whole default analyzer, as the pipeline runs it: language, sentiment, intents,
    # urgency and entities. Models are loaded first (a worker loads them once). Each figure
    # is the best of three runs, the sentiment per-token cache emptied before each "cold"
    # run so that the distinct tweets start it cold.
    from comptoir.understanding import sentiment
    from comptoir.understanding.analyzer import DefaultAnalyzer

    analyzer = DefaultAnalyzer()
    analyzer.analyze(["warm-up: loads the language and sentiment models"])
    texts = [text for text, _ in pool]

    def cold_run() -> float:
        for model in sentiment._models().values():
            model.tokens.clear()
        return _analyzer_speed(analyzer, texts)

    cold_whole = max(cold_run() for _ in range(3))
    warm_whole = max(_analyzer_speed(analyzer, [text for text, _ in items]) for _ in range(3))
    print("    whole analyzer (language, sentiment, intents, urgency, entities), best of 3:")
    print(f"        {len(texts)} distinct tweets, cold token cache: {cold_whole:,.0f} texts/s")
    print(f"        {len(items)} texts (the same tweets repeated): {warm_whole:,.0f} texts/s")
    # What the ingest pipeline runs: the same, less the entities, which it does not store.
    lean = max(_lean_speed(texts) for _ in range(3))
    print(f"    as the pipeline reads (no entities), {len(texts)} distinct tweets: {lean:,.0f}/s")


def _lean_speed(texts: list[str]) -> float:
    from comptoir.understanding import sentiment
    from comptoir.understanding.analyzer import analyze_lean

    for model in sentiment._models().values():
        model.tokens.clear()
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        batch = texts[start : start + BATCH]
        analyze_lean(batch, [""] * len(batch), [False] * len(batch), "")
    return len(texts) / (time.perf_counter() - started)


def _analyzer_speed(analyzer: Any, texts: list[str]) -> float:
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        analyzer.analyze(texts[start : start + BATCH])
    return len(texts) / (time.perf_counter() - started)


def intents_report() -> None:
    """Intent figures from the other half of the analyzer, when its set and reader exist."""
    dataset = ROOT / "tests" / "data" / "intents"
    files = sorted(dataset.glob("*.jsonl"))
    if not files:
        print("intents: no evaluation set in tests/data/intents/ yet, skipped")
        return
    try:  # imported here: the intents reader is built alongside and may not be there yet
        from comptoir.understanding.evaluation import evaluate_intents
    except ImportError:
        print("intents: comptoir.understanding.evaluation not available yet, skipped")
        return
    for path in files:
        report = evaluate_intents(path)
        print(f"intents {path.stem}: {report['messages']} messages, macro-F1 {report['macro_f1']}")
        for intent, figures in report["per_intent"].items():
            print(
                f"    {intent:<20} precision {figures['precision']:.3f}"
                f"  recall {figures['recall']:.3f}  F1 {figures['f1']:.3f}"
                f"  (n={figures['support']})"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "umsab")
    parser.add_argument("--texts", type=int, default=20_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, as stated
    sentiment_report(args.data)
    speed_report(args.data, args.texts)
    intents_report()


if __name__ == "__main__":
    main()
