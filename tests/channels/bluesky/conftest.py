"""A Bluesky server (PDS) played on loopback by pytest-httpserver, and its recorded payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.bluesky import adapter
from comptoir.channels.config import BlueskySecrets
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import seal

DATA = Path(__file__).resolve().parents[2] / "data" / "bluesky"
HANDLE = "maison-lumiere.bsky.social"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
SESSION = "/xrpc/com.atproto.server.createSession"
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"


def payload(name: str) -> Any:
    return json.loads((DATA / name).read_text())


ACCESS_TOKEN = payload("createSession.json")["accessJwt"]


@pytest.fixture(autouse=True)
def fresh_sessions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts signed out: sessions are kept per process, not per test."""
    monkeypatch.setattr(adapter, "SESSIONS", adapter.Sessions())


def bluesky_channel(server: HTTPServer) -> Channel:
    """An unsaved Bluesky channel on the local server: the adapter reads only its settings."""
    return Channel(
        pk=9,
        kind=ChannelKind.BLUESKY,
        name="Bluesky",
        config={"handle": HANDLE, "service_url": server.url_for("/")},
        secrets_encrypted=seal(BlueskySecrets.model_validate({"app_password": APP_PASSWORD})),
    )


def serve_session(server: HTTPServer) -> None:
    server.expect_request(
        SESSION, method="POST", json={"identifier": HANDLE, "password": APP_PASSWORD}
    ).respond_with_json(payload("createSession.json"))


def serve_notifications(server: HTTPServer) -> None:
    """Two pages, newest first, joined by the first page's cursor."""
    newest = payload("notifications-newest.json")
    server.expect_request(
        NOTIFICATIONS,
        query_string={"limit": "100", "reasons": "mention", "cursor": newest["cursor"]},
    ).respond_with_json(payload("notifications-older.json"))
    server.expect_request(NOTIFICATIONS).respond_with_json(newest)
