"""Meta channels of workspace A (a Facebook Page, its Instagram account) and their payloads.

The payloads under tests/data/meta/ follow Meta's documented webhook shapes (each file names
its page of the documentation in ``_source``); the Graph API is played by a loopback server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

DATA = Path(__file__).resolve().parents[2] / "data" / "meta"
PAGE_ID = "104857600000001"
INSTAGRAM_ID = "17841400000000001"
APP_SECRET = "3c1f0e9d8b7a65432100fedcba987654"
VERIFY_TOKEN = "comptoir-verify-7f3a"
PAGE_TOKEN = "EAAGm0PX4ZCpsBAtest-page-token"


def payload(name: str) -> bytes:
    return (DATA / name).read_bytes()


def meta_signature(body: bytes, secret: str = APP_SECRET) -> str:
    """Written out again here rather than imported: the test checks the adapter's maths."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_hook(channel: Channel, body: bytes, *, signature: str | None = None) -> Response:
    headers = {"X-Hub-Signature-256": meta_signature(body) if signature is None else signature}
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1/hooks/{channel.pk}",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def meta_channel(personas: Personas, kind: str) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind=kind,
        name=f"Maison Lumière ({kind})",
        settings={"page_id": PAGE_ID, "instagram_account_id": INSTAGRAM_ID},
        secrets={
            "app_secret": APP_SECRET,
            "verify_token": VERIFY_TOKEN,
            "page_access_token": PAGE_TOKEN,
        },
    )


@pytest.fixture
def facebook(personas: Personas) -> Channel:
    return meta_channel(personas, "facebook")


@pytest.fixture
def instagram(personas: Personas) -> Channel:
    return meta_channel(personas, "instagram")


@pytest.fixture
def graph(settings: Settings, httpserver: HTTPServer) -> HTTPServer:
    """The loopback server in the Graph API's place."""
    settings.META_GRAPH_URL = httpserver.url_for("/v21.0")
    return httpserver


@pytest.fixture
def graph_facebook(personas: Personas, graph: HTTPServer) -> Channel:
    return meta_channel(personas, "facebook")


@pytest.fixture
def graph_instagram(personas: Personas, graph: HTTPServer) -> Channel:
    return meta_channel(personas, "instagram")


def loaded(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload(name))
    return data
