"""CSV with a header row: each row one event, its columns named after InboundEvent's fields.

The header names the fields (``COLUMNS``); ``mapping`` renames a file's own columns onto
them (``--map "Tweet id=external_id"``). Columns that map to no field are ignored by the
pipeline but kept, with the whole row, in the event's ``raw``. A blank cell means the
field's default. ``created_at`` must carry its UTC offset: a naive date is rejected with
its row number, never guessed. Rows are numbered as a spreadsheet numbers them: the
header is row 1, the first event row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from comptoir.ingest.sources.base import (
    FormatError,
    Input,
    Meter,
    NoMeter,
    Tally,
    drop_blanks,
    open_binary,
)
from comptoir.ingest.types import Candidate

# Column name -> where it goes in the event ("author.x" fills the nested author).
COLUMNS: dict[str, str] = {
    "external_id": "external_id",
    "thread_id": "thread_id",
    "in_reply_to": "in_reply_to",
    "created_at": "created_at",
    "direction": "direction",
    "author_kind": "author.kind",
    "author_id": "author.external_id",
    "author_handle": "author.handle",
    "author_name": "author.display_name",
    "author_email": "author.email",
    "author_phone": "author.phone",
    "author_profile_url": "author.profile_url",
    "subject": "subject",
    "text": "text",
    "html": "html",
    "visibility": "visibility",
    "kind": "kind",
    "url": "url",
    "language": "language",
}
REQUIRED = ("external_id", "created_at", "text")
DEFAULT_ENCODING = "utf-8-sig"  # reads plain UTF-8 too, and drops a spreadsheet's BOM
# A cell may hold a whole e-mail body; the csv module's default limit is 128 KiB.
MAX_CELL = 32 * 1024 * 1024


def read_csv(
    source: Input,
    *,
    meter: Meter | None = None,
    tally: Tally | None = None,
    mapping: dict[str, str] | None = None,
    encoding: str = DEFAULT_ENCODING,
    author_kind: str = "",
) -> Iterator[Candidate]:
    """Rows as candidates. ``author_kind`` fills a blank author_kind cell (the channel's)."""
    _check_encoding(encoding)
    for target in (mapping or {}).values():
        if target not in COLUMNS:
            raise FormatError(f"--map names {target!r}, which is not a field; see {_known()}")
    with open_binary(source, meter or NoMeter()) as stream:
        text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")
        csv.field_size_limit(MAX_CELL)
        rows = csv.reader(text)
        try:
            header = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FormatError(f"this is not CSV: {exc}") from None
        columns = _columns(header, mapping or {})
        yield from _candidates(rows, header, columns, encoding, author_kind)


def _check_encoding(encoding: str) -> None:
    try:
        "".encode(encoding)
    except LookupError:
        raise FormatError(f"{encoding!r} is not an encoding Python knows") from None


def _known() -> str:
    return ", ".join(COLUMNS)


def _columns(header: list[str], mapping: dict[str, str]) -> dict[int, str]:
    """Column index -> event path, for the columns that name a field."""
    names = [name.strip().lstrip("\ufeff") for name in header]
    columns: dict[int, str] = {}
    for index, name in enumerate(names):
        field = mapping.get(name) or (name.lower() if name.lower() in COLUMNS else "")
        if field:
            columns[index] = COLUMNS[field]
    missing = [f for f in REQUIRED if COLUMNS[f] not in columns.values()]
    if missing:
        raise FormatError(
            f"the CSV header has no column for {', '.join(missing)} "
            f"(it has: {', '.join(names) or 'nothing'}); name them so, or map yours with "
            "--map COLUMN=FIELD"
        )
    unknown = sorted(set(mapping) - set(names))
    if unknown:
        raise FormatError(f"--map names {', '.join(map(repr, unknown))}, not in the CSV header")
    return columns


def _candidates(
    rows: Iterator[list[str]],
    header: list[str],
    columns: dict[int, str],
    encoding: str,
    author_kind: str,
) -> Iterator[Candidate]:
    number = 1
    while True:
        number += 1
        location = f"row {number}"
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Candidate(location=location, payload=None, error=f"not readable as CSV: {exc}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        problem = _problem(row, header, encoding)
        if problem:
            # Back to the file's own bytes (the BOM of utf-8-sig belongs to the file, not a row).
            codec = "utf-8" if encoding.lower().replace("_", "-") == "utf-8-sig" else encoding
            raw = _as_csv(header, row).encode(codec, errors="surrogateescape")
            yield Candidate(location=location, payload=None, raw=raw, error=problem)
            continue
        yield Candidate(location=location, payload=_event(row, header, columns, author_kind))


def _problem(row: list[str], header: list[str], encoding: str) -> str:
    for index, cell in enumerate(row):
        if any("\udc80" <= char <= "\udcff" for char in cell):
            column = header[index] if index < len(header) else f"#{index + 1}"
            return f"column {column!r} is not valid {encoding} (try --encoding)"
    extra = row[len(header) :]
    if any(cell.strip() for cell in extra):
        return f"{len(row)} cells, but the header names {len(header)} columns"
    return ""


def _event(
    row: list[str], header: list[str], columns: dict[int, str], author_kind: str
) -> dict[str, Any]:
    event: dict[str, Any] = {}
    author: dict[str, str] = {}
    for index, path in columns.items():
        cell = row[index] if index < len(row) else ""
        if not cell.strip():
            continue
        if path.startswith("author."):
            author[path.removeprefix("author.")] = cell
        else:
            event[path] = cell
    if author:
        if author_kind:
            author.setdefault("kind", author_kind)
        event["author"] = author
    event["raw"] = {"row": drop_blanks(dict(zip(header, row, strict=False)))}
    return event


def _as_csv(header: list[str], row: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(row)
    return out.getvalue()
