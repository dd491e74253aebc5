"""A Mastodon instance played on loopback by pytest-httpserver, and its recorded payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from comptoir.channels.config import TokenSecrets
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import seal

DATA = Path(__file__).resolve().parents[2] / "data" / "mastodon"
TOKEN = "mastodon-test-token"
NOTIFICATIONS = "/api/v1/notifications"
FIRST_PAGE = {"types[]": "mention", "limit": "40"}


def payload(name: str) -> Any:
    return json.loads((DATA / name).read_text())


def mastodon_channel(server: HTTPServer, *, token: str = TOKEN) -> Channel:
    """An unsaved Mastodon channel on the local server: the adapter reads only its settings."""
    return Channel(
        pk=7,
        kind=ChannelKind.MASTODON,
        name="Mastodon",
        config={"instance_url": server.url_for("/"), "account": "maison"},
        secrets_encrypted=seal(TokenSecrets.model_validate({"access_token": token})),
    )


def link(server: HTTPServer, **pages: dict[str, str]) -> dict[str, str]:
    """A Link header as Mastodon writes it: ``rel`` name -> the query of that page."""
    parts = []
    for rel, query in pages.items():
        encoded = "&".join(f"{key}={value}" for key, value in query.items())
        parts.append(f'<{server.url_for(NOTIFICATIONS)}?{encoded}>; rel="{rel}"')
    return {"Link": ", ".join(parts)}


def serve_backlog(server: HTTPServer) -> None:
    """Two pages of mentions, newest first, joined by ``rel="next"``."""
    older = {**FIRST_PAGE, "max_id": "34975860"}
    server.expect_request(NOTIFICATIONS, query_string=older).respond_with_json(
        payload("notifications-older.json"),
        headers=link(server, prev={**FIRST_PAGE, "min_id": "34975701"}),
    )
    server.expect_request(NOTIFICATIONS, query_string=FIRST_PAGE).respond_with_json(
        payload("notifications-newest.json"),
        headers=link(server, next=older, prev={**FIRST_PAGE, "min_id": "34975862"}),
    )
