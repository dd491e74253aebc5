"""Working the inbox over the API: assign, status, priority, tags, notes, replies, saved
replies, teams, the Unhandled list and notifications; roles and workspaces respected."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.inbox.models import Conversation, SavedReply
from comptoir.workspaces.models import Event, Notification, Role, Team
from tests.api.conftest import ApiClient, World, ids, token_for
from tests.conftest import Personas
from tests.factories import SeatFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def call(api: ApiClient, method: str, path: str, body: Any = None) -> Response:
    headers = {"authorization": f"Bearer {api.token}"} if api.token else {}
    client = Client()
    send = getattr(client, method)
    data = json.dumps(body) if body is not None else None
    return send(f"/api/v1{path}", data, content_type="application/json", headers=headers)  # type: ignore[no-any-return]


@pytest.fixture
def bob_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.bob))


@pytest.fixture
def viewer_api(personas: Personas) -> ApiClient:
    return ApiClient(
        token_for(SeatFactory.create(workspace=personas.workspace_a, role=Role.VIEWER))
    )


def test_assign_to_a_seat_and_a_team_then_unassign(
    world: World, personas: Personas, alice_api: ApiClient
) -> None:
    convo = world.a.question
    team = Team.objects.create(workspace=personas.workspace_a, name="Care")
    path = f"/conversations/{convo.pk}"

    body = call(alice_api, "patch", path, {"assignee_id": personas.bob.pk, "team_id": team.pk})
    assert body.status_code == 200, body.content
    assert body.json()["assignee"] == {"id": personas.bob.pk, "display_name": "Bob"}
    assert body.json()["assignee_team"] == {"id": team.pk, "name": "Care"}

    # A field left out stays; null clears.
    body = call(alice_api, "patch", path, {"assignee_id": None}).json()
    assert (body["assignee"], body["assignee_team"]["id"]) == (None, team.pk)

    refused = call(alice_api, "patch", path, {"assignee_id": personas.charlie.pk})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"] == {
        "assignee_id": ["There is no such row in this workspace."]
    }


def test_status_close_needs_a_reason_and_snooze_a_time(world: World, alice_api: ApiClient) -> None:
    path = f"/conversations/{world.a.question.pk}"
    refused = call(alice_api, "patch", path, {"status": "closed"})
    assert refused.status_code == 400
    assert list(refused.json()["error"]["details"]) == ["closed_reason"]
    refused = call(alice_api, "patch", path, {"status": "snoozed"})
    assert list(refused.json()["error"]["details"]) == ["snoozed_until"]

    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    iso = until.isoformat().replace("+00:00", "Z")
    snoozed = call(alice_api, "patch", path, {"status": "snoozed", "snoozed_until": iso}).json()
    assert (snoozed["status"], snoozed["snoozed_until"]) == ("snoozed", iso)
    too_far = {"status": "snoozed", "snoozed_until": "9999-12-31T23:59:59-14:00"}
    assert call(alice_api, "patch", path, too_far).status_code == 400

    closed = call(
        alice_api, "patch", path, {"status": "closed", "closed_reason": "Spam", "priority": "low"}
    ).json()
    assert closed["status"] == "closed"
    assert closed["closed_reason"] == "Spam"
    assert closed["priority"] == "low"
    assert closed["unhandled_since"] is None
    assert closed["snoozed_until"] is None


def test_a_refused_change_changes_nothing(
    world: World, personas: Personas, alice_api: ApiClient
) -> None:
    path = f"/conversations/{world.a.question.pk}"
    # The assignment is made first, then the close is refused: both or neither.
    body = {"assignee_id": personas.bob.pk, "status": "closed"}
    assert call(alice_api, "patch", path, body).status_code == 400
    assert Conversation.objects.get(pk=world.a.question.pk).assignee is None


def test_tags(world: World, alice_api: ApiClient) -> None:
    path = f"/conversations/{world.a.complaint.pk}/tags"
    tags = call(alice_api, "post", path, {"add": ["Refund", "VIP"]}).json()
    assert [t["name"] for t in tags] == ["Refund", "VIP"]
    tags = call(alice_api, "post", path, {"remove": ["vip"]}).json()
    assert [t["name"] for t in tags] == ["Refund"]
    assert [t["name"] for t in alice_api.ok(path)] == ["Refund"]
    assert [t["name"] for t in alice_api.walk("/tags")] == ["Refund", "VIP"]

    refund = tags[0]["id"]
    assert ids(alice_api.walk("/conversations", {"tag": refund})) == [world.a.complaint.pk]
    assert alice_api.walk("/conversations", {"priority": "urgent"}) == []

    created = call(alice_api, "post", "/tags", {"name": "Press", "color": "#aa0000"})
    assert created.status_code == 201
    assert created.json()["color"] == "#aa0000"
    assert call(alice_api, "post", "/tags", {"name": "x", "color": "red"}).status_code == 400


def test_notes_with_mentions_notify(world: World, personas: Personas, alice_api: ApiClient) -> None:
    bob_api = ApiClient(token_for(personas.bob))
    path = f"/conversations/{world.a.complaint.pk}/notes"
    response = call(alice_api, "post", path, {"text": "@Bob can you call the carrier?"})
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["direction"] == "note"
    assert note["mentioned_seats"] == [{"id": personas.bob.pk, "display_name": "Bob"}]
    assert ids(alice_api.walk(path)) == [note["id"], world.a.note.pk]

    [notification] = bob_api.walk("/notifications", {"unread": True})
    assert notification["verb"] == "note.mention"
    assert notification["subject_id"] == world.a.complaint.pk
    assert alice_api.walk("/notifications") == []  # her own note does not notify her

    marked = call(bob_api, "patch", "/notifications", {"ids": [notification["id"]]}).json()
    assert marked == {"marked": 1, "unread": 0}
    assert bob_api.walk("/notifications", {"unread": True}) == []
    # Someone else's notification cannot be marked.
    assert call(alice_api, "patch", "/notifications", {"ids": None}).json()["marked"] == 0

    assert call(alice_api, "post", path, {"text": ""}).status_code == 400


def test_the_unhandled_list_waits_oldest_first(world: World, alice_api: ApiClient) -> None:
    assert ids(alice_api.walk("/conversations/unhandled")) == [world.a.question.pk]
    call(
        alice_api,
        "patch",
        f"/conversations/{world.a.question.pk}",
        {"status": "closed", "closed_reason": "Answered by phone"},
    )
    assert alice_api.walk("/conversations/unhandled") == []


def test_saved_replies_crud(world: World, alice_api: ApiClient) -> None:
    created = call(
        alice_api,
        "post",
        "/saved-replies",
        {"title": "Colis", "language": "fr", "body": "Bonjour {first_name}"},
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["created_by"]["display_name"] == "Alice"
    duplicate = call(
        alice_api, "post", "/saved-replies", {"title": "Colis", "language": "fr", "body": "x"}
    )
    assert duplicate.status_code == 400
    unknown = call(
        alice_api,
        "post",
        "/saved-replies",
        {"title": "Other", "language": "en", "body": "Hi {nickname}"},
    )
    assert unknown.json()["error"]["details"] == {"body": ["Unknown variable: {nickname}."]}

    patched = call(alice_api, "patch", f"/saved-replies/{pk}", {"body": "Hello {name}"})
    assert patched.json()["body"] == "Hello {name}"
    assert ids(alice_api.walk("/saved-replies")) == [pk]
    assert call(alice_api, "delete", f"/saved-replies/{pk}").status_code == 204
    assert not SavedReply.objects.exists()


def test_teams_are_shaped_by_managers(
    world: World, personas: Personas, alice_api: ApiClient, bob_api: ApiClient
) -> None:
    refused = call(alice_api, "post", "/teams", {"name": "Care"})
    assert refused.status_code == 403

    created = call(bob_api, "post", "/teams", {"name": "Care", "member_ids": [personas.alice.pk]})
    assert created.status_code == 201, created.content
    team = created.json()
    assert team["members"] == [{"id": personas.alice.pk, "display_name": "Alice"}]

    patched = call(
        bob_api,
        "patch",
        f"/teams/{team['id']}",
        {"name": "Care FR", "add_member_ids": [personas.bob.pk]},
    ).json()
    assert patched["name"] == "Care FR"
    assert [m["display_name"] for m in patched["members"]] == ["Alice", "Bob"]
    outsider = call(
        bob_api, "patch", f"/teams/{team['id']}", {"add_member_ids": [personas.charlie.pk]}
    )
    assert outsider.status_code == 400
    assert ids(alice_api.walk("/teams")) == [team["id"]]
    assert call(bob_api, "delete", f"/teams/{team['id']}").status_code == 204
    assert Event.objects.filter(verb="team.deleted").count() == 1


def test_a_viewer_reads_but_does_not_work(world: World, viewer_api: ApiClient) -> None:
    convo = world.a.question.pk
    assert viewer_api.ok(f"/conversations/{convo}")["id"] == convo
    for method, path, body in [
        ("patch", f"/conversations/{convo}", {"priority": "high"}),
        ("post", f"/conversations/{convo}/tags", {"add": ["x"]}),
        ("post", f"/conversations/{convo}/notes", {"text": "x"}),
        ("post", "/saved-replies", {"title": "t", "language": "fr", "body": "b"}),
        ("post", "/teams", {"name": "t"}),
    ]:
        response = call(viewer_api, method, path, body)
        assert response.status_code == 403, (path, response.content)


def test_charlie_cannot_touch_a(world: World, charlie_api: ApiClient) -> None:
    convo = world.a.question.pk
    for method, path, body in [
        ("patch", f"/conversations/{convo}", {"priority": "high"}),
        ("post", f"/conversations/{convo}/tags", {"add": ["x"]}),
        ("post", f"/conversations/{convo}/notes", {"text": "x"}),
    ]:
        response = call(charlie_api, method, path, body)
        assert response.status_code == 404, (path, response.content)
    assert Conversation.objects.get(pk=convo).priority == "normal"
    assert not Notification.objects.exists()
