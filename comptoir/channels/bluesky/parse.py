"""One Bluesky notification (reason ``mention`` or ``reply``) in, one InboundEvent out.

Follows ``app.bsky.notification.listNotifications#notification`` and the
``app.bsky.feed.post`` record (https://docs.bsky.app/docs/api/app-bsky-notification-list-notifications,
https://docs.bsky.app/docs/advanced-guides/posts). What an event carries:

- ``external_id`` is the post's ``at://`` URI; ``thread_id`` the URI of the thread's root
  (``record.reply.root``), else the post's own; ``in_reply_to`` the parent's URI.
- The author's ``external_id`` is their DID, which survives a change of handle.
- Every post is public: Bluesky direct messages live in another service (chat.bsky).
- ``raw`` is the notification as received: its ``cid`` and the record's ``reply`` refs are
  what a strong reference to the post needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from comptoir.channels.events import Author, InboundEvent
from comptoir.people.models import IdentityKind

POST_TYPE = "app.bsky.feed.post"
REASONS = ("mention", "reply")
MAX_DISPLAY_NAME = 200


@dataclass(frozen=True)
class Parsed:
    event: InboundEvent | None = None
    skipped: bool = False  # a like, a follow, a repost: not an error
    error: str = ""


def parse_notification(notification: Any) -> Parsed:
    """The event of a mention or reply notification; never raises."""
    if not isinstance(notification, dict):
        return Parsed(error="the notification is not a JSON object")
    if notification.get("reason") not in REASONS:
        return Parsed(skipped=True)
    record = notification.get("record")
    if not isinstance(record, dict) or record.get("$type") != POST_TYPE:
        return Parsed(error=f"the notification's record is not an {POST_TYPE}")
    try:
        return Parsed(event=_event(notification, record))
    except (KeyError, TypeError, ValueError) as exc:
        return Parsed(error=_reason(exc))


def _event(notification: dict[str, Any], record: dict[str, Any]) -> InboundEvent:
    uri = str(notification["uri"])
    reply = record.get("reply") or {}
    author = notification["author"]
    handle = str(author["handle"])
    created_at = datetime.fromisoformat(str(record["createdAt"]))
    if created_at.tzinfo is None:
        raise ValueError(f"createdAt {record['createdAt']!r} has no time zone")
    langs = record.get("langs") or []
    return InboundEvent(
        external_id=uri,
        thread_id=str(reply["root"]["uri"]) if reply else uri,
        in_reply_to=str(reply["parent"]["uri"]) if reply else "",
        author=Author(
            kind=IdentityKind.BLUESKY,
            external_id=str(author["did"]),
            handle=f"@{handle}",
            display_name=str(author.get("displayName") or "")[:MAX_DISPLAY_NAME],
            profile_url=profile_url(handle),
            avatar_url=str(author.get("avatar") or ""),
        ),
        text=str(record.get("text") or ""),
        created_at=created_at,
        visibility="public",
        kind="reply" if reply else "post",
        language=str(langs[0])[:8] if langs else "",
        url=post_url(handle, uri),
        raw=notification,
    )


def profile_url(handle: str) -> str:
    return f"https://bsky.app/profile/{handle}"


def post_url(handle: str, uri: str) -> str:
    """``at://did/app.bsky.feed.post/rkey`` -> its page on bsky.app."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"{profile_url(handle)}/post/{rkey}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['msg']}"
            for err in exc.errors()
        )
        return f"the post does not make a valid event: {problems}"
    if isinstance(exc, KeyError):
        return f"the notification has no {exc.args[0]!r}"
    return f"the notification is malformed: {exc}"
