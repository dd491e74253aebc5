"""The file formats ``comptoir import`` reads, each a generator of Candidates.

Formats are documented for users in docs/import-formats.md; ``base`` holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from comptoir.ingest.sources.base import FormatError, Input, Meter, NoMeter, Tally
from comptoir.ingest.sources.csv import read_csv
from comptoir.ingest.sources.jsonl import read_jsonl
from comptoir.ingest.sources.mbox import read_mbox
from comptoir.ingest.sources.x_archive import read_x_archive
from comptoir.ingest.types import Candidate

Reader = Callable[..., Iterator[Candidate]]

FORMATS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "mbox": read_mbox,
    "x-archive": read_x_archive,
}

# The channel kinds a format's events belong to; absent means any kind.
CHANNEL_KINDS: dict[str, tuple[str, ...]] = {
    "mbox": ("email",),
    "x-archive": ("x",),
}

__all__ = [
    "CHANNEL_KINDS",
    "FORMATS",
    "FormatError",
    "Input",
    "Meter",
    "NoMeter",
    "Reader",
    "Tally",
    "read",
]


def read(fmt: str, source: Input, **options: Any) -> Iterator[Candidate]:
    return FORMATS[fmt](source, **options)
