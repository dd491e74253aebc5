"""What every file format shares: the input, the progress meter, the tally, the errors.

A source reads one file and yields ``Candidate``s, one per item, each with a location a
person can find in the file ("line 12", "row 7", "message 3", "tweet 41"). It streams: the
file is read as it is consumed, so a 1 GB import holds one item at a time in memory. An
item it cannot decode becomes a candidate with ``payload=None`` and an ``error``; the
pipeline keeps it as a rejected event and goes on. A file that is not of the format at all
raises ``FormatError`` before anything is yielded.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

# Where an import reads from: a path, or a binary file object opened by the caller.
Input = str | os.PathLike[str] | IO[bytes]


class FormatError(Exception):
    """The file is not of the format named; the message is one line that says why."""


class Meter(Protocol):
    """Progress, by bytes read or by items, as the source knows its size best."""

    def start(self, total: int | None, unit: str) -> None: ...

    def advance(self, amount: int) -> None: ...


class NoMeter:
    def start(self, total: int | None, unit: str) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass


@dataclass
class Tally:
    """What a source read but deliberately did not turn into candidates, by reason."""

    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def name_of(source: Input) -> str:
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    return str(getattr(source, "name", "the input"))


class _MeteredRaw(io.RawIOBase):
    """A read-only raw stream over ``inner`` that reports every byte it hands out."""

    def __init__(self, inner: IO[bytes], meter: Meter) -> None:
        self._inner = inner
        self._meter = meter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._inner.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        if size:
            self._meter.advance(size)
        return size


@contextmanager
def open_binary(source: Input, meter: Meter) -> Iterator[io.BufferedReader]:
    """A buffered binary stream over the input that advances ``meter`` by bytes.

    A path is opened (and closed) here; a file object stays the caller's to close.
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        with path.open("rb") as handle:
            meter.start(path.stat().st_size, "B")
            yield io.BufferedReader(_MeteredRaw(handle, meter), buffer_size=1 << 20)
        return
    meter.start(_remaining_size(source), "B")
    yield io.BufferedReader(_MeteredRaw(source, meter), buffer_size=1 << 20)


def _remaining_size(handle: IO[bytes]) -> int | None:
    try:
        here = handle.tell()
        end = handle.seek(0, os.SEEK_END)
        handle.seek(here)
    except (OSError, ValueError, AttributeError):
        return None
    return end - here


def as_json(payload: dict[str, Any]) -> str:
    """The text a rejected event keeps for an item a source built itself (CSV, archives)."""
    return json.dumps(payload, ensure_ascii=False, default=str)


def drop_blanks(values: dict[str, str]) -> dict[str, str]:
    """Only the cells with something in them: a blank cell means "use the default"."""
    return {key: value for key, value in values.items() if value.strip()}


LONE_SURROGATE = (
    "contains an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape), which is not text"
)


def has_lone_surrogate(value: Any) -> bool:
    """Whether decoded JSON holds a lone surrogate: JSON allows the escape, but no database
    can store it, and one such string would fail its whole batch."""
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(item) for item in value)
    return False


def may_hold_surrogates(text: str | bytes) -> bool:
    """A cheap first look: only JSON with a \\uD8xx-\\uDFxx escape can hold one."""
    lowered = text.lower()
    return (b"\\ud" in lowered) if isinstance(lowered, bytes) else ("\\ud" in lowered)
