"""The X (Twitter) data archive: the account owner's own posts, from ``data/tweets.js``.

The file is JavaScript, not JSON: ``window.YTD.tweets.part0 = [ {"tweet": {...}}, ... ]``.
Large archives split it into ``tweets-part1.js``, ``tweets-part2.js``...; older ones call it
``tweet.js``. Either the .js file or the archive's .zip is read, streaming: the array is
decoded one element at a time, so the file is never held whole in memory.

Every tweet is the owner's, so it imports as an outbound post (a reply when it answers
another tweet), with no author: the pipeline files it in the conversation of the tweet it
answers. Counts, numbers and indices in the archive are strings; only the fields below
are read, and the whole tweet is kept in the event's ``raw``.
"""

from __future__ import annotations

import codecs
import html
import json
import mimetypes
import os
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import IO, Any, Protocol

from comptoir.ingest.sources.base import (
    LONE_SURROGATE,
    FormatError,
    Input,
    Meter,
    NoMeter,
    Tally,
    has_lone_surrogate,
    name_of,
    open_binary,
)
from comptoir.ingest.types import Candidate

ARCHIVE_DATE = "%a %b %d %H:%M:%S %z %Y"  # "Wed Nov 18 09:12:44 +0000 2026"
STATUS_URL = "https://x.com/i/web/status/{}"
CHUNK = 1 << 20
# One element of the array larger than this is a damaged file, not a tweet.
MAX_ELEMENT = 16 * CHUNK
_PREFIX = re.compile(r"\s*window\.YTD\.tweets?\.part\d+\s*=\s*\[")
_MEMBER = re.compile(r"(^|/)data/tweets?(-part\d+)?\.js$")
# "lang" values that name no language: undetermined, emoji only, hashtags only...
_NOT_LANGUAGES = frozenset({"und", "qme", "qht", "qam", "qct", "qst", "zxx", "art"})
ZIP_MAGIC = b"PK\x03\x04"


def read_x_archive(
    source: Input, *, meter: Meter | None = None, tally: Tally | None = None
) -> Iterator[Candidate]:
    meter = meter or NoMeter()
    if _is_zip(source):
        yield from _from_zip(source, meter)
        return
    with open_binary(source, meter) as stream:
        yield from _tweets(stream, name_of(source), first=1)


def _is_zip(source: Input) -> bool:
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            return handle.read(4) == ZIP_MAGIC
    here = source.tell()
    head = source.read(4)
    source.seek(here)
    return head == ZIP_MAGIC


def _from_zip(source: Input, meter: Meter) -> Iterator[Candidate]:
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as exc:
        raise FormatError(f"this is not a readable zip archive: {exc}") from None
    with archive:
        members = sorted(
            (info for info in archive.infolist() if _MEMBER.search(info.filename)),
            key=lambda info: _part_number(info.filename),
        )
        if not members:
            raise FormatError("the archive has no data/tweets.js: is it an X data archive?")
        meter.start(sum(info.file_size for info in members), "B")
        number = 1
        for info in members:
            with archive.open(info) as member:
                for candidate in _tweets(_Counting(member, meter), info.filename, first=number):
                    number += 1
                    yield candidate


def _part_number(name: str) -> int:
    match = re.search(r"-part(\d+)\.js$", name)
    return int(match.group(1)) if match else 0


class _Counting:
    """A zip member whose reads advance the meter (a bare .js file is metered by
    ``open_binary``)."""

    def __init__(self, inner: IO[bytes], meter: Meter) -> None:
        self._inner = inner
        self._meter = meter

    def read(self, size: int = -1) -> bytes:
        data = self._inner.read(size)
        self._meter.advance(len(data))
        return data


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Text:
    """The file as text, decoded chunk by chunk (a chunk may end inside a character)."""

    def __init__(self, stream: _Readable) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.ended = False

    def more(self) -> str:
        data = self._stream.read(CHUNK)
        self.ended = not data
        return self._decoder.decode(data, final=self.ended)


def _tweets(stream: _Readable, name: str, *, first: int) -> Iterator[Candidate]:
    """The candidates of one tweets.js file, numbered from ``first``."""
    source = _Text(stream)
    text = source.more().lstrip("\ufeff")
    match = _PREFIX.match(text)
    if match is None:
        raise FormatError(
            f"{PurePosixPath(name).name} does not start with 'window.YTD.tweets.part0 = [': "
            "is it the tweets.js of an X data archive?"
        )
    decoder = json.JSONDecoder()
    position = match.end()
    number = first
    while True:
        position = _skip_separators(text, position)
        if position >= len(text):
            if source.ended:
                return  # cut off right after a whole tweet: what was read is all there is
            text, position = text[position:] + source.more(), 0
            continue
        if text[position] == "]":
            return
        try:
            element, position = decoder.raw_decode(text, position)
        except json.JSONDecodeError:
            # Cut off by the end of the chunk, or damaged: read on until it decodes.
            if source.ended or len(text) - position > MAX_ELEMENT:
                yield Candidate(
                    location=f"tweet {number}",
                    payload=None,
                    raw=text[position : position + 65536],
                    error="the archive is damaged here (not valid JSON); "
                    "the tweets after this one cannot be read",
                )
                return
            text, position = text[position:] + source.more(), 0
            continue
        yield _candidate(number, element)
        number += 1


def _skip_separators(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n,":
        position += 1
    return position


def _candidate(number: int, element: Any) -> Candidate:
    location = f"tweet {number}"
    tweet = element.get("tweet", element) if isinstance(element, dict) else None
    if not isinstance(tweet, dict):
        return Candidate(
            location=location, payload=None, raw=json.dumps(element), error="not a tweet object"
        )
    if has_lone_surrogate(tweet):
        return _refused(location, tweet, LONE_SURROGATE)
    tweet_id = str(tweet.get("id_str") or tweet.get("id") or "")
    if not tweet_id:
        return _refused(location, tweet, "the tweet has no id_str")
    stamp = str(tweet.get("created_at") or "")
    try:
        created = datetime.strptime(stamp, ARCHIVE_DATE)  # noqa: DTZ007 - it has %z: aware
    except ValueError:
        return _refused(
            location, tweet, f"created_at {stamp!r} is not like 'Wed Nov 18 09:12:44 +0000 2026'"
        )
    parent = str(tweet.get("in_reply_to_status_id_str") or tweet.get("in_reply_to_status_id") or "")
    lang = str(tweet.get("lang") or "")
    event: dict[str, Any] = {
        "external_id": tweet_id,
        "thread_id": parent or tweet_id,
        "in_reply_to": parent,
        "direction": "outbound",
        "created_at": created.isoformat(),
        "text": html.unescape(str(tweet.get("full_text") or tweet.get("text") or "")),
        "visibility": "public",
        "kind": "reply" if parent else "post",
        "url": STATUS_URL.format(tweet_id),
        "language": "" if lang in _NOT_LANGUAGES else lang[:8],
        "attachments": _attachments(tweet),
        "raw": {"tweet": tweet},
    }
    return Candidate(location=location, payload=event)


def _refused(location: str, tweet: dict[str, Any], reason: str) -> Candidate:
    return Candidate(
        location=location, payload=None, raw=json.dumps({"tweet": tweet}), error=reason
    )


def _attachments(tweet: dict[str, Any]) -> list[dict[str, Any]]:
    # extended_entities lists every photo of a tweet; entities only the first.
    entities = tweet.get("extended_entities") or tweet.get("entities") or {}
    media = entities.get("media") if isinstance(entities, dict) else None
    attachments = []
    for item in media or []:
        if not isinstance(item, dict):
            continue
        url, content_type = _media_file(item)
        if not url:
            continue
        attachments.append(
            {
                "name": PurePosixPath(url.split("?", 1)[0]).name,
                "content_type": content_type,
                "url": url,
            }
        )
    return attachments


def _media_file(item: dict[str, Any]) -> tuple[str, str]:
    """The URL of the media's file and its type: a video's best variant, else the image."""
    variants = (item.get("video_info") or {}).get("variants") or []
    videos = [v for v in variants if isinstance(v, dict) and v.get("url")]
    if videos:
        best = max(videos, key=lambda v: int(v.get("bitrate") or 0))
        return str(best["url"]), str(best.get("content_type") or "video/mp4")
    url = str(item.get("media_url_https") or item.get("media_url") or "")
    guessed = mimetypes.guess_type(url.split("?", 1)[0])[0]
    return url, guessed or "image/jpeg"
