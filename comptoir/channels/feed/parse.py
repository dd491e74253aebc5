"""Feed entries into InboundEvents: each entry is a public post on a listening channel.

feedparser reads RSS 0.9x/1.0/2.0 and Atom alike and hands back one shape; this module only
maps that shape. Who wrote an entry is rarely more than a name, so the author's identity is:

- the author's email when the feed gives one (an address is the same person everywhere);
- else the author's name qualified by the feed's site (``Jean Dupont <https://site/>``): a bare
  name is not an identifier, and two sites' "Rédaction" are not one person;
- else the feed itself (its site link, or its URL), so the publication is the author.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser
from pydantic import ValidationError

from comptoir.channels.email.mime import html_to_text
from comptoir.channels.events import MAX_ID, Author, InboundEvent
from comptoir.people.models import IdentityKind

_HTML_TYPES = {"text/html", "application/xhtml+xml"}


class NotAFeedError(ValueError):
    """The document is not RSS or Atom (an HTML page, an error page, garbage)."""


@dataclass
class ParsedFeed:
    events: list[InboundEvent] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)


def parse_feed(content: bytes, *, url: str, content_type: str, fetched_at: datetime) -> ParsedFeed:
    """The events of a fetched feed document; ``url`` is where it was finally fetched from.

    A stream, not bytes or a string: given those, feedparser may read them as a URL to fetch
    or a local path to open.
    """
    parsed = feedparser.parse(
        io.BytesIO(content),
        response_headers={"content-location": url, "content-type": content_type},
    )
    if parsed.get("bozo") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS or Atom root element"
        raise NotAFeedError(f"not an RSS or Atom feed: {reason}")
    feed: dict[str, Any] = parsed.feed
    site = str(feed.get("link") or url)
    language = str(feed.get("language") or "").split("-")[0].split("_")[0].lower()[:8]
    result = ParsedFeed()
    for position, entry in enumerate(parsed.entries, start=1):
        try:
            result.events.append(_event(entry, site=site, language=language, fetched_at=fetched_at))
        except ValueError as exc:  # pydantic's ValidationError among them
            where = str(entry.get("id") or entry.get("link") or f"entry {position}")[:MAX_ID]
            result.unreadable.append((where, json.dumps(_plain(entry)), _reason(exc)))
    return result


def _event(
    entry: dict[str, Any], *, site: str, language: str, fetched_at: datetime
) -> InboundEvent:
    title = str(entry.get("title") or "")
    published = _when(entry.get("published_parsed") or entry.get("updated_parsed"))
    external_id = _entry_id(entry, title)
    html = _html(entry)
    summary = _summary_text(entry)
    text = "\n\n".join(part for part in (title, summary) if part)
    return InboundEvent(
        external_id=external_id,
        thread_id=external_id,
        author=_author(entry, site=site),
        text=text,
        html=html,
        created_at=published or fetched_at,
        visibility="public",
        kind="post",
        language=language,
        url=str(entry.get("link") or ""),
        raw=_plain(entry),
    )


def _entry_id(entry: dict[str, Any], title: str) -> str:
    """The entry's id (Atom id, RSS guid), else its link, else a digest of title and date.

    An id longer than the column is replaced by its digest: stable, so re-reads still dedupe.
    """
    given = str(entry.get("id") or entry.get("link") or "")
    if not given:
        published = str(entry.get("published") or entry.get("updated") or "")
        digest = hashlib.sha256(f"{title}\n{published}".encode()).hexdigest()
        return f"sha256:{digest}"
    if len(given) > MAX_ID:
        return f"sha256:{hashlib.sha256(given.encode()).hexdigest()}"
    return given


def _author(entry: dict[str, Any], *, site: str) -> Author:
    detail: dict[str, Any] = entry.get("author_detail") or {}
    name = str(detail.get("name") or entry.get("author") or "").strip()
    email = str(detail.get("email") or "").strip().lower()
    href = str(detail.get("href") or "")
    if email:
        external_id = email
    elif name:
        external_id = f"{name} <{site}>"
    else:
        external_id = site
    return Author(
        kind=IdentityKind.OTHER,
        external_id=external_id[:MAX_ID],
        display_name=name[:200],
        email=email,
        profile_url=href or site,
    )


def _html(entry: dict[str, Any]) -> str:
    """The richest HTML the entry carries: its full content, else an HTML summary."""
    for content in entry.get("content") or []:
        if content.get("type") in _HTML_TYPES and content.get("value"):
            return str(content["value"])
    detail = entry.get("summary_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        return str(entry.get("summary") or "")
    return ""


def _summary_text(entry: dict[str, Any]) -> str:
    """The summary as plain text; an entry with content only is summarised by its content."""
    summary = entry.get("summary_detail") or {}
    if not summary.get("value"):
        contents = entry.get("content") or []
        summary = contents[0] if contents else {}
    value = str(summary.get("value") or "")
    if summary.get("type") in _HTML_TYPES:
        return html_to_text(value).strip()
    return value.strip()


def _when(parsed: struct_time | None) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if parsed is None:
        return None
    return datetime(*parsed[:6], tzinfo=UTC)


def _reason(exc: ValueError) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(error["msg"]) for error in exc.errors())
    return " ".join(str(exc).split())


def _plain(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as JSON can store it (dates become lists; anything unknown, a string)."""
    plain: dict[str, Any] = json.loads(json.dumps(entry, default=str))
    return plain
