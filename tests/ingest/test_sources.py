"""The file readers on their own: what each yields, where, and what they refuse."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from comptoir.ingest.sources import FormatError, Tally, read, x_archive
from comptoir.ingest.sources import jsonl as jsonl_source
from comptoir.ingest.types import Candidate
from tests.ingest.conftest import IMPORTS

TWEETS = IMPORTS / "x-archive" / "data" / "tweets.js"


def locations(candidates: list[Candidate]) -> list[str]:
    return [c.location for c in candidates]


class Meter:
    def __init__(self) -> None:
        self.starts: list[tuple[int | None, str]] = []
        self.done = 0

    def start(self, total: int | None, unit: str) -> None:
        self.starts.append((total, unit))

    def advance(self, amount: int) -> None:
        self.done += amount


# JSONL ---------------------------------------------------------------------------------------


def test_jsonl_skips_blank_lines_and_reads_crlf_and_a_bom() -> None:
    data = b'\xef\xbb\xbf{"a": 1}\r\n\r\n   \n{"b": 2}\r\n'
    meter = Meter()

    candidates = list(read("jsonl", io.BytesIO(data), meter=meter))

    assert [(c.location, c.payload, c.raw) for c in candidates] == [
        ("line 1", {"a": 1}, '{"a": 1}'),
        ("line 4", {"b": 2}, '{"b": 2}'),
    ]
    assert meter.starts == [(len(data), "B")]
    assert meter.done == len(data)


def test_a_line_longer_than_the_limit_is_rejected_and_the_next_one_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(jsonl_source, "MAX_LINE", 100)
    monkeypatch.setattr(jsonl_source, "KEPT_OF_LONG_LINE", 10)
    data = b'{"a": 1}\n{"text": "' + b"x" * 500 + b'"}\n{"c": 3}\n'

    candidates = list(read("jsonl", io.BytesIO(data)))

    assert locations(candidates) == ["line 1", "line 2", "line 3"]
    long = candidates[1]
    assert (long.payload, long.raw) == (None, b'{"text": "')
    assert long.error == "longer than 0 MiB; its first 64 KiB are kept"
    assert candidates[2].payload == {"c": 3}


# CSV -----------------------------------------------------------------------------------------


def test_a_csv_with_a_header_only_yields_nothing() -> None:
    assert list(read("csv", io.BytesIO(b"external_id,created_at,text\n"))) == []


def test_csv_rows_with_cells_beyond_the_header_are_rejected() -> None:
    data = (
        b"external_id,created_at,text\n"
        b"1,2026-11-20T10:00:00Z,fine\n"
        b"\n"
        b"2,2026-11-20T10:00:00Z,too,many\n"
        b"3,2026-11-20T10:00:00Z,trailing empty cell,\n"
    )

    candidates = list(read("csv", io.BytesIO(data)))

    assert locations(candidates) == ["row 2", "row 4", "row 5"]
    assert candidates[1].error == "4 cells, but the header names 3 columns"
    assert candidates[1].raw == b"external_id,created_at,text\n2,2026-11-20T10:00:00Z,too,many\n"
    assert candidates[2].payload is not None


def test_an_unknown_encoding_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="'klingon' is not an encoding Python knows"):
        list(read("csv", io.BytesIO(b"x"), encoding="klingon"))


# X archive -----------------------------------------------------------------------------------


def test_the_archive_streams_across_chunk_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 64 bytes cut tweets, strings and multi-byte characters in every place.
    whole = list(read("x-archive", TWEETS))
    monkeypatch.setattr(x_archive, "CHUNK", 64)

    cut = list(read("x-archive", TWEETS))

    assert cut == whole
    assert locations(cut) == [f"tweet {n}" for n in range(1, 7)]


def test_a_damaged_archive_keeps_the_tweets_before_the_damage(tmp_path: Path) -> None:
    text = TWEETS.read_text(encoding="utf-8")
    second = text.index('{\n    "tweet" : {', 100)
    damaged = tmp_path / "tweets.js"
    damaged.write_text(text[:second] + '{"tweet": {"id_str": oops}}, ' + text[second:])

    candidates = list(read("x-archive", damaged))

    assert locations(candidates) == ["tweet 1", "tweet 2"]
    assert candidates[1].payload is None
    assert candidates[1].error == (
        "the archive is damaged here (not valid JSON); the tweets after this one cannot be read"
    )


def test_a_split_archive_reads_its_parts_in_order(tmp_path: Path) -> None:
    def part(n: int, ids: list[str]) -> str:
        items = [
            {"tweet": {"id_str": i, "full_text": i, "created_at": "Wed Nov 18 09:12:44 +0000 2026"}}
            for i in ids
        ]
        return f"window.YTD.tweets.part{n} = {json.dumps(items)}"

    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("twitter-2026/data/tweets-part1.js", part(1, ["3"]))
        packed.writestr("twitter-2026/data/tweets.js", part(0, ["1", "2"]))
        packed.writestr("twitter-2026/data/like.js", "window.YTD.like.part0 = []")

    candidates = list(read("x-archive", archive))

    payloads = [(c.location, c.payload) for c in candidates if isinstance(c.payload, dict)]
    assert [(where, payload["external_id"]) for where, payload in payloads] == [
        ("tweet 1", "1"),
        ("tweet 2", "2"),
        ("tweet 3", "3"),
    ]


def test_a_tweet_with_an_unreadable_date_is_rejected(tmp_path: Path) -> None:
    source = tmp_path / "tweets.js"
    source.write_text(
        'window.YTD.tweets.part0 = [{"tweet": {"id_str": "9", "full_text": "x", '
        '"created_at": "2026-11-18"}}]'
    )

    (candidate,) = read("x-archive", source)

    assert candidate.error == (
        "created_at '2026-11-18' is not like 'Wed Nov 18 09:12:44 +0000 2026'"
    )


def test_a_zip_without_tweets_is_a_format_error(tmp_path: Path) -> None:
    archive = tmp_path / "other.zip"
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr("data/like.js", "window.YTD.like.part0 = []")

    with pytest.raises(FormatError, match=r"the archive has no data/tweets\.js"):
        list(read("x-archive", archive))


# mbox ----------------------------------------------------------------------------------------


def test_an_mbox_counts_what_it_skips() -> None:
    tally = Tally()
    meter = Meter()

    candidates = list(read("mbox", IMPORTS / "support.mbox", tally=tally, meter=meter))

    assert locations(candidates) == ["message 1", "message 2", "message 3", "message 6"]
    assert dict(tally.skipped) == {"auto-reply": 1, "bounce": 1}
    assert (meter.starts, meter.done) == ([(6, "messages")], 6)


def test_an_mbox_is_read_from_a_path() -> None:
    with pytest.raises(FormatError, match="an mbox is read from a file path"):
        list(read("mbox", io.BytesIO(b"From x")))
