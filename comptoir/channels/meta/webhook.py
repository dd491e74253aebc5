"""Meta's webhook: the GET verification, the signature of every POST, and the payloads.

One POST may carry several entries (one per Page or Instagram account and moment), each
with ``changes`` (feed and comment notifications) and ``messaging`` (Messenger and Instagram
direct messages). Formats:
https://developers.facebook.com/docs/graph-api/webhooks/getting-started
https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed
https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
https://developers.facebook.com/docs/instagram-platform/webhooks/examples
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import ValidationError

from comptoir.channels.adapters import HookAnswer, SignatureError, WebhookRequest
from comptoir.channels.events import Attachment, InboundEvent

SIGNATURE_HEADER = "x-hub-signature-256"
MetaObject = Literal["page", "instagram"]

# Messenger attachment types, as MIME families; the URL is a short-lived CDN link.
ATTACHMENT_TYPES = {
    "image": "image/*",
    "video": "video/*",
    "audio": "audio/*",
    "file": "application/octet-stream",
}


def answer_verification(request: WebhookRequest, verify_token: str) -> HookAnswer:
    """Meta's subscription check: echo ``hub.challenge`` when the token is ours."""
    query = request.query
    expected = verify_token.encode()
    given = query.get("hub.verify_token", "").encode()
    if (
        query.get("hub.mode") == "subscribe"
        and verify_token
        and hmac.compare_digest(given, expected)
        and query.get("hub.challenge")
    ):
        return HookAnswer(200, query["hub.challenge"])
    return HookAnswer(403, "verification refused")


def sign(app_secret: str, body: bytes) -> str:
    """The header value Meta sends with ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_signature(request: WebhookRequest, app_secret: str) -> None:
    if not app_secret:
        raise SignatureError("this channel has no app secret to check Meta's signature")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    if not hmac.compare_digest(given.encode(), sign(app_secret, request.body).encode()):
        raise SignatureError(f"the {SIGNATURE_HEADER} header does not match the body")


@dataclass
class Reading:
    events: list[InboundEvent] = field(default_factory=list)
    ignored: int = 0
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)


class PayloadError(ValueError):
    """The body is not a Meta webhook payload at all."""


def read_payload(
    body: bytes, *, expected: MetaObject, account_ids: frozenset[str], identity_kind: str
) -> Reading:
    """The events of a verified POST for one Page (``page``) or account (``instagram``).

    ``account_ids`` are the brand's own ids on this channel: entries for other accounts and
    messages written by these ids (echoes of the brand's replies) are ignored.
    """
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise PayloadError(f"the body is not JSON: {exc}") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise PayloadError("the body has no entry list")
    if payload.get("object") != expected:
        raise PayloadError(
            f"this channel takes {expected!r} notifications, not {payload.get('object')!r}"
        )
    reader = _Reader(expected, account_ids, identity_kind)
    for number, entry in enumerate(payload["entry"]):
        if not isinstance(entry, dict):
            reader.unreadable(f"entry {number}", entry, "not an object")
            continue
        if str(entry.get("id", "")) not in account_ids:
            # Another Page or account of the same app: not this channel's.
            reader.reading.ignored += len(entry.get("changes") or []) + len(
                entry.get("messaging") or []
            )
            continue
        for index, change in enumerate(entry.get("changes") or []):
            reader.change(f"entry {number} change {index}", change, entry)
        for index, item in enumerate(entry.get("messaging") or []):
            reader.message(f"entry {number} messaging {index}", item)
    return reader.reading


class _Reader:
    def __init__(self, kind: MetaObject, account_ids: frozenset[str], identity_kind: str) -> None:
        self.kind = kind
        self.account_ids = account_ids
        self.identity_kind = identity_kind
        self.reading = Reading()

    def unreadable(self, where: str, item: Any, reason: str) -> None:
        self.reading.unreadable.append((where, json.dumps(item, ensure_ascii=False), reason))

    def keep(self, where: str, item: Any, build: dict[str, Any]) -> None:
        try:
            self.reading.events.append(InboundEvent.model_validate(build))
        except ValidationError as exc:
            self.unreadable(where, item, _summary(exc))

    def change(self, where: str, change: Any, entry: dict[str, Any]) -> None:
        value = change.get("value") if isinstance(change, dict) else None
        if not isinstance(value, dict):
            self.unreadable(where, change, "a change without a value object")
            return
        field_name = change.get("field")
        if self.kind == "page" and field_name == "feed":
            self.feed_comment(where, change, value)
        elif self.kind == "instagram" and field_name == "comments":
            self.instagram_comment(where, change, value, entry)
        else:
            # Reactions, likes, mentions, story insights...: not conversations.
            self.reading.ignored += 1

    def feed_comment(self, where: str, change: dict[str, Any], value: dict[str, Any]) -> None:
        if value.get("item") != "comment" or value.get("verb") != "add":
            self.reading.ignored += 1  # likes, reactions, edits and removals
            return
        sender = value.get("from") or {}
        if str(sender.get("id", "")) in self.account_ids:
            self.reading.ignored += 1  # the Page's own reply
            return
        post_id = str(value.get("post_id", ""))
        parent_id = str(value.get("parent_id", ""))
        answers_comment = bool(parent_id) and parent_id != post_id
        self.keep(
            where,
            change,
            {
                "external_id": str(value.get("comment_id", "")),
                "thread_id": post_id,
                "in_reply_to": parent_id if answers_comment else "",
                "author": self.author(sender.get("id"), name=sender.get("name")),
                "text": value.get("message") or "",
                "created_at": _moment(value.get("created_time")),
                "visibility": "public",
                "kind": "reply" if answers_comment else "comment",
                "attachments": _photo(value),
                "raw": change,
            },
        )

    def instagram_comment(
        self, where: str, change: dict[str, Any], value: dict[str, Any], entry: dict[str, Any]
    ) -> None:
        sender = value.get("from") or {}
        if str(sender.get("id", "")) in self.account_ids:
            self.reading.ignored += 1  # the account's own reply
            return
        media = value.get("media") or {}
        parent_id = str(value.get("parent_id", ""))
        self.keep(
            where,
            change,
            {
                "external_id": str(value.get("id", "")),
                "thread_id": str(media.get("id", "")),
                "in_reply_to": parent_id,
                "author": self.author(sender.get("id"), handle=sender.get("username")),
                "text": value.get("text") or "",
                # Comment notifications carry no time of their own: the entry's is close.
                "created_at": _moment(entry.get("time")),
                "visibility": "public",
                "kind": "reply" if parent_id else "comment",
                "raw": change,
            },
        )

    def message(self, where: str, item: Any) -> None:
        if not isinstance(item, dict):
            self.unreadable(where, item, "not an object")
            return
        message = item.get("message")
        sender_id = str((item.get("sender") or {}).get("id", ""))
        if not isinstance(message, dict):
            self.reading.ignored += 1  # deliveries, reads, reactions, postbacks
            return
        if message.get("is_echo") or sender_id in self.account_ids:
            self.reading.ignored += 1  # what the brand itself sent
            return
        if message.get("is_deleted"):
            self.reading.ignored += 1
            return
        self.keep(
            where,
            item,
            {
                "external_id": str(message.get("mid", "")),
                "thread_id": f"dm:{sender_id}",
                "in_reply_to": str((message.get("reply_to") or {}).get("mid", "")),
                "author": self.author(sender_id),
                "text": message.get("text") or "",
                "created_at": _moment(item.get("timestamp")),
                "visibility": "private",
                "kind": "direct",
                "attachments": _attachments(message.get("attachments")),
                "raw": item,
            },
        )

    def author(self, account_id: Any, *, name: Any = "", handle: Any = "") -> dict[str, Any]:
        return {
            "kind": self.identity_kind,
            "external_id": str(account_id or ""),
            "display_name": str(name or ""),
            "handle": str(handle or ""),
        }


def _moment(value: Any) -> datetime | str:
    """Meta's times: Unix seconds (feed), milliseconds (messaging) or ISO 8601 strings.

    A value that is none of these is handed on as is, for validation to refuse the event.
    """
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        # No timestamp in seconds reaches 10^11 before the year 5138; milliseconds do now.
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    text = str(value)
    if text.isdigit():
        return _moment(int(text))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return text


def _photo(value: dict[str, Any]) -> list[dict[str, Any]]:
    photo = value.get("photo")
    return [{"content_type": "image/*", "url": photo}] if isinstance(photo, str) else []


def _attachments(items: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = (item.get("payload") or {}).get("url", "")
        content_type = ATTACHMENT_TYPES.get(str(item.get("type", "")), "application/octet-stream")
        found.append(Attachment(content_type=content_type, url=str(url or "")).model_dump())
    return found


def _summary(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'event'}: {error['msg']}"
        for error in exc.errors()
    )
