"""The Bluesky adapter: polls mentions and replies from listNotifications, posts replies.

Signing in: ``com.atproto.server.createSession`` with the handle and an app password. The
session's access token is kept in this process's memory for the channel (never in the poll
state, which is stored in clear) and used until the server calls it expired; then one new
session is made and the request is made again. A session per poll would exhaust the
server's allowance of sign-ins (a few hundred a day) within hours.

Poll state: ``{"seen_at": the indexedAt of the newest notification ingested}``, plus
``"backlog": {"cursor": ..., "until": ...}`` while a stretch remains to be read.
listNotifications returns the newest first and its cursor goes back in time, so a poll reads
pages until it meets a notification indexed before ``seen_at`` (those were ingested), the end
of the list, or ``max_pages`` pages. Notifications indexed at exactly ``seen_at`` are read
again, since another may share that instant: the pipeline drops the duplicate. The first
poll reads at most ``max_pages`` pages back. A later poll stopped by ``max_pages`` before it
meets ``seen_at`` keeps the cursor where it stopped and the old ``seen_at`` as the backlog;
the next poll reads that stretch before anything newer, so no notification is skipped.

Replying: ``OutboundMessage.in_reply_to`` is the parent's ``at://`` URI. A reply record needs
strong references (URI and CID) to the parent and to the thread's root; ``app.bsky.feed.getPosts``
gives both (the parent's CID, and its own ``reply.root`` when the parent is itself a reply),
so send works from the URI alone and uses the current CIDs, not the ones seen at ingest.
The new post's ``at://`` URI is the reply's external id.

Failures (401, 429, 5xx, JSON that does not parse) raise AdapterError; the caller keeps the
old state. A 429 is not waited for here: the message says when to come back.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

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
from comptoir.channels.bluesky.parse import POST_TYPE, REASONS, parse_notification
from comptoir.channels.config import BlueskySecrets, BlueskySettings
from comptoir.channels.events import InboundEvent

TIMEOUT = httpx.Timeout(20.0, connect=5.0)
PAGE_SIZE = 100  # the lexicon's maximum
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})


class Sessions:
    """Access tokens by (channel, service, handle), shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[tuple[int | None, str, str], tuple[str, str]] = {}

    def get(self, key: tuple[int | None, str, str]) -> tuple[str, str] | None:
        with self._lock:
            return self._tokens.get(key)

    def put(self, key: tuple[int | None, str, str], did: str, token: str) -> None:
        with self._lock:
            self._tokens[key] = (did, token)

    def drop(self, key: tuple[int | None, str, str]) -> None:
        with self._lock:
            self._tokens.pop(key, None)


SESSIONS = Sessions()


@dataclass
class _Walk:
    """What a walk back through the notifications found."""

    events: list[InboundEvent] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)
    ignored: int = 0
    newest: str = ""  # the newest indexedAt, as the server wrote it
    newest_at: datetime | None = None
    cursor: str = ""

    def read(self, notifications: list[Any], until: datetime | None) -> bool:
        """Take one page in; True once it reaches a notification indexed before ``until``."""
        for item in notifications:
            where = _where(item)
            indexed = _instant(item.get("indexedAt") if isinstance(item, dict) else None)
            if indexed is None:
                self.unreadable.append((where, _dump(item), "the notification has no indexedAt"))
                continue
            if until is not None and indexed < until:
                return True
            if self.newest_at is None or indexed > self.newest_at:
                self.newest, self.newest_at = str(item["indexedAt"]), indexed
            parsed = parse_notification(item)
            if parsed.event is not None:
                self.events.append(parsed.event)
            elif parsed.skipped:
                self.ignored += 1
            else:
                self.unreadable.append((where, _dump(item), parsed.error))
        return False


@register
class BlueskyAdapter(Adapter):
    kind = "bluesky"
    max_pages = 10

    def poll(self, state: dict[str, Any]) -> PollResult:
        seen_text = str(state.get("seen_at") or "")
        backlog = state.get("backlog")
        with self._client() as client:
            if isinstance(backlog, dict) and backlog.get("cursor"):
                # Finish what an earlier poll left between two bookmarks before going on.
                walk = self._walk(client, str(backlog["cursor"]), _instant(backlog.get("until")))
                left = {"cursor": walk.cursor, "until": backlog.get("until")}
                next_state = {"seen_at": seen_text, **({"backlog": left} if walk.cursor else {})}
            else:
                walk = self._walk(client, "", _instant(seen_text))
                newest = walk.newest or seen_text
                next_state = {"seen_at": newest} if newest else {}
                if walk.cursor and seen_text:
                    # Stopped by the page bound above the bookmark: the rest comes next time.
                    next_state["backlog"] = {"cursor": walk.cursor, "until": seen_text}
        walk.events.sort(key=lambda event: event.created_at)
        return PollResult(
            events=walk.events,
            state=next_state,
            ignored=walk.ignored,
            unreadable=walk.unreadable,
        )

    def _walk(self, client: httpx.Client, cursor: str, until: datetime | None) -> _Walk:
        """Read pages back in time from ``cursor`` until a notification indexed before
        ``until``, the end of the list, or ``max_pages``; the walk's ``cursor`` is where it
        stopped when that was the page bound, else empty."""
        walk = _Walk()
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"limit": PAGE_SIZE, "reasons": list(REASONS)}
            if cursor:
                params["cursor"] = cursor
            body = self._call(
                client, "GET", "app.bsky.notification.listNotifications", params=params
            )
            notifications = body.get("notifications")
            if not isinstance(notifications, list):
                raise AdapterError("Bluesky's listNotifications answer has no notifications")
            if walk.read(notifications, until):
                return walk
            cursor = str(body.get("cursor") or "")
            if not cursor or not notifications:
                return walk
        walk.cursor = cursor
        return walk

    def send(self, message: OutboundMessage) -> SendResult:
        if not message.in_reply_to.startswith("at://"):
            raise AdapterError("a Bluesky reply needs the at:// URI of the post it answers")
        with self._client() as client:
            found = self._call(
                client, "GET", "app.bsky.feed.getPosts", params={"uris": message.in_reply_to}
            )
            posts = found.get("posts") or []
            if not posts:
                raise AdapterError(f"the Bluesky post {message.in_reply_to} no longer exists")
            try:
                parent = {"uri": str(posts[0]["uri"]), "cid": str(posts[0]["cid"])}
                thread = posts[0]["record"].get("reply") or {}
                root = (
                    {"uri": str(thread["root"]["uri"]), "cid": str(thread["root"]["cid"])}
                    if thread
                    else parent
                )
            except (KeyError, TypeError, AttributeError):
                raise AdapterError("Bluesky returned a post without its references") from None
            did, _ = self._session(client)
            created = self._call(
                client,
                "POST",
                "com.atproto.repo.createRecord",
                json={
                    "repo": did,
                    "collection": POST_TYPE,
                    "record": {
                        "$type": POST_TYPE,
                        "text": message.text,
                        "createdAt": _now_text(),
                        "reply": {"root": root, "parent": parent},
                    },
                },
            )
        if not created.get("uri"):
            raise AdapterError("Bluesky did not return the new post's URI")
        return SendResult(external_id=str(created["uri"]))

    # The session and the calls.

    def _configuration(self) -> tuple[BlueskySettings, BlueskySecrets]:
        settings, secrets = read_configuration(
            self.channel, BlueskySettings, BlueskySecrets, "Bluesky"
        )
        return settings, secrets

    def _client(self) -> httpx.Client:
        settings, _ = self._configuration()
        return httpx.Client(
            base_url=str(settings.service_url).rstrip("/") + "/xrpc/",
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
        )

    def _key(self) -> tuple[int | None, str, str]:
        settings, _ = self._configuration()
        return (self.channel.pk, str(settings.service_url), settings.handle)

    def _session(self, client: httpx.Client) -> tuple[str, str]:
        """(DID, access token): the one this process holds, else a new session."""
        held = SESSIONS.get(self._key())
        if held is not None:
            return held
        settings, secrets = self._configuration()
        password = secrets.app_password.get_secret_value()
        if not password:
            raise AdapterError("this Bluesky channel has no app password: reconnect it")
        response = _send(
            client,
            "POST",
            "com.atproto.server.createSession",
            json={"identifier": settings.handle, "password": password},
        )
        if response.status_code == 401:
            raise AdapterError(
                f"Bluesky refused the app password of {settings.handle}: it is wrong, expired "
                "or revoked: reconnect the channel"
            )
        body = _checked(response)
        did, token = str(body.get("did") or ""), str(body.get("accessJwt") or "")
        if not did or not token:
            raise AdapterError("Bluesky's createSession answer has no DID or access token")
        SESSIONS.put(self._key(), did, token)
        return did, token

    def _call(self, client: httpx.Client, method: str, nsid: str, **kwargs: Any) -> dict[str, Any]:
        fresh = SESSIONS.get(self._key()) is None
        _, token = self._session(client)
        response = _send(client, method, nsid, token=token, **kwargs)
        if _expired(response) and not fresh:
            # The held session ran out: sign in again, once.
            SESSIONS.drop(self._key())
            _, token = self._session(client)
            response = _send(client, method, nsid, token=token, **kwargs)
        if _expired(response):
            SESSIONS.drop(self._key())
            raise AdapterError(
                "the Bluesky session token expired or was revoked: reconnect the channel"
            )
        return _checked(response)


def _send(
    client: httpx.Client, method: str, nsid: str, *, token: str = "", **kwargs: Any
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return client.request(method, nsid, headers=headers, **kwargs)
    except httpx.TimeoutException:
        raise AdapterError(
            f"the Bluesky server {client.base_url.host} did not answer in time"
        ) from None
    except httpx.HTTPError as exc:
        raise AdapterError(
            f"cannot reach the Bluesky server {client.base_url.host}: {exc}"
        ) from exc


def _expired(response: httpx.Response) -> bool:
    return response.status_code == 401 or (
        response.status_code == 400 and _error_of(response)[0] in _EXPIRED
    )


def _checked(response: httpx.Response) -> dict[str, Any]:
    """The JSON object of a successful answer; AdapterError for anything else."""
    status = response.status_code
    nsid = response.url.path.rsplit("/", 1)[-1]
    if status == 429:
        wait = _wait_seconds(response.headers)
        later = f"retry in {wait} s" if wait is not None else "retry later"
        raise AdapterError(f"Bluesky's rate limit is reached: {later}")
    if status >= 500:
        raise AdapterError(f"the Bluesky server failed ({status}): retry later")
    if status >= 400:
        error, text = _error_of(response)
        raise AdapterError(f"Bluesky refused {nsid} ({status} {error}): {text}")
    try:
        body = response.json()
    except ValueError:
        raise AdapterError(f"Bluesky answered {nsid} with JSON that does not parse") from None
    if not isinstance(body, dict):
        raise AdapterError(f"Bluesky answered {nsid} with something else than an object")
    return body


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """XRPC's ``{"error": name, "message": text}``, as far as the answer holds one."""
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", str(body)[:200]
    return str(body.get("error") or ""), str(body.get("message") or "")[:200]


def _wait_seconds(headers: httpx.Headers, now: datetime | None = None) -> int | None:
    """Seconds to wait from Retry-After (seconds) or RateLimit-Reset (a Unix time, as the
    Bluesky servers send it); None when neither says."""
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        return int(retry_after)
    reset = headers.get("ratelimit-reset", "").strip()
    if not reset.isdigit():
        return None
    now = now or datetime.now(tz=UTC)
    return max(0, int(reset) - int(now.timestamp()))


def _instant(value: Any) -> datetime | None:
    """An aware datetime from an AT Protocol datetime string; None if it is not one."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _now_text() -> str:
    return datetime.now(tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _where(item: Any) -> str:
    uri = item.get("uri") if isinstance(item, dict) else None
    return f"notification {uri}" if uri else "notification"


def _dump(item: Any) -> str:
    return json.dumps(item, ensure_ascii=False)
