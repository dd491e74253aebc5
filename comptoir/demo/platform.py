"""What each network calls a message: its kind, its id and its public link.

The ids have each platform's own shape (X's time-ordered numbers, Message-IDs, LinkedIn
URNs...) and embed a counter that runs across one workspace's messages, so that they are
unique per channel by construction, as the database requires.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from comptoir.channels.models import ChannelKind
from comptoir.inbox.models import MessageKind

Register = Literal["email", "public", "private", "pro"]
X_EPOCH_MS = 1288834974657  # X's ids count milliseconds from this instant


def message_kind(channel: str, register: Register, *, first: bool) -> MessageKind:
    """Each network's word for a message: a post opens a thread on X, replies follow."""
    if register == "email":
        return MessageKind.EMAIL
    if register == "private":
        return MessageKind.DIRECT
    if channel == ChannelKind.X:
        return MessageKind.POST if first else MessageKind.REPLY
    if channel == ChannelKind.MASTODON:
        return MessageKind.POST
    return MessageKind.COMMENT


class PlatformIds:
    """Gives out the ids of one workspace's messages."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counter = 0  # far below the 65,536 that Mastodon's ids leave room for

    def root(self, kind: str) -> str:
        """The brand's post (or activity) a comment thread hangs on, in the network's shape."""
        rng = self.rng
        if kind == ChannelKind.INSTAGRAM:
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
            return "C" + "".join(rng.choice(alphabet) for _ in range(10))
        if kind == ChannelKind.LINKEDIN:
            return f"7{rng.randint(10**17, 10**18 - 1)}"
        return str(rng.randint(10**15, 10**16 - 1))

    def message(
        self,
        kind: str,
        settings: Mapping[str, Any],
        *,
        public: bool,
        author: str,
        root: str,
        when: datetime,
    ) -> tuple[str, str]:
        """The message's id on its channel and its public link, if it has one.

        ``author`` is the sender's address on email, their handle on X and Mastodon, or ""
        for the brand itself, which the channel's settings then name.
        """
        self.counter += 1
        number, ms = self.counter, int(when.timestamp() * 1000)
        if kind == ChannelKind.EMAIL:
            sender = author or str(settings["address"])
            return f"<{when:%Y%m%d%H%M%S}.{number}@{sender.partition('@')[2]}>", ""
        if kind == ChannelKind.X:
            tweet = ((ms - X_EPOCH_MS) << 22) | number
            handle = author.lstrip("@") or str(settings["handle"])
            return str(tweet), f"https://x.com/{handle}/status/{tweet}" if public else ""
        if kind == ChannelKind.MASTODON:
            status = (ms << 16) | (number & 0xFFFF)
            host = str(settings["instance_url"]).split("://", 1)[-1].strip("/")
            account = author or f"@{settings['account']}@{host}"
            user, _, server = account.lstrip("@").partition("@")
            return str(status), f"https://{server}/@{user}/{status}" if public else ""
        if not public:  # Messenger and Instagram Direct ids are opaque tokens
            token = base64.urlsafe_b64encode(f"thread:{root}:{number}".encode()).decode()
            token = token.rstrip("=")
            return f"m_{token}" if kind == ChannelKind.FACEBOOK else f"aWdf{token}", ""
        comment = f"{ms % 10**10:010d}{number:05d}"
        if kind == ChannelKind.FACEBOOK:
            page = settings["page_id"]
            return (
                f"{root}_{comment}",
                f"https://www.facebook.com/{page}/posts/{root}?comment_id={comment}",
            )
        if kind == ChannelKind.INSTAGRAM:
            return f"18{comment}", f"https://www.instagram.com/p/{root}/"
        activity = f"urn:li:activity:{root}"
        return (
            f"urn:li:comment:({activity},7{comment})",
            f"https://www.linkedin.com/feed/update/{activity}/",
        )
