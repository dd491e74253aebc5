"""``comptoir analyze``: a text explained, a file of texts as JSON lines."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.ingest.management.commands import analyze as command
from comptoir.understanding.analyzer import DefaultAnalyzer


@dataclass(frozen=True)
class FakeSentiment:
    label: str
    score: float


def negative_sentiment(texts: Sequence[str], languages: Sequence[str], /) -> list[FakeSentiment]:
    return [FakeSentiment("negative", -0.5) for _ in texts]


@pytest.fixture(autouse=True)
def fixed_sentiment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The command's own work is under test, not the sentiment model's.
    monkeypatch.setattr(
        command, "DefaultAnalyzer", lambda: DefaultAnalyzer(sentiment=negative_sentiment)
    )


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analyze", *args, stdout=out)
    return out.getvalue()


def test_a_text_is_explained_with_its_reasons() -> None:
    output = run(
        "Encore en retard, inadmissible, je résilie ! Commande CMD-2026-48213",
        "--public",
        "--language",
        "fr",
    )
    assert output.splitlines() == [
        "language   fr (confidence 1.00)",
        "sentiment  negative (-0.50)",
        'intents    complaint 0.92  <- "en retard", "inadmissible"',
        '           churn_threat 0.85  <- "resilie"',
        "urgency    urgent: churn_threat, public_complaint",
        "entities   order CMD-2026-48213",
    ]


def test_a_text_with_nothing_to_act_on() -> None:
    output = run("On se voit jeudi", "--language", "fr")
    assert output.splitlines()[2:] == [
        "intents    other 1.00",
        "urgency    low: no reason to hurry",
        "entities   none",
    ]


def test_a_file_gives_one_json_object_per_line_in_order(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text(
        "merci !!\nHow do I cancel my subscription?\n\nDM for collab 📩\n", encoding="utf-8"
    )
    lines = run("--file", str(source), "--batch-size", "2").splitlines()
    readings = [json.loads(line) for line in lines]
    assert len(readings) == 4
    assert readings[1] == {
        "language": "en",
        "language_confidence": readings[1]["language_confidence"],
        "sentiment": "negative",
        "sentiment_score": -0.5,
        "sentiment_source": "model",
        "intents": {"question": 0.97, "churn_threat": 0.85},
        "urgency": "high",
        "urgency_reasons": ["churn_threat"],
        "entities": [],
    }
    assert [reading["intents"] for reading in readings] == [
        {"praise": 0.6},
        {"question": 0.97, "churn_threat": 0.85},
        {"other": 1.0},
        {"spam_or_advertising": 0.988},
    ]
    assert [reading["urgency"] for reading in readings] == ["low", "high", "low", "low"]


def test_output_goes_to_a_file_when_asked(tmp_path: Path) -> None:
    source = tmp_path / "texts.txt"
    source.write_text("je résilie\n", encoding="utf-8")
    target = tmp_path / "readings.jsonl"
    assert run("--file", str(source), "--output", str(target)) == ""
    reading = json.loads(target.read_text(encoding="utf-8"))
    assert reading["intents"] == {"churn_threat": 0.85}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give a TEXT or --file PATH"),
        (("text", "--file", "x.txt"), "give a TEXT or --file PATH"),
        (("text", "--output", "out.jsonl"), "--output goes with --file"),
        (("text", "--batch-size", "0"), "--batch-size must be at least 1"),
        (("--file", "/nonexistent/texts.txt"), "cannot read /nonexistent/texts.txt"),
    ],
)
def test_bad_arguments_are_one_line_errors(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("réclamation".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run("--file", str(source))
