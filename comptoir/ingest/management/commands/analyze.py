"""``comptoir analyze``: what the default analyzer reads in a text, and why.

    comptoir analyze "Colis CMD-2026-48213 jamais reçu, je résilie !"
    comptoir analyze --file messages.txt --output readings.jsonl

With a text, prints each reading with its reasons: the language and its confidence, the
sentiment, the intents with the words that made them fire, the urgency with its reasons,
and the entities. With ``--file``, reads one text per line and writes one JSON object per
line, in the same order (a blank line gets a reading too, so line N answers line N), in
batches of ``--batch-size``. Nothing is stored: this reads, it does not ingest.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.understanding.analyzer import Context, DefaultAnalyzer, Reading, SentimentSource

BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Read a text (or a file of texts, one a line): language, sentiment, intents, urgency."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", nargs="?", metavar="TEXT")
        parser.add_argument("--file", metavar="PATH", help="One text per line; JSON lines out.")
        parser.add_argument("--output", metavar="PATH", help="With --file: write here, not stdout.")
        parser.add_argument("--language", default="", help="The language, when known (fr, en).")
        parser.add_argument("--public", action="store_true", help="The text was posted publicly.")
        parser.add_argument(
            "--previous-contacts",
            type=int,
            default=0,
            metavar="N",
            help="How often the person wrote in the last seven days.",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N")

    def handle(self, *args: Any, **options: Any) -> None:
        text: str | None = options["text"]
        path: str | None = options["file"]
        if (text is None) == (path is None):
            raise CommandError('give a TEXT or --file PATH: comptoir analyze "text"')
        if options["output"] and path is None:
            raise CommandError("--output goes with --file")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        context = Context(
            is_public=options["public"], previous_contacts_7d=options["previous_contacts"]
        )
        analyzer = DefaultAnalyzer()
        if text is not None:
            hints = [options["language"]] if options["language"] else None
            reading = analyzer.analyze([text], hints=hints, context=[context])[0]
            self.stdout.write(explain(reading))
            return
        assert path is not None  # noqa: S101 - narrowed by the check above, for the type checker
        self._analyze_file(analyzer, Path(path), options, context)

    def _analyze_file(
        self, analyzer: DefaultAnalyzer, path: Path, options: dict[str, Any], context: Context
    ) -> None:
        try:
            source = path.open(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        with ExitStack() as stack:
            stack.enter_context(source)
            out: TextIO = self.stdout  # type: ignore[assignment]  # OutputWrapper writes like a file
            if options["output"]:
                try:
                    out = stack.enter_context(Path(options["output"]).open("w", encoding="utf-8"))
                except OSError as exc:
                    raise CommandError(
                        f"cannot write {options['output']}: {exc.strerror}"
                    ) from None
            try:
                for batch in _batches(source, options["batch_size"]):
                    hints = [options["language"]] * len(batch) if options["language"] else None
                    readings = analyzer.analyze(batch, hints=hints, context=[context] * len(batch))
                    for reading in readings:
                        out.write(json.dumps(reading.as_json(), ensure_ascii=False) + "\n")
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path} is not UTF-8 text: {exc.reason}") from None


def _batches(lines: TextIO, size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for line in lines:
        batch.append(line.rstrip("\r\n"))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def explain(reading: Reading) -> str:
    """The reading for a person: each finding on its line, with what it rests on."""
    language = reading.language or "unknown"
    lines = [f"language   {language} (confidence {reading.language_confidence:.2f})"]
    sentiment = f"sentiment  {reading.sentiment} ({reading.sentiment_score:+.2f})"
    if reading.sentiment_source == SentimentSource.UNAVAILABLE:
        sentiment += "  [no sentiment model: neutral by default]"
    lines.append(sentiment)
    for index, (name, score) in enumerate(reading.intents.items()):
        cues = reading.intent_cues.get(name, ())
        because = "  <- " + ", ".join(f'"{cue}"' for cue in cues) if cues else ""
        label = "intents" if index == 0 else ""
        lines.append(f"{label:<10} {name} {score:.2f}{because}")
    reasons = ", ".join(str(reason) for reason in reading.urgency_reasons) or "no reason to hurry"
    urgency = f"urgency    {reading.urgency}: {reasons}"
    if reading.urgency_cues:
        urgency += "  <- " + ", ".join(f'"{cue}"' for cue in reading.urgency_cues)
    lines.append(urgency)
    if not reading.entities:
        lines.append("entities   none")
    for index, entity in enumerate(reading.entities):
        label = "entities" if index == 0 else ""
        lines.append(f"{label:<10} {entity.kind} {entity.value}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - run through manage.py or the comptoir command
    sys.exit("run: comptoir analyze")
