"""X channels of workspace A and their payloads.

The payloads under tests/data/x/ follow X's documented shapes (each names its page of the
documentation in ``_source``); the API v2 is played by a loopback server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.test import Client
from pytest_django.fixtures import Settings
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel
from tests.conftest import Personas

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

DATA = Path(__file__).resolve().parents[2] / "data" / "x"
ACCOUNT_ID = "1500000000000000001"
CONSUMER_SECRET = "xJ4mZ0cQ1vR8kT2pL6nW9yB3hF5dS7aG0eU1iO4"
BEARER_TOKEN = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid-app-only"
USER_TOKEN = "bWUtdXNlci1hY2Nlc3MtdG9rZW4tZm9yLXJlcGxpZXM"


def payload(name: str) -> bytes:
    return (DATA / name).read_bytes()


def x_signature(body: bytes, secret: str = CONSUMER_SECRET) -> str:
    """Written out again here rather than imported: the test checks the adapter's maths."""
    mac = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(mac).decode()


def post_hook(channel: Channel, body: bytes, *, signature: str | None = None) -> Response:
    headers = {
        "X-Twitter-Webhooks-Signature": x_signature(body) if signature is None else signature
    }
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1/hooks/{channel.pk}",
        data=body,
        content_type="application/json",
        headers=headers,
    )


def x_channel(personas: Personas) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind="x",
        name="@maisonlumiere",
        settings={"handle": "maisonlumiere", "user_id": ACCOUNT_ID},
        secrets={
            "consumer_secret": CONSUMER_SECRET,
            "bearer_token": BEARER_TOKEN,
            "access_token": USER_TOKEN,
        },
    )


@pytest.fixture
def x_account(personas: Personas) -> Channel:
    return x_channel(personas)


@pytest.fixture
def x_api(personas: Personas, settings: Settings, httpserver: HTTPServer) -> Channel:
    """An X channel whose API is the loopback server."""
    settings.X_API_URL = httpserver.url_for("/")
    return x_channel(personas)
