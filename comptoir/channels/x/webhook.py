"""X's Account Activity webhook: the CRC check, the signature of every POST, the payloads.

https://docs.x.com/x-api/webhooks/introduction (CRC and signature)
https://docs.x.com/x-api/enterprise-gnip-2.0/fundamentals/account-activity (event payloads:
``tweet_create_events`` and ``direct_message_events`` are v1.1-shaped objects)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from comptoir.channels.adapters import HookAnswer, SignatureError, WebhookRequest
from comptoir.channels.events import InboundEvent

SIGNATURE_HEADER = "x-twitter-webhooks-signature"
# v1.1's created_at: "Wed Oct 10 20:19:24 +0000 2018".
V1_TIME = "%a %b %d %H:%M:%S %z %Y"


def digest(consumer_secret: str, message: bytes) -> str:
    """``sha256=`` and the base64 HMAC-SHA256 of ``message``: both the CRC answer and the
    signature header have this form."""
    mac = hmac.new(consumer_secret.encode(), message, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def answer_crc(request: WebhookRequest, consumer_secret: str) -> HookAnswer:
    token = request.query.get("crc_token", "")
    if not token:
        return HookAnswer(400, "no crc_token")
    if not consumer_secret:
        return HookAnswer(403, "this channel has no consumer secret to answer the CRC")
    body = json.dumps({"response_token": digest(consumer_secret, token.encode())})
    return HookAnswer(200, body, content_type="application/json")


def check_signature(request: WebhookRequest, consumer_secret: str) -> None:
    if not consumer_secret:
        raise SignatureError("this channel has no consumer secret to check X's signature")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not given:
        raise SignatureError(f"no {SIGNATURE_HEADER} header")
    if not hmac.compare_digest(given.encode(), digest(consumer_secret, request.body).encode()):
        raise SignatureError(f"the {SIGNATURE_HEADER} header does not match the body")


class PayloadError(ValueError):
    """The body is not an Account Activity payload."""


@dataclass
class Reading:
    events: list[InboundEvent] = field(default_factory=list)
    ignored: int = 0
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)

    def keep(self, where: str, item: Any, build: dict[str, Any]) -> None:
        try:
            self.events.append(InboundEvent.model_validate(build))
        except ValidationError as exc:
            self.unreadable.append((where, json.dumps(item, ensure_ascii=False), summary(exc)))


def read_payload(body: bytes, *, account_id: str) -> Reading:
    """The events of a verified POST for the account ``account_id`` (empty: trust the
    payload's ``for_user_id``). Events of other kinds (likes, follows...) are ignored."""
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise PayloadError(f"the body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise PayloadError("the body is not a JSON object")
    for_user = str(payload.get("for_user_id", ""))
    if account_id and for_user and for_user != account_id:
        raise PayloadError(f"these events are for account {for_user}, not this channel's")
    own = account_id or for_user
    reading = Reading()
    for key, items in payload.items():
        if key in ("for_user_id", "user_has_blocked"):
            continue
        if key == "tweet_create_events":
            for index, tweet in enumerate(items if isinstance(items, list) else []):
                _tweet(reading, f"tweet {index}", tweet, own)
        elif key == "direct_message_events":
            users = as_object(payload.get("users"))
            for index, item in enumerate(items if isinstance(items, list) else []):
                _direct_message(reading, f"direct message {index}", item, own, users)
        elif key != "users" and isinstance(items, list):
            reading.ignored += len(items)  # favorites, follows, blocks, deletes...
    return reading


def _tweet(reading: Reading, where: str, tweet: Any, own: str) -> None:
    if not isinstance(tweet, dict):
        reading.unreadable.append((where, json.dumps(tweet), "not an object"))
        return
    user = as_object(tweet.get("user"))
    if (own and str(user.get("id_str", "")) == own) or "retweeted_status" in tweet:
        # The account's own posts come back as events; retweets carry no new words.
        reading.ignored += 1
        return
    tweet_id = str(tweet.get("id_str", ""))
    extended = as_object(tweet.get("extended_tweet"))
    text = extended.get("full_text") or tweet.get("full_text") or tweet.get("text") or ""
    replied_to = str(tweet.get("in_reply_to_status_id_str") or "")
    language = str(tweet.get("lang") or "")
    screen_name = str(user.get("screen_name", ""))
    reading.keep(
        where,
        tweet,
        {
            "external_id": tweet_id,
            "thread_id": replied_to or tweet_id,
            "in_reply_to": replied_to,
            "author": {
                "kind": "x",
                "external_id": str(user.get("id_str", "")),
                "handle": screen_name,
                "display_name": str(user.get("name") or ""),
                "profile_url": f"https://x.com/{screen_name}" if screen_name else "",
                "avatar_url": str(user.get("profile_image_url_https") or ""),
                "declared": [str(user["url"])] if user.get("url") else [],
            },
            "text": text,
            "created_at": _v1_time(tweet.get("created_at")),
            "visibility": "public",
            "kind": "reply" if replied_to else "post",
            # "und": X could not tell; leave it to our own detection.
            "language": "" if language == "und" else language,
            "url": f"https://x.com/{screen_name or 'i'}/status/{tweet_id}",
            "raw": tweet,
        },
    )


def _direct_message(
    reading: Reading, where: str, item: Any, own: str, users: dict[str, Any]
) -> None:
    if not isinstance(item, dict):
        reading.unreadable.append((where, json.dumps(item), "not an object"))
        return
    if item.get("type") != "message_create":
        reading.ignored += 1
        return
    create = as_object(item.get("message_create"))
    sender_id = str(create.get("sender_id", ""))
    if own and sender_id == own:
        reading.ignored += 1  # what the account itself sent
        return
    data = as_object(create.get("message_data"))
    sender = as_object(users.get(sender_id))
    screen_name = str(sender.get("screen_name", ""))
    reading.keep(
        where,
        item,
        {
            "external_id": str(item.get("id", "")),
            "thread_id": f"dm:{sender_id}",
            "author": {
                "kind": "x",
                "external_id": sender_id,
                "handle": screen_name,
                "display_name": str(sender.get("name") or ""),
                "profile_url": f"https://x.com/{screen_name}" if screen_name else "",
                "avatar_url": str(sender.get("profile_image_url_https") or ""),
            },
            "text": data.get("text") or "",
            "created_at": _milliseconds(item.get("created_timestamp")),
            "visibility": "private",
            "kind": "direct",
            "raw": {"event": item, "sender": sender},
        },
    )


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _v1_time(value: Any) -> datetime | str:
    try:
        return datetime.strptime(str(value), V1_TIME).astimezone(UTC)
    except ValueError:
        return str(value or "")  # refused by validation, with the value in the reason


def _milliseconds(value: Any) -> datetime | str:
    try:
        return datetime.fromtimestamp(int(str(value)) / 1000, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return str(value or "")


def summary(exc: ValidationError) -> str:
    """A validation failure in one line, as a rejected event's reason."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'event'}: {error['msg']}"
        for error in exc.errors()
    )
