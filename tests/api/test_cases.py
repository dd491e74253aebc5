"""The cases API: list with filters and cursor, one case, open, change, conversations,
notes and timeline; readers read, agents write, another workspace sees nothing."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from comptoir.cases.actions import do_open_case
from comptoir.cases.models import Case, CaseConversation, CaseStatus
from comptoir.workspaces.models import Event, Role
from tests.api.conftest import ApiClient, World, ids, token_for
from tests.cases.world import case_of
from tests.conftest import Personas
from tests.factories import SeatFactory, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def send(api: ApiClient, method: str, path: str, body: Any = None) -> Response:
    call = getattr(Client(enforce_csrf_checks=True), method)
    headers = {"authorization": f"Bearer {api.token}"} if api.token else {}
    if body is None:
        return call(f"/api/v1{path}", headers=headers)  # type: ignore[no-any-return]
    return call(  # type: ignore[no-any-return]
        f"/api/v1{path}",
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.fixture
def viewer_api(personas: Personas) -> ApiClient:
    viewer = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="val@example.test"),
        role=Role.VIEWER,
        display_name="Val",
    )
    return ApiClient(token_for(viewer))


def test_open_a_case_with_a_conversation(
    world: World, personas: Personas, alice_api: ApiClient
) -> None:
    a = world.a
    response = send(
        alice_api,
        "post",
        "/cases",
        {
            "title": "Colis perdu",
            "person_id": a.marie.pk,
            "category": "after_sales",
            "priority": "high",
            "owner_id": personas.alice.pk,
            "conversation_ids": [a.complaint.pk],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1
    assert body["status"] == "new"
    assert body["person"] == {"id": a.marie.pk, "display_name": "Marie Dupont A"}
    assert body["organization"]["name"] == "Acme A"
    assert body["policy"]["id"] is not None
    assert body["resolution_due_at"] is not None
    links = alice_api.walk(f"/cases/{body['id']}/conversations")
    assert [link["conversation"]["id"] for link in links] == [a.complaint.pk]


def test_a_body_naming_another_workspaces_row_is_a_400(world: World, alice_api: ApiClient) -> None:
    response = send(
        alice_api, "post", "/cases", {"title": "x", "conversation_ids": [world.b.complaint.pk]}
    )
    assert response.status_code == 400
    assert response.json()["error"]["details"] == {
        "conversation_ids": ["Nothing with this id in this workspace."]
    }
    assert not Case.objects.exists()
    blank = send(alice_api, "post", "/cases", {"title": ""})
    assert blank.status_code == 400
    assert blank.json()["error"]["code"] == "validation_error"


def test_change_status_priority_and_owner(
    world: World, personas: Personas, alice_api: ApiClient
) -> None:
    case = case_of(world.a)
    bob = personas.bob

    closing = send(alice_api, "patch", f"/cases/{case.pk}", {"status": "closed"})
    assert closing.status_code == 400
    assert closing.json()["error"]["details"] == {"reason": ["Say why the case is closed."]}

    response = send(
        alice_api,
        "patch",
        f"/cases/{case.pk}",
        {"status": "waiting_on_customer", "priority": "urgent", "owner_id": bob.pk},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["owner"]["id"]) == (
        "waiting_on_customer",
        "urgent",
        bob.pk,
    )
    assert body["paused_at"] is not None

    unassigned = send(alice_api, "patch", f"/cases/{case.pk}", {"owner_id": None})
    assert unassigned.json()["owner"] is None
    assert unassigned.json()["priority"] == "urgent"

    resolved = send(alice_api, "patch", f"/cases/{case.pk}", {"status": "resolved"})
    assert resolved.json()["resolved_at"] is not None
    verbs = list(
        Event.objects.filter(subject_type="case", subject_id=case.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "case.opened",
        "case.assigned",
        "case.priority_changed",
        "case.status_changed",
        "case.assigned",
        "case.status_changed",
        "case.resolved",
    ]


def test_attach_detach_notes_and_timeline(world: World, alice_api: ApiClient) -> None:
    a = world.a
    case = case_of(a)

    attached = send(
        alice_api, "post", f"/cases/{case.pk}/conversations", {"conversation_id": a.question.pk}
    )
    assert attached.status_code == 200, attached.content
    assert attached.json()["conversation"]["id"] == a.question.pk
    linked = alice_api.walk(f"/cases/{case.pk}/conversations")
    assert {link["conversation"]["id"] for link in linked} == {a.complaint.pk, a.question.pk}

    detach = f"/cases/{case.pk}/conversations?conversation_id={a.question.pk}"
    assert send(alice_api, "delete", detach).status_code == 204
    assert send(alice_api, "delete", detach).status_code == 404
    linked = alice_api.walk(f"/cases/{case.pk}/conversations")
    assert [link["conversation"]["id"] for link in linked] == [a.complaint.pk]

    note = send(alice_api, "post", f"/cases/{case.pk}/notes", {"text": "Rappeler demain"})
    assert note.status_code == 201
    assert note.json()["text"] == "Rappeler demain"
    assert [n["text"] for n in alice_api.walk(f"/cases/{case.pk}/notes")] == ["Rappeler demain"]

    timeline = alice_api.walk(f"/cases/{case.pk}/timeline", {"limit": 2})
    kinds = [(e["kind"], (e["event"] or {}).get("verb")) for e in timeline]
    assert kinds[0] == ("event", "case.note")
    assert ("event", "case.opened") in kinds
    messages = [e["message"]["id"] for e in timeline if e["kind"] == "message"]
    assert sorted(messages) == sorted([a.inbound.pk, a.reply.pk, a.note.pk])


def test_the_list_filters_and_pages(world: World, alice_api: ApiClient) -> None:
    workspace = world.a.complaint.workspace
    for n in range(5):
        do_open_case(workspace, title=f"c{n}", priority="high" if n % 2 else "normal")
    do_open_case(world.b.complaint.workspace, title="theirs")

    assert len(alice_api.walk("/cases", {"limit": 2})) == 5
    assert {c["title"] for c in alice_api.walk("/cases", {"priority": "high"})} == {"c1", "c3"}
    assert alice_api.walk("/cases", {"owner": "none", "status": "active"})
    assert alice_api.walk("/cases", {"sla": "breached"}) == []
    assert alice_api.get("/cases", {"owner": "me"}).status_code == 400


def test_the_list_costs_the_same_whatever_its_length(world: World, alice_api: ApiClient) -> None:
    workspace = world.a.complaint.workspace
    for n in range(3):
        do_open_case(workspace, title=f"c{n}", person=world.a.marie)
    few = alice_api.queries_for("/cases", 3)
    for n in range(10):
        do_open_case(workspace, title=f"d{n}", person=world.a.jean)
    assert alice_api.queries_for("/cases", 13) == few


def test_a_viewer_reads_but_does_not_write(world: World, viewer_api: ApiClient) -> None:
    case = case_of(world.a)
    assert viewer_api.ok(f"/cases/{case.pk}")["id"] == case.pk
    for method, path, body in (
        ("post", "/cases", {"title": "x"}),
        ("patch", f"/cases/{case.pk}", {"priority": "high"}),
        ("post", f"/cases/{case.pk}/notes", {"text": "x"}),
        ("post", f"/cases/{case.pk}/conversations", {"conversation_id": world.a.question.pk}),
        ("delete", f"/cases/{case.pk}/conversations?conversation_id={world.a.complaint.pk}", None),
    ):
        response = send(viewer_api, method, path, body)
        assert response.status_code == 403, path
    assert Case.objects.count() == 1
    assert CaseConversation.objects.count() == 1


def test_charlie_cannot_touch_as_case(
    world: World, charlie_api: ApiClient, alice_api: ApiClient
) -> None:
    case = case_of(world.a)
    for method, path, body in (
        ("patch", f"/cases/{case.pk}", {"status": "closed", "reason": "x"}),
        ("post", f"/cases/{case.pk}/notes", {"text": "x"}),
        ("post", f"/cases/{case.pk}/conversations", {"conversation_id": world.b.question.pk}),
        ("delete", f"/cases/{case.pk}/conversations?conversation_id={world.a.complaint.pk}", None),
    ):
        response = send(charlie_api, method, path, body)
        assert response.status_code == 404, path
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
    assert charlie_api.walk("/cases") == []
    assert ids(alice_api.walk("/cases")) == [case.pk]
