"""One Mastodon notification (type ``mention``) in, one InboundEvent out, or the reason why not.

Follows the entities of https://docs.joinmastodon.org/entities/Notification/,
``Status`` and ``Account``. What an event carries:

- ``external_id`` is the status id on the brand's instance: the id ``POST /api/v1/statuses``
  takes as ``in_reply_to_id``, so a reply needs no lookup of a URI.
- ``thread_id``: the REST API names no thread root, only the status answered. A reply takes
  ``in_reply_to_id`` (the pipeline threads on ``in_reply_to`` first anyway); a new public post
  starts its own thread; a new direct message leaves it empty, so that the pipeline files it
  in the person's running private thread.
- The author's ``external_id`` is ``acct`` made absolute and lower-cased: ``user@host``.
  Usernames cannot be changed on Mastodon and both parts compare case-insensitively, so the
  key is stable, and unlike ``account.id`` (local to each instance) it is the same whichever
  instance the brand's channel sits on. Local accounts, whose ``acct`` has no host, take the
  host of the channel's instance URL.
- ``visibility``: ``direct`` is a private direct message; ``private`` (followers only) is
  private too, since the world cannot read it; ``public`` and ``unlisted`` are public.
- ``declared`` holds the links of the profile's metadata fields (their values are HTML) and
  any email address written there.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from comptoir.channels.email.mime import html_to_text
from comptoir.channels.events import Attachment, Author, EventKind, InboundEvent
from comptoir.people.keys import normalize_email
from comptoir.people.models import IdentityKind

MAX_DECLARED = 20
MAX_ATTACHMENTS = 100


@dataclass(frozen=True)
class Parsed:
    event: InboundEvent | None = None
    skipped: bool = False  # a notification of another type: not an error
    error: str = ""


def parse_notification(notification: Any, *, instance_host: str) -> Parsed:
    """The event of a ``mention`` notification; never raises."""
    if not isinstance(notification, dict):
        return Parsed(error="the notification is not a JSON object")
    if notification.get("type") != "mention":
        return Parsed(skipped=True)
    status = notification.get("status")
    if not isinstance(status, dict):
        return Parsed(error="the mention carries no status")
    try:
        return Parsed(event=_event(notification, status, instance_host))
    except (KeyError, TypeError, ValueError) as exc:
        return Parsed(error=_reason(exc))


def _event(notification: dict[str, Any], status: dict[str, Any], host: str) -> InboundEvent:
    status_id = str(status["id"])
    reply_to = str(status.get("in_reply_to_id") or "")
    direct = status.get("visibility") == "direct"
    kind: EventKind = "direct" if direct else ("reply" if reply_to else "post")
    thread = reply_to or ("" if direct else status_id)
    html = str(status.get("content") or "")
    return InboundEvent(
        external_id=status_id,
        thread_id=thread,
        in_reply_to=reply_to,
        author=_author(status["account"], host),
        subject=str(status.get("spoiler_text") or "")[:300],
        text=html_to_text(html),
        html=html,
        created_at=datetime.fromisoformat(str(status["created_at"])),
        visibility="public" if status.get("visibility") in ("public", "unlisted") else "private",
        kind=kind,
        language=str(status.get("language") or "")[:8],
        url=str(status.get("url") or status.get("uri") or ""),
        attachments=[_attachment(m) for m in status.get("media_attachments") or []][
            :MAX_ATTACHMENTS
        ],
        raw=notification,
    )


def account_key(acct: str, instance_host: str) -> str:
    """``acct`` as ``user@host`` in lower case, whether the account is local or remote."""
    user, _, host = acct.strip().lstrip("@").partition("@")
    if not user:
        raise ValueError("the account has no acct")
    return f"{user}@{host or instance_host}".lower()


def _author(account: dict[str, Any], host: str) -> Author:
    key = account_key(str(account["acct"]), host)
    user, _, account_host = key.partition("@")
    return Author(
        kind=IdentityKind.MASTODON,
        external_id=key,
        handle=f"@{user}@{account_host}",
        display_name=str(account.get("display_name") or account.get("username") or "")[:200],
        profile_url=str(account.get("url") or ""),
        avatar_url=str(account.get("avatar") or ""),
        declared=_declared(account.get("fields") or []),
    )


def _declared(fields: list[Any]) -> list[str]:
    found: list[str] = []
    for field in fields:
        value = str(field.get("value") or "") if isinstance(field, dict) else ""
        links = _Links()
        links.feed(value)
        text = html_to_text(value).strip()
        email = normalize_email(text) if "@" in text and "/" not in text else ""
        for item in [*links.hrefs, *([email] if email else [])]:
            if item not in found:
                found.append(item)
    return found[:MAX_DECLARED]


class _Links(HTMLParser):
    """The http(s) targets of the ``<a href>`` in a profile field's HTML value."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and urlsplit(href).scheme in ("http", "https"):
            self.hrefs.append(href)


def _attachment(media: dict[str, Any]) -> Attachment:
    url = str(media.get("url") or media.get("remote_url") or "")
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    guessed, _ = mimetypes.guess_type(name)
    return Attachment(
        name=name[:255],
        content_type=guessed or "application/octet-stream",
        url=url,
    )


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'event'}: {err['msg']}"
            for err in exc.errors()
        )
        return f"the status does not make a valid event: {problems}"
    if isinstance(exc, KeyError):
        return f"the status has no {exc.args[0]!r}"
    return f"the status is malformed: {exc}"
