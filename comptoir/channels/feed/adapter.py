"""The feed adapter: fetches an RSS or Atom feed with conditional GET and reads its entries.

Poll state: ``{"etag", "last_modified", "fetched_at" (ISO 8601), "unreadable" (digests)}``.
The validators are sent back as If-None-Match and If-Modified-Since, so an unchanged feed
costs a 304 and no parsing. A poll that comes before ``poll_minutes`` have passed since
``fetched_at`` does not fetch at all: the worker polls every channel on one beat, and
publishers ask to be fetched no more often than they publish.

Every entry of every fetch goes to the pipeline, which drops those it already stored (a feed
has no "since" to ask for). An entry that cannot be read is reported once, not at every
fetch while it stays in the feed: ``unreadable`` keeps the digests of those the last fetch
saw (so it never outgrows the feed); when they come back they are counted as ignored.

Feeds are read-only: there is nothing to reply to.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    OutboundMessage,
    PollResult,
    SendResult,
    register,
)
from comptoir.channels.config import FeedSettings
from comptoir.channels.feed.parse import NotAFeedError, parse_feed

TIMEOUT = httpx.Timeout(20.0, connect=10.0)
MAX_REDIRECTS = 5
MAX_BYTES = 10 * 1024 * 1024  # a feed is a few hundred kilobytes; more is not a feed
USER_AGENT = "Comptoir feed reader"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)


@register
class FeedAdapter(Adapter):
    kind = "feed"

    def poll(self, state: dict[str, Any]) -> PollResult:
        settings = self._settings()
        now = datetime.now(tz=UTC)
        last = _fetched_at(state)
        if last is not None and now - last < timedelta(minutes=settings.poll_minutes):
            return PollResult(events=[], state=dict(state))
        url = str(settings.url)
        headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
        if state.get("etag"):
            headers["If-None-Match"] = str(state["etag"])
        if state.get("last_modified"):
            headers["If-Modified-Since"] = str(state["last_modified"])
        content, response = _fetch(url, headers)
        if response.status_code == httpx.codes.NOT_MODIFIED:
            return PollResult(events=[], state={**state, "fetched_at": now.isoformat()})
        try:
            parsed = parse_feed(
                content,
                url=str(response.url),
                content_type=response.headers.get("content-type", ""),
                fetched_at=now,
            )
        except NotAFeedError as exc:
            raise AdapterError(f"{url} answered, but {exc}") from exc
        reported = set(state.get("unreadable") or [])
        digests = [_digest(raw) for _where, raw, _reason in parsed.unreadable]
        new = [
            item for item, d in zip(parsed.unreadable, digests, strict=True) if d not in reported
        ]
        return PollResult(
            events=parsed.events,
            state={
                "etag": response.headers.get("etag", ""),
                "last_modified": response.headers.get("last-modified", ""),
                "fetched_at": now.isoformat(),
                "unreadable": sorted(set(digests)),
            },
            ignored=len(parsed.unreadable) - len(new),
            unreadable=new,
        )

    def send(self, message: OutboundMessage) -> SendResult:
        raise AdapterError("feeds are read-only: a feed entry cannot be answered on its channel")

    def _settings(self) -> FeedSettings:
        try:
            return FeedSettings.model_validate(self.channel.config)
        except ValueError as exc:  # pydantic's ValidationError
            summary = " ".join(str(exc).split())
            raise AdapterError(f"the feed channel's settings are invalid: {summary}") from exc


def _fetch(url: str, headers: dict[str, str]) -> tuple[bytes, httpx.Response]:
    """The body (empty for a 304) and the final response, after at most MAX_REDIRECTS."""
    try:
        with (
            httpx.Client(
                timeout=TIMEOUT, follow_redirects=True, max_redirects=MAX_REDIRECTS
            ) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code == httpx.codes.NOT_MODIFIED:
                return b"", response
            if response.is_error:
                raise AdapterError(
                    f"{url} answered HTTP {response.status_code} {response.reason_phrase}"
                )
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_BYTES:
                    raise AdapterError(f"{url} sent more than {MAX_BYTES} bytes: not a feed")
            return bytes(body), response
    except httpx.TimeoutException as exc:
        raise AdapterError(f"{url} did not answer in time ({type(exc).__name__})") from exc
    except httpx.TooManyRedirects as exc:
        raise AdapterError(f"{url} redirects more than {MAX_REDIRECTS} times") from exc
    except httpx.HTTPError as exc:
        raise AdapterError(f"{url} could not be fetched: {exc}") from exc


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _fetched_at(state: dict[str, Any]) -> datetime | None:
    """When the feed was last fetched; a state that does not parse means never, which is safe."""
    try:
        when = datetime.fromisoformat(str(state["fetched_at"]))
    except (KeyError, ValueError):
        return None
    return when if when.tzinfo is not None else None
