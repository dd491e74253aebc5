"""The X adapter: Account Activity webhooks, mentions polling (API v2), replies.

Poll state: ``{"since_id": newest mention seen}``. A poll reads at most ``max_pages`` pages;
when more are left, or the rate-limit window is used up, it also keeps ``next_token`` (where
it stopped) and ``newest_id`` (the since_id to take once the sweep is done), so the next
poll goes on with the older pages instead of skipping them. ``wait_until`` holds the end of
a used-up rate-limit window: polls before it fail at once without asking X.
The first poll of a channel takes one page: the latest mentions, not the account's history.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings as django_settings
from pydantic import ValidationError

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    HookAnswer,
    OutboundMessage,
    PollResult,
    SendResult,
    SignatureError,
    WebhookRequest,
    read_configuration,
    register,
)
from comptoir.channels.config import XSecrets, XSettings
from comptoir.channels.events import InboundEvent
from comptoir.channels.x.api import XApi
from comptoir.channels.x.webhook import (
    PayloadError,
    answer_crc,
    as_object,
    check_signature,
    read_payload,
    summary,
)

DEFAULT_API_URL = "https://api.x.com"


@register
class XAdapter(Adapter):
    kind = "x"
    max_pages = 5

    def answer_challenge(self, request: WebhookRequest) -> HookAnswer:
        try:
            _, secrets = self._configuration()
        except AdapterError:
            return HookAnswer(403, "this channel's settings are invalid")
        return answer_crc(request, secrets.consumer_secret.get_secret_value())

    def verify(self, request: WebhookRequest) -> None:
        try:
            _, secrets = self._configuration()
        except AdapterError as exc:
            raise SignatureError(str(exc)) from exc
        check_signature(request, secrets.consumer_secret.get_secret_value())

    def read_webhook(self, request: WebhookRequest) -> PollResult:
        settings, _ = self._configuration()
        try:
            reading = read_payload(request.body, account_id=settings.user_id)
        except PayloadError as exc:
            raise AdapterError(str(exc)) from exc
        return PollResult(
            events=reading.events, state={}, ignored=reading.ignored, unreadable=reading.unreadable
        )

    def poll(self, state: dict[str, Any]) -> PollResult:
        settings, secrets = self._configuration()
        if not settings.user_id:
            raise AdapterError("this X channel has no user_id set: mentions polling needs it")
        wait_until = _moment(state.get("wait_until"))
        if wait_until is not None and wait_until > datetime.now(tz=UTC):
            raise AdapterError(f"X's rate limit is reached; retry after {wait_until.isoformat()}")
        since_id = _tweet_id(state.get("since_id"))
        next_token = str(state.get("next_token") or "")
        newest_id = _tweet_id(state.get("newest_id")) if next_token else ""
        events: list[InboundEvent] = []
        unreadable: list[tuple[str, str, str]] = []
        ignored = 0
        token = secrets.bearer_token.get_secret_value()
        with XApi(_api_url(), token, what="bearer token") as api:
            for number in range(1, self.max_pages + 1):
                page = api.mentions(settings.user_id, since_id=since_id, next_token=next_token)
                meta = as_object(page.body.get("meta"))
                newest_id = newest_id or _tweet_id(meta.get("newest_id"))
                found = _mentions(page.body, own=settings.user_id)
                events += found.events
                unreadable += found.unreadable
                ignored += found.ignored
                next_token = str(meta.get("next_token") or "")
                if not next_token or not since_id:
                    # Done; or a first poll, which does not read back through history.
                    return PollResult(
                        events=events,
                        state=_state(newest_id or since_id, page.exhausted_until),
                        ignored=ignored,
                        unreadable=unreadable,
                    )
                if page.exhausted_until is not None or number == self.max_pages:
                    break
        later = {"since_id": since_id, "next_token": next_token, "newest_id": newest_id}
        if page.exhausted_until is not None:
            later["wait_until"] = page.exhausted_until.isoformat()
        return PollResult(events=events, state=later, ignored=ignored, unreadable=unreadable)

    def send(self, message: OutboundMessage) -> SendResult:
        """A public reply to the post ``in_reply_to``, with the OAuth 2.0 user access token
        (``XSecrets.access_token``): app-only bearer tokens cannot post."""
        if not message.in_reply_to:
            raise AdapterError("an X reply needs the id of the post it answers")
        settings, secrets = self._configuration()
        token = secrets.access_token.get_secret_value()
        with XApi(_api_url(), token, what="user access token") as api:
            page = api.post_tweet(
                {"text": message.text, "reply": {"in_reply_to_tweet_id": message.in_reply_to}}
            )
        new_id = as_object(page.body.get("data")).get("id")
        if not isinstance(new_id, str) or not new_id:
            raise AdapterError("X accepted the reply but gave no id for it")
        handle = settings.handle.lstrip("@")
        return SendResult(external_id=new_id, url=f"https://x.com/{handle}/status/{new_id}")

    def _configuration(self) -> tuple[XSettings, XSecrets]:
        settings, secrets = read_configuration(self.channel, XSettings, XSecrets, "X")
        return settings, secrets


class _Found:
    def __init__(self) -> None:
        self.events: list[InboundEvent] = []
        self.unreadable: list[tuple[str, str, str]] = []
        self.ignored = 0


def _mentions(body: dict[str, Any], *, own: str) -> _Found:
    """One page of GET /2/users/:id/mentions as events; authors come from includes.users."""
    found = _Found()
    users = {
        str(user.get("id")): user
        for user in as_object(body.get("includes")).get("users") or []
        if isinstance(user, dict)
    }
    for tweet in body.get("data") or []:
        if not isinstance(tweet, dict):
            found.unreadable.append(
                ("mention", json.dumps(tweet, ensure_ascii=False), "not an object")
            )
            continue
        references = {
            str(ref.get("type")): str(ref.get("id"))
            for ref in tweet.get("referenced_tweets") or []
            if isinstance(ref, dict)
        }
        author_id = str(tweet.get("author_id", ""))
        if author_id == own or "retweeted" in references:
            found.ignored += 1  # the account's own posts; retweets carry no new words
            continue
        user = as_object(users.get(author_id))
        username = str(user.get("username", ""))
        replied_to = references.get("replied_to", "")
        language = str(tweet.get("lang") or "")
        tweet_id = str(tweet.get("id", ""))
        try:
            event = InboundEvent.model_validate(
                {
                    "external_id": tweet_id,
                    "thread_id": str(tweet.get("conversation_id") or tweet_id),
                    "in_reply_to": replied_to,
                    "author": {
                        "kind": "x",
                        "external_id": author_id,
                        "handle": username,
                        "display_name": str(user.get("name") or ""),
                        "profile_url": f"https://x.com/{username}" if username else "",
                        "avatar_url": str(user.get("profile_image_url") or ""),
                        "declared": [str(user["url"])] if user.get("url") else [],
                    },
                    "text": str(tweet.get("text") or ""),
                    "created_at": tweet.get("created_at"),
                    "visibility": "public",
                    "kind": "reply" if replied_to else "post",
                    "language": "" if language in ("und", "zxx", "qme") else language,
                    "url": f"https://x.com/{username or 'i'}/status/{tweet_id}",
                    "raw": {"tweet": tweet, "author": user},
                }
            )
        except ValidationError as exc:
            found.unreadable.append(
                (f"post {tweet_id}", json.dumps(tweet, ensure_ascii=False), summary(exc))
            )
        else:
            found.events.append(event)
    return found


def _api_url() -> str:
    # A Django setting rather than a channel setting: only tests point it elsewhere.
    url: str = getattr(django_settings, "X_API_URL", DEFAULT_API_URL)
    return url


def _state(since_id: str, wait_until: datetime | None) -> dict[str, Any]:
    state: dict[str, Any] = {"since_id": since_id} if since_id else {}
    if wait_until is not None:
        state["wait_until"] = wait_until.isoformat()
    return state


def _tweet_id(value: Any) -> str:
    """A post id from the state or the API; anything else starts over, which is safe."""
    text = str(value or "")
    return text if text.isdigit() else ""


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None
