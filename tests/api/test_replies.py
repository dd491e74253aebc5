"""POST /conversations/{id}/replies and POST /messages/{id}/retry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from comptoir.inbox.models import DeliveryStatus, Direction, Message, MessageKind
from comptoir.workspaces.models import Role
from tests.api.conftest import ApiClient, World, token_for
from tests.conftest import Personas
from tests.factories import SeatFactory, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

OnCommit = Callable[..., Any]
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "details": None}}


def post(api: ApiClient, path: str, body: dict[str, Any] | None = None) -> Response:
    headers = {"authorization": f"Bearer {api.token}"} if api.token else {}
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1{path}", json.dumps(body or {}), content_type="application/json", headers=headers
    )


@pytest.fixture
def viewer_api(personas: Personas) -> ApiClient:
    viewer = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="victor@example.test"),
        role=Role.VIEWER,
        display_name="Victor",
    )
    return ApiClient(token_for(viewer))


def outbound(world: World) -> list[Message]:
    return list(
        Message.objects.filter(
            conversation=world.a.complaint, direction=Direction.OUTBOUND
        ).exclude(pk=world.a.reply.pk)
    )


def test_a_reply_is_stored_pending(world: World, alice_api: ApiClient) -> None:
    response = post(
        alice_api, f"/conversations/{world.a.complaint.pk}/replies", {"text": "C'est en route."}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    [stored] = outbound(world)
    assert body["id"] == stored.pk
    assert body["delivery_status"] == "pending"
    assert body["delivery_attempts"] == 0
    assert body["delivery_error"] == ""
    assert body["direction"] == "outbound"
    assert body["kind"] == MessageKind.EMAIL
    assert body["text"] == "C'est en route."
    assert body["author_seat"]["display_name"] == "Alice"
    assert body["in_reply_to_id"] == world.a.inbound.pk
    assert body["channel"]["id"] == world.a.email.pk
    assert alice_api.ok(f"/messages/{stored.pk}")["text"] == "C'est en route."


def test_a_failed_reply_is_retried_on_request(
    world: World, alice_api: ApiClient, django_capture_on_commit_callbacks: OnCommit
) -> None:
    # A's email channel has no SMTP server set: the send fails and says so.
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            alice_api, f"/conversations/{world.a.complaint.pk}/replies", {"text": "Hop"}
        )
    message_id = response.json()["id"]
    failed = alice_api.ok(f"/messages/{message_id}")
    assert failed["direction"] == "outbound"
    stored = Message.objects.get(pk=message_id)
    assert stored.delivery_status == DeliveryStatus.FAILED
    assert stored.delivery_error == "this email channel has no SMTP server set"

    retried = post(alice_api, f"/messages/{message_id}/retry")

    assert retried.status_code == 200, retried.content
    assert retried.json()["delivery_status"] == "pending"
    assert retried.json()["delivery_attempts"] == 0
    # Retrying again before it failed again is a conflict; so is retrying an inbound message.
    for path in (f"/messages/{message_id}/retry", f"/messages/{world.a.inbound.pk}/retry"):
        conflict = post(alice_api, path)
        assert conflict.status_code == 409
        assert conflict.json()["error"]["code"] == "conflict"


def test_an_empty_reply_names_the_field(world: World, alice_api: ApiClient) -> None:
    response = post(alice_api, f"/conversations/{world.a.complaint.pk}/replies", {"text": "  "})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["details"]) == ["text"]
    assert outbound(world) == []


def test_a_viewer_cannot_reply_nor_retry(world: World, viewer_api: ApiClient) -> None:
    for path in (
        f"/conversations/{world.a.complaint.pk}/replies",
        f"/messages/{world.a.reply.pk}/retry",
    ):
        response = post(viewer_api, path, {"text": "Bonjour"})
        assert response.status_code == 403
    assert outbound(world) == []


def test_charlie_cannot_reply_in_a(world: World, charlie_api: ApiClient) -> None:
    for path in (
        f"/conversations/{world.a.complaint.pk}/replies",
        f"/messages/{world.a.reply.pk}/retry",
    ):
        response = post(charlie_api, path, {"text": "Bonjour"})
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert outbound(world) == []
    # His own conversation he may answer.
    own = post(charlie_api, f"/conversations/{world.b.complaint.pk}/replies", {"text": "Hi"})
    assert own.status_code == 201
