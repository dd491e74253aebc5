"""Webhook fixtures: a receiver on loopback and an endpoint of workspace A pointing at it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request

from comptoir.webhooks.actions import CreatedEndpoint, do_create_endpoint
from comptoir.webhooks.models import EventType
from comptoir.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.conftest import Personas

PATH = "/hooks/comptoir"


@dataclass
class Receiver:
    """The loopback HTTP peer the endpoints POST to."""

    server: HTTPServer

    @property
    def url(self) -> str:
        return self.server.url_for(PATH)

    def answer(self, status: int = 200, body: str = "ok") -> None:
        """Answer every delivery from now on with ``status``."""
        self.server.clear_all_handlers()
        self.server.expect_request(PATH, method="POST").respond_with_data(body, status=status)

    def answer_once(self, status: int, body: str = "") -> None:
        """Answer the next delivery with ``status``, then as before."""
        self.server.expect_oneshot_request(PATH, method="POST").respond_with_data(
            body, status=status
        )

    @property
    def requests(self) -> list[Request]:
        return [request for request, _ in self.server.log]

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(request.get_data()) for request in self.requests]


@pytest.fixture
def receiver(httpserver: HTTPServer) -> Receiver:
    receiver = Receiver(httpserver)
    receiver.answer()
    return receiver


def make_endpoint(
    personas: Personas, receiver: Receiver, events: list[str] | None = None
) -> CreatedEndpoint:
    return do_create_endpoint(
        personas.workspace_a,
        url=receiver.url,
        events=list(EventType.values) if events is None else events,
        description="Our ERP",
        actor=personas.bob,
    )


def signed_correctly(request: Request, secret: str) -> bool:
    return verify(
        secret,
        request.headers[TIMESTAMP_HEADER],
        request.get_data(),
        request.headers[SIGNATURE_HEADER],
    )
