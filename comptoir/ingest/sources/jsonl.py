"""Normalized JSONL: one InboundEvent as a JSON object per line (docs/import-formats.md).

Blank lines are skipped. A line that is not UTF-8, not JSON or not an object is rejected
with its line number and the others import. A file none of whose first lines is a JSON
object is not JSONL at all: that is a FormatError, and nothing is imported.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import Any

from comptoir.ingest.sources.base import (
    LONE_SURROGATE,
    FormatError,
    Input,
    Meter,
    NoMeter,
    Tally,
    has_lone_surrogate,
    may_hold_surrogates,
    open_binary,
)
from comptoir.ingest.types import Candidate

MIB = 1024 * 1024
# A line longer than this is not an event (the largest valid one is about 5 MB of JSON).
MAX_LINE = 32 * MIB
# What a rejected over-long line keeps of itself.
KEPT_OF_LONG_LINE = 64 * 1024
# A file whose first this-many non-blank lines are all unreadable is not JSONL.
SNIFF_LINES = 10


def read_jsonl(
    source: Input, *, meter: Meter | None = None, tally: Tally | None = None
) -> Iterator[Candidate]:
    with open_binary(source, meter or NoMeter()) as stream:
        yield from _candidates(stream)


def _candidates(stream: io.BufferedReader) -> Iterator[Candidate]:
    # Until one line reads as an object, failures wait here: if none ever does, the file
    # is refused whole instead of filling the rejected events with a binary file's lines.
    waiting: list[Candidate] = []
    confirmed = False
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            candidate: Candidate | None = Candidate(
                location=f"line {number}",
                payload=None,
                raw=line[:KEPT_OF_LONG_LINE],
                error=f"longer than {MAX_LINE // MIB} MiB; its first 64 KiB are kept",
            )
        else:
            candidate = _parse(number, line)
        if candidate is None:
            continue
        if confirmed:
            yield candidate
        elif candidate.payload is not None:
            confirmed = True
            yield from waiting
            waiting.clear()
            yield candidate
        else:
            waiting.append(candidate)
            if len(waiting) >= SNIFF_LINES:
                raise FormatError(_not_jsonl(waiting, f"none of its first {SNIFF_LINES} lines"))
    if waiting:
        raise FormatError(_not_jsonl(waiting, "none of its lines"))


def _not_jsonl(failures: list[Candidate], which: str) -> str:
    first = failures[0]
    return f"this is not JSONL: {which} is a JSON object ({first.location}: {first.error})"


def _parse(number: int, line: bytes) -> Candidate | None:
    location = f"line {number}"
    data = line.rstrip(b"\r\n")
    if number == 1:
        data = data.removeprefix(codecs.BOM_UTF8)
    if not data.strip():
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Candidate(
            location=location,
            payload=None,
            raw=data,
            error=f"not valid UTF-8 (byte {exc.start + 1} is {data[exc.start]:#04x})",
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return Candidate(
            location=location,
            payload=None,
            raw=text,
            error=f"not valid JSON: {exc.msg} (column {exc.colno})",
        )
    if not isinstance(value, dict):
        return Candidate(
            location=location,
            payload=None,
            raw=text,
            error=f"not a JSON object but {_json_kind(value)}",
        )
    if may_hold_surrogates(text) and has_lone_surrogate(value):
        return Candidate(location=location, payload=None, raw=text, error=LONE_SURROGATE)
    return Candidate(location=location, payload=value, raw=text)


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _skip_rest_of_line(stream: io.BufferedReader) -> None:
    while chunk := stream.readline(MIB):
        if chunk.endswith(b"\n"):
            return
