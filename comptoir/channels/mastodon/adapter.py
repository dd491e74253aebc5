"""The Mastodon adapter: polls mentions from the notifications API, replies with statuses.

Poll state: ``{"since_id": the newest notification id ingested}``. Notification ids are
opaque strings that sort by length, then lexically (Mastodon's snowflakes).

- The first poll (no ``since_id``) reads the newest page, then older ones through the
  ``Link: rel="next"`` header (``max_id``), at most ``max_pages`` pages: the backfill.
- A later poll asks for ``min_id=since_id``, the page just after what was ingested, and goes
  newer through ``rel="prev"`` until a page comes back empty or ``max_pages`` is reached.
  Unlike ``since_id`` (which gives the newest page first), this never leaves a gap when more
  arrived than one poll reads: the next poll goes on from the newest id ingested.

A failed request (401, 429, 5xx, JSON that does not parse) raises AdapterError and the caller
keeps the old state, so the next poll asks again. A 429 is not waited for here: the message
says how long the server asked to wait, and the worker comes back at its next round.

Replying (``POST /api/v1/statuses``) first reads the status answered, for its visibility (the
reply mirrors it: a direct message stays direct) and its author's ``acct`` (the reply starts
with the mention, without which a direct reply would reach nobody). The Idempotency-Key is a
hash of the channel, the status answered and the text: a retried send within the hour that
Mastodon remembers keys for does not post twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    OutboundMessage,
    PollResult,
    SendResult,
    read_configuration,
    register,
)
from comptoir.channels.config import MastodonSettings, TokenSecrets
from comptoir.channels.events import InboundEvent
from comptoir.channels.mastodon.parse import parse_notification

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
_STATUS_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")  # ids are opaque, but never hold a slash
PAGE_SIZE = 40  # the API's default page of notifications (it allows up to 80)


@register
class MastodonAdapter(Adapter):
    kind = "mastodon"
    resends_safely = True  # the Idempotency-Key is kept for an hour, beyond STUCK_AFTER
    max_pages = 10

    def poll(self, state: dict[str, Any]) -> PollResult:
        since_id = str(state.get("since_id") or "")
        first_page: dict[str, Any] = {"types[]": "mention", "limit": PAGE_SIZE}
        # Without a bookmark, read back in time (rel="next"); with one, forward from it.
        if since_id:
            first_page["min_id"] = since_id
        params: dict[str, Any] | None = first_page
        direction = "prev" if since_id else "next"
        newest = since_id
        events: list[InboundEvent] = []
        unreadable: list[tuple[str, str, str]] = []
        ignored = 0
        with self._client() as client:
            host = client.base_url.host.lower()
            url: str | None = "/api/v1/notifications"
            for _ in range(self.max_pages):
                if url is None:
                    break
                response = _call(client, "GET", url, params=params)
                params = None  # the Link header's URLs carry every parameter
                page = _json(response)
                if not isinstance(page, list):
                    raise AdapterError("Mastodon answered with something else than a list")
                if not page:
                    break
                for item in page:
                    item_id = str(item.get("id") or "") if isinstance(item, dict) else ""
                    if item_id and _newer(item_id, newest):
                        newest = item_id
                    parsed = parse_notification(item, instance_host=host)
                    if parsed.event is not None:
                        events.append(parsed.event)
                    elif parsed.skipped:
                        ignored += 1
                    else:
                        where = f"notification {item_id}" if item_id else "notification"
                        unreadable.append((where, _dump(item), parsed.error))
                url = _follow(response, direction, client)
        events.sort(key=lambda event: event.created_at)
        return PollResult(
            events=events,
            state={"since_id": newest} if newest else dict(state),
            ignored=ignored,
            unreadable=unreadable,
        )

    def send(self, message: OutboundMessage) -> SendResult:
        if not _STATUS_ID.fullmatch(message.in_reply_to):
            raise AdapterError("a Mastodon reply needs the id of the status it answers")
        with self._client() as client:
            original = _json(_call(client, "GET", f"/api/v1/statuses/{message.in_reply_to}"))
            try:
                acct = str(original["account"]["acct"])
                visibility = str(original["visibility"])
            except (KeyError, TypeError):
                raise AdapterError(
                    "Mastodon returned a status without its account or visibility"
                ) from None
            text = message.text
            mentioned = rf"(?<![\w@])@{re.escape(acct)}(?!\w)"
            if not re.search(mentioned, text, re.IGNORECASE):
                text = f"@{acct} {text}"
            key = hashlib.sha256(
                f"{self.channel.pk}\n{message.in_reply_to}\n{text}".encode()
            ).hexdigest()
            posted = _json(
                _call(
                    client,
                    "POST",
                    "/api/v1/statuses",
                    json={
                        "status": text,
                        "in_reply_to_id": message.in_reply_to,
                        "visibility": visibility,
                    },
                    headers={"Idempotency-Key": key},
                )
            )
        if not isinstance(posted, dict) or not posted.get("id"):
            raise AdapterError("Mastodon did not return the new status's id")
        return SendResult(external_id=str(posted["id"]), url=str(posted.get("url") or ""))

    def _configuration(self) -> tuple[MastodonSettings, TokenSecrets]:
        settings, secrets = read_configuration(
            self.channel, MastodonSettings, TokenSecrets, "Mastodon"
        )
        return settings, secrets

    def _client(self) -> httpx.Client:
        settings, secrets = self._configuration()
        token = secrets.access_token.get_secret_value()
        if not token:
            raise AdapterError("this Mastodon channel has no access token: reconnect it")
        return httpx.Client(
            base_url=str(settings.instance_url).rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )


def _call(client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise AdapterError(
            f"the Mastodon server {client.base_url.host} did not answer in time"
        ) from None
    except httpx.HTTPError as exc:
        raise AdapterError(
            f"cannot reach the Mastodon server {client.base_url.host}: {exc}"
        ) from exc
    if response.status_code == 401:
        raise AdapterError(
            "the Mastodon access token expired or was revoked: reconnect the channel"
        )
    if response.status_code == 429:
        wait = _wait_seconds(response.headers)
        later = f"retry in {wait} s" if wait is not None else "retry later"
        raise AdapterError(f"Mastodon's rate limit is reached: {later}")
    if response.status_code >= 500:
        raise AdapterError(f"the Mastodon server failed ({response.status_code}): retry later")
    if response.status_code >= 400:
        raise AdapterError(
            f"Mastodon refused {method} {urlsplit(url).path} ({response.status_code}): "
            f"{_error_of(response)}"
        )
    return response


def _wait_seconds(headers: httpx.Headers, now: datetime | None = None) -> int | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or from Mastodon's
    X-RateLimit-Reset (an ISO 8601 time); None when neither says."""
    now = now or datetime.now(tz=UTC)
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return int(retry_after)
    moment: datetime | None = None
    try:
        if retry_after:
            moment = parsedate_to_datetime(retry_after)
        elif headers.get("x-ratelimit-reset"):
            moment = datetime.fromisoformat(headers["x-ratelimit-reset"].strip())
    except (TypeError, ValueError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0, round((moment - now).total_seconds()))


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise AdapterError(
            f"Mastodon answered {urlsplit(str(response.url)).path} with JSON that does not parse"
        ) from None


def _error_of(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("error", body))[:200] if isinstance(body, dict) else str(body)[:200]


def _follow(response: httpx.Response, rel: str, client: httpx.Client) -> str | None:
    """The URL of the page ``rel`` of the Link header, if it stays on the instance: the
    request carries the access token, which no other server may see."""
    url = (response.links.get(rel) or {}).get("url")
    if url is None:
        return None
    if httpx.URL(url).netloc != client.base_url.netloc:
        raise AdapterError(f"Mastodon's Link header points to another server: {url}")
    return str(url)


def _newer(candidate: str, than: str) -> bool:
    return (len(candidate), candidate) > (len(than), than)


def _dump(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False)
