"""Merge suggestions, merges and undo over the API: the same rules as the web, as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client

from comptoir.people.merging import do_merge_people
from comptoir.people.models import (
    Identity,
    MergeSuggestion,
    Person,
    PersonMerge,
    SuggestionStatus,
)
from comptoir.workspaces.models import Role
from tests.api.conftest import ApiClient, World, ids, token_for
from tests.api.endpoints import ACTIONS
from tests.conftest import Personas
from tests.factories import PersonFactory, SeatFactory, UserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

FORBIDDEN = {
    "error": {"code": "forbidden", "message": "Your role does not allow this.", "details": None}
}
NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "details": None}}


def post(api: ApiClient, path: str, body: dict[str, Any] | None = None) -> Response:
    """A POST as an integration sends it: a bearer token, JSON, no cookie and no CSRF token."""
    headers = {"authorization": f"Bearer {api.token}"} if api.token else {}
    data = "" if body is None else json.dumps(body)  # None: no body at all
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1{path}", data, content_type="application/json", headers=headers
    )


def ok(api: ApiClient, path: str, body: dict[str, Any] | None = None) -> Any:
    response = post(api, path, body)
    assert response.status_code == 200, response.content
    return response.json()


def refused(response: Response, message: str) -> None:
    """A request the rules refuse whatever the state: 400."""
    assert response.status_code == 400, response.content
    assert response.json() == {
        "error": {"code": "bad_request", "message": message, "details": None}
    }


def conflicting(response: Response, message: str) -> None:
    """A request the state no longer allows (decided, merged, undone): 409."""
    assert response.status_code == 409, response.content
    assert response.json() == {"error": {"code": "conflict", "message": message, "details": None}}


@pytest.fixture
def viewer_api(personas: Personas) -> ApiClient:
    viewer = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="victor@example.test"),
        role=Role.VIEWER,
        display_name="Victor",
    )
    return ApiClient(token_for(viewer))


def test_a_suggestion_with_its_people_and_reasons(world: World, alice_api: ApiClient) -> None:
    a = world.a

    body = alice_api.ok("/merge-suggestions")

    assert body == {
        "items": [
            {
                "id": a.suggestion.pk,
                "person": {"id": a.marie.pk, "display_name": "Marie Dupont A"},
                "other": {"id": a.jean.pk, "display_name": "Jean Martin A"},
                "default_survivor_id": a.marie.pk,
                "score": 0.6,
                "reasons": [
                    {
                        "signal": "same_thread",
                        "detail": "Colis perdu",
                        "weight": 0.2,
                        "conversation_id": None,
                    }
                ],
                "status": "pending",
                "decided_by": None,
                "decided_at": None,
                "created_at": body["items"][0]["created_at"],
            }
        ],
        "next_cursor": None,
    }


def test_suggestions_filter_by_status_and_page_best_first(
    world: World, alice_api: ApiClient
) -> None:
    ws = world.a.marie.workspace
    made = [
        MergeSuggestion.objects.create(
            workspace=ws,
            person=PersonFactory.create(workspace=ws),
            other=PersonFactory.create(workspace=ws),
            score=score,
            reasons=[],
            status=status,
        )
        for score, status in [(0.9, "pending"), (0.7, "rejected"), (0.8, "accepted")]
    ]

    assert ids(alice_api.walk("/merge-suggestions", {"limit": 1})) == [
        made[0].pk,
        made[2].pk,
        made[1].pk,
        world.a.suggestion.pk,
    ]
    assert ids(alice_api.walk("/merge-suggestions", {"status": "pending"})) == [
        made[0].pk,
        world.a.suggestion.pk,
    ]
    assert ids(alice_api.walk("/merge-suggestions", {"status": "rejected"})) == [made[1].pk]
    assert alice_api.get("/merge-suggestions", {"status": "maybe"}).status_code == 400


def test_accepting_merges_and_keeps_the_older_person(world: World, alice_api: ApiClient) -> None:
    a = world.a

    merge = ok(alice_api, f"/merge-suggestions/{a.suggestion.pk}/accept")

    assert merge["survivor"] == {"id": a.marie.pk, "display_name": "Marie Dupont A"}
    assert merge["merged"] == {"id": a.jean.pk, "display_name": "Jean Martin A"}
    assert merge["reason"] == f"Suggestion #{a.suggestion.pk} accepted: wrote in the same thread"
    assert merge["automatic"] is False
    assert merge["actor"] == {"id": a.marie.relationship_owner_id, "display_name": "Alice"}
    assert merge["undone_at"] is None
    assert merge["moves"] == {
        "identities": [a.jean_linkedin.pk],
        "memberships": [],
        "set_aside_memberships": [a.jean_at_acme.pk],  # Marie is in Acme already
        "related": {"inbox.conversation": [], "cases.case": []},
        "survivor_changes": {},
    }
    assert Identity.objects.get(pk=a.jean_linkedin.pk).person_id == a.marie.pk
    suggestion = alice_api.ok("/merge-suggestions", {"status": "accepted"})["items"][0]
    assert suggestion["decided_by"]["display_name"] == "Alice"


@pytest.mark.parametrize("body", [{"survivor_id": "jean"}, {}])
def test_accepting_can_name_the_survivor(
    world: World, alice_api: ApiClient, body: dict[str, str]
) -> None:
    a = world.a
    payload = {"survivor_id": a.jean.pk} if body else {}

    merge = ok(alice_api, f"/merge-suggestions/{a.suggestion.pk}/accept", payload)

    expected = a.jean.pk if body else a.marie.pk
    assert merge["survivor"]["id"] == expected


def test_accepting_refuses_a_survivor_outside_the_pair(world: World, alice_api: ApiClient) -> None:
    response = post(
        alice_api,
        f"/merge-suggestions/{world.a.suggestion.pk}/accept",
        {"survivor_id": world.a.suggestion.pk + 1000},
    )

    refused(response, "The person kept must be one of the two suggested.")


def test_rejecting(world: World, alice_api: ApiClient) -> None:
    body = ok(alice_api, f"/merge-suggestions/{world.a.suggestion.pk}/reject")

    assert body["status"] == "rejected"
    assert body["decided_by"]["display_name"] == "Alice"
    assert body["decided_at"] is not None
    conflicting(
        post(alice_api, f"/merge-suggestions/{world.a.suggestion.pk}/accept"),
        "This suggestion was already decided.",
    )


def test_merging_two_people(world: World, alice_api: ApiClient) -> None:
    a = world.a

    merge = ok(
        alice_api, f"/people/{a.jean.pk}/merge", {"other_id": a.marie.pk, "reason": "Same human"}
    )

    assert (merge["survivor"]["id"], merge["merged"]["id"], merge["reason"]) == (
        a.jean.pk,
        a.marie.pk,
        "Same human",
    )
    assert sorted(merge["moves"]["identities"]) == sorted([a.marie_email.pk, a.marie_x.pk])
    assert sorted(merge["moves"]["related"]["inbox.conversation"]) == sorted(
        [a.complaint.pk, a.question.pk]
    )
    assert merge["moves"]["survivor_changes"]["lifecycle_stage"] == {
        "before": "prospect",
        "after": "customer",
    }
    assert alice_api.get(f"/people/{a.marie.pk}").status_code == 200  # still there, merged
    assert a.marie.pk not in ids(alice_api.walk("/people"))


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"reason": "No other"}, 400),
        ({"other_id": 1, "reason": ""}, 400),
        ({"other_id": "x", "reason": "Bad id"}, 400),
    ],
)
def test_a_merge_request_must_be_complete(
    world: World, alice_api: ApiClient, body: dict[str, Any], status: int
) -> None:
    response = post(alice_api, f"/people/{world.a.jean.pk}/merge", body)

    assert response.status_code == status
    assert response.json()["error"]["code"] == "validation_error"
    assert not PersonMerge.objects.exclude(pk__in=[world.a.merge.pk, world.b.merge.pk]).exists()


def test_a_merge_the_rules_refuse_says_why(world: World, alice_api: ApiClient) -> None:
    a = world.a

    refused(
        post(alice_api, f"/people/{a.jean.pk}/merge", {"other_id": a.jean.pk, "reason": "Me"}),
        "A person cannot be merged with themselves.",
    )
    conflicting(
        post(
            alice_api,
            f"/people/{a.jean.pk}/merge",
            {"other_id": a.merge.merged_id, "reason": "Again"},
        ),
        "J. Martin A was already merged into someone else.",
    )


def test_merges_list_and_detail(world: World, alice_api: ApiClient) -> None:
    a = world.a
    later = do_merge_people(a.marie, PersonFactory.create(workspace=a.marie.workspace), reason="x")

    assert ids(alice_api.walk("/merges")) == [later.pk, a.merge.pk]
    assert ids(alice_api.walk("/merges", {"person": a.jean.pk})) == [a.merge.pk]
    detail = alice_api.ok(f"/merges/{a.merge.pk}")
    assert detail["survivor"]["id"] == a.jean.pk
    assert detail["merged"]["display_name"] == "J. Martin A"
    assert detail["actor"]["display_name"] == "Alice"


def test_undoing_a_merge(world: World, alice_api: ApiClient) -> None:
    a = world.a

    body = ok(alice_api, f"/merges/{a.merge.pk}/undo", {"reason": "Two people"})

    assert body["undone_at"] is not None
    assert body["undone_by"]["display_name"] == "Alice"
    assert Person.objects.get(pk=a.merge.merged_id).merged_into is None
    conflicting(post(alice_api, f"/merges/{a.merge.pk}/undo"), "This merge was already undone.")


def test_merges_are_undone_newest_first(world: World, alice_api: ApiClient) -> None:
    a = world.a
    do_merge_people(a.jean, a.marie, reason="Later")

    response = post(alice_api, f"/merges/{a.merge.pk}/undo")

    conflicting(
        response,
        "A later merge (Marie Dupont A into Jean Martin A) involves these people: undo it "
        "first, merges are undone in reverse order.",
    )


@pytest.mark.parametrize("path", ACTIONS)
def test_a_viewer_may_read_but_not_change(world: World, viewer_api: ApiClient, path: str) -> None:
    assert viewer_api.ok("/merge-suggestions")["items"]
    assert viewer_api.ok("/merges")["items"]

    response = post(
        viewer_api, ACTIONS[path](world.a), {"other_id": world.a.jean.pk, "reason": "x"}
    )

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert MergeSuggestion.objects.get(pk=world.a.suggestion.pk).status == SuggestionStatus.PENDING
    assert PersonMerge.objects.get(pk=world.a.merge.pk).undone_at is None


@pytest.mark.parametrize("path", ACTIONS)
def test_charlie_cannot_touch_a(
    world: World, charlie_api: ApiClient, alice_api: ApiClient, path: str
) -> None:
    body = {"other_id": world.b.jean.pk, "reason": "x"}

    response = post(charlie_api, ACTIONS[path](world.a), body)

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert MergeSuggestion.objects.get(pk=world.a.suggestion.pk).status == SuggestionStatus.PENDING
    assert PersonMerge.objects.get(pk=world.a.merge.pk).undone_at is None
    # Nor merge one of A's people into one of his own.
    across = post(
        charlie_api,
        f"/people/{world.b.jean.pk}/merge",
        {"other_id": world.a.marie.pk, "reason": "x"},
    )
    assert across.status_code == 404


@pytest.mark.parametrize("path", ACTIONS)
def test_every_action_wants_a_token(world: World, path: str) -> None:
    response = post(ApiClient(None), ACTIONS[path](world.a), {"other_id": 1, "reason": "x"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
