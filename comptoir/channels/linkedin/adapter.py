"""The LinkedIn adapter: comments on the organisation's recent posts, and replies to them.

A poll lists the organisation's most recent posts (Posts API, ``q=author``), then reads each
post's comments page by page (``socialActions/{post}/comments``, ``start``/``count``) and the
replies under each comment that has some (``socialActions/{comment}/comments``): LinkedIn
threads are two levels deep. The organisation's own comments are ignored.
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api

Poll state: ``{"seen": {post urn: newest created.time (ms) seen on it}, "unreadable": [...]}``,
for the posts of the last listing only, so it never holds more than ``POSTS_PER_POLL``
bookmarks. A comment is new when it was created after its post's bookmark. A comment that
cannot be read (it has no time to compare) is reported once: ``unreadable`` names those the
last poll saw. A failed call raises AdapterError and the caller keeps the old state, so
nothing between two successful polls is lost.

A reply is a nested comment: posted under the comment it answers, as the organisation.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import SecretStr, ValidationError

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    OutboundMessage,
    PollResult,
    SendResult,
    read_configuration,
    register,
)
from comptoir.channels.config import LinkedInSettings, TokenSecrets
from comptoir.channels.events import Attachment, Author, InboundEvent
from comptoir.channels.linkedin.api import LinkedInApi, path_urn
from comptoir.people.models import IdentityKind

POSTS_PER_POLL = 20
COMMENTS_PER_PAGE = 50
MAX_PAGES = 20  # per list of comments: a thousand comments on one post a poll
# urn:li:comment:(urn:li:activity:7262...,7263...): the commented entity, then the comment id.
_COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:\d+),(\d+)\)$")


@dataclass
class _Found:
    events: list[InboundEvent] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)
    ignored: int = 0
    reported: set[str] = field(default_factory=set)  # unreadable, as of the last poll
    unreadable_seen: set[str] = field(default_factory=set)


@register
class LinkedInAdapter(Adapter):
    kind = "linkedin"

    def poll(self, state: dict[str, Any]) -> PollResult:
        settings, token = self._configuration()
        organization = settings.organization_urn
        seen = _seen(state)
        found = _Found(reported=set(state.get("unreadable") or []))
        newest: dict[str, int] = {}
        with self._api(settings, token) as api:
            posts = api.get(
                "/rest/posts",
                {
                    "q": "author",
                    "author": organization,
                    "count": POSTS_PER_POLL,
                    "sortBy": "LAST_MODIFIED",
                },
                finder=True,
            )
            for post in _elements(posts)[:POSTS_PER_POLL]:
                post_urn = str(post.get("id") or "") if isinstance(post, dict) else ""
                if not post_urn:
                    continue
                since = seen.get(post_urn, 0)
                newest[post_urn] = since
                for comment in _thread(api, post_urn):
                    created = _created_time(comment)
                    if created is not None and created <= since:
                        continue
                    newest[post_urn] = max(newest[post_urn], created or 0)
                    _read(comment, post_urn=post_urn, organization=organization, into=found)
        return PollResult(
            events=found.events,
            state={"seen": newest, "unreadable": sorted(found.unreadable_seen)},
            ignored=found.ignored,
            unreadable=found.unreadable,
        )

    def send(self, message: OutboundMessage) -> SendResult:
        settings, token = self._configuration()
        parent = message.in_reply_to
        match = _COMMENT_URN.match(parent)
        if match is None:
            raise AdapterError(
                f"a LinkedIn reply answers a comment (urn:li:comment:...), not {parent!r}"
            )
        commented = match.group(1)
        body = {
            "actor": settings.organization_urn,
            "object": commented,
            "parentComment": parent,
            "message": {"text": message.text},
        }
        with self._api(settings, token) as api:
            response = api.post(f"/rest/socialActions/{path_urn(parent)}/comments", body)
        return SendResult(external_id=_created_urn(response, commented))

    def _api(self, settings: LinkedInSettings, token: SecretStr) -> LinkedInApi:
        return LinkedInApi(
            str(settings.api_url), token.get_secret_value(), version=settings.api_version
        )

    def _configuration(self) -> tuple[LinkedInSettings, SecretStr]:
        settings, secrets = read_configuration(
            self.channel, LinkedInSettings, TokenSecrets, "LinkedIn"
        )
        if not secrets.access_token.get_secret_value():
            raise AdapterError("this LinkedIn channel has no access token: connect it first")
        return settings, secrets.access_token


def _thread(api: LinkedInApi, post_urn: str) -> list[Any]:
    """The post's comments, each followed by the replies under it."""
    comments: list[Any] = []
    for comment in _pages(api, post_urn):
        comments.append(comment)
        if _has_replies(comment):
            comments.extend(_pages(api, _comment_urn(comment)))
    return comments


def _pages(api: LinkedInApi, urn: str) -> list[Any]:
    elements: list[Any] = []
    path = f"/rest/socialActions/{path_urn(urn)}/comments"
    for page in range(MAX_PAGES):
        start = page * COMMENTS_PER_PAGE
        body = api.get(path, {"start": start, "count": COMMENTS_PER_PAGE})
        batch = _elements(body)
        elements.extend(batch)
        paging = body.get("paging") if isinstance(body, dict) else None
        total = paging.get("total") if isinstance(paging, dict) else None
        if len(batch) < COMMENTS_PER_PAGE or (
            isinstance(total, int) and start + COMMENTS_PER_PAGE >= total
        ):
            break
    return elements


def _read(comment: Any, *, post_urn: str, organization: str, into: _Found) -> None:
    if isinstance(comment, dict) and comment.get("actor") == organization:
        into.ignored += 1  # the brand's own comments and replies
        return
    try:
        into.events.append(_event(comment, post_urn=post_urn))
    except (KeyError, TypeError, ValueError) as exc:  # ValidationError is a ValueError
        urn = comment.get("commentUrn") if isinstance(comment, dict) else None
        where = f"{post_urn} comment {urn or '(no urn)'}"
        raw = json.dumps(comment)
        key = hashlib.sha256(raw.encode()).hexdigest()
        into.unreadable_seen.add(key)
        if key in into.reported:
            into.ignored += 1
        else:
            into.unreadable.append((where, raw, _reason(exc)))


def _event(comment: dict[str, Any], *, post_urn: str) -> InboundEvent:
    created = _created_time(comment)
    if created is None:
        raise ValueError("the comment has no created.time")
    parent = str(comment.get("parentComment") or "")
    return InboundEvent(
        external_id=_comment_urn(comment),
        thread_id=post_urn,
        in_reply_to=parent,
        author=Author(
            kind=IdentityKind.LINKEDIN,
            external_id=str(comment["actor"]),
            display_name=_display_name(comment),
        ),
        text=str((comment.get("message") or {}).get("text") or ""),
        attachments=[
            Attachment(name=str(item.get("type") or "").lower(), url=str(item["url"]))
            for item in comment.get("content") or []
            if item.get("url")
        ],
        created_at=datetime.fromtimestamp(created / 1000, tz=UTC),
        visibility="public",
        kind="reply" if parent else "comment",
        url=f"https://www.linkedin.com/feed/update/{post_urn}/",
        raw=comment,
    )


def _comment_urn(comment: dict[str, Any]) -> str:
    urn = comment.get("commentUrn") or comment.get("$URN")
    if not isinstance(urn, str) or not urn:
        raise ValueError("the comment has no commentUrn")
    return str(urn)


def _has_replies(comment: Any) -> bool:
    if not isinstance(comment, dict) or comment.get("parentComment"):
        return False
    summary = comment.get("commentsSummary") or {}
    count = summary.get("aggregatedTotalComments") or summary.get("totalFirstLevelComments")
    return isinstance(count, int) and count > 0 and bool(comment.get("commentUrn"))


def _created_time(comment: Any) -> int | None:
    if not isinstance(comment, dict):
        return None
    created = comment.get("created")
    time = created.get("time") if isinstance(created, dict) else None
    return time if isinstance(time, int) and not isinstance(time, bool) else None


def _display_name(comment: dict[str, Any]) -> str:
    """The name, when the request asked LinkedIn to decorate the actor (``actor~``)."""
    actor = comment.get("actor~")
    if not isinstance(actor, dict):
        return ""
    if actor.get("localizedName"):
        return str(actor["localizedName"])[:200]
    first, last = actor.get("localizedFirstName") or "", actor.get("localizedLastName") or ""
    return f"{first} {last}".strip()[:200]


def _created_urn(response: httpx.Response, commented: str) -> str:
    """The new comment's urn: from the body LinkedIn returns, else from ``x-restli-id``
    (the urn itself, or the bare comment id on the commented entity)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("commentUrn", "$URN"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
    restli_id = str(response.headers.get("x-restli-id", ""))
    if restli_id.startswith("urn:li:comment:"):
        return restli_id
    if restli_id.isdigit():
        return f"urn:li:comment:({commented},{restli_id})"
    raise AdapterError("LinkedIn accepted the reply but did not say which comment it created")


def _elements(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("elements"), list):
        raise AdapterError("LinkedIn answered without a list of elements")
    elements: list[Any] = body["elements"]
    return elements


def _seen(state: dict[str, Any]) -> dict[str, int]:
    """The bookmark per post; anything that does not parse starts that post over, which the
    pipeline's deduplication makes safe."""
    seen = state.get("seen")
    if not isinstance(seen, dict):
        return {}
    return {str(urn): int(time) for urn, time in seen.items() if isinstance(time, int)}


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(str(error["msg"]) for error in exc.errors())
    return " ".join(str(exc).split())
