"""Every endpoint: Alice sees A's data; Charlie, in B, never does, and A's missing and
A's existing objects look the same to him; without a valid token nobody sees anything."""

from __future__ import annotations

import pytest

from comptoir.api.actions import do_create_token, do_revoke_token
from tests.api.conftest import ApiClient, World, ids
from tests.api.endpoints import (
    DOCUMENTED,
    LISTS,
    OBJECTS,
    SEAT_ENDPOINTS,
    every_url,
    with_id,
)
from tests.conftest import Personas

NOT_FOUND = {"error": {"code": "not_found", "message": "Not found.", "details": None}}


@pytest.mark.parametrize("path", LISTS)
def test_lists_show_only_the_callers_workspace(
    world: World, alice_api: ApiClient, charlie_api: ApiClient, path: str
) -> None:
    expected = LISTS[path]
    assert set(ids(alice_api.walk(path))) == expected(world.a)
    assert set(ids(charlie_api.walk(path))) == expected(world.b)


@pytest.mark.parametrize("template", OBJECTS)
def test_another_workspaces_object_is_missing(
    world: World, alice_api: ApiClient, charlie_api: ApiClient, template: str
) -> None:
    url = OBJECTS[template]
    assert alice_api.get(url(world.a)).status_code == 200
    assert charlie_api.get(url(world.b)).status_code == 200
    for api, foreign in ((charlie_api, url(world.a)), (alice_api, url(world.b))):
        response = api.get(foreign)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
    assert charlie_api.get(with_id(template)).json() == NOT_FOUND


def test_object_endpoints_show_the_callers_rows(world: World, alice_api: ApiClient) -> None:
    a = world.a
    assert alice_api.ok(f"/people/{a.marie.pk}")["display_name"] == "Marie Dupont A"
    assert alice_api.ok(f"/identities/{a.marie_x.pk}")["handle"] == "@mdupont"
    assert alice_api.ok(f"/organizations/{a.acme.pk}")["name"] == "Acme A"
    assert alice_api.ok(f"/conversations/{a.complaint.pk}")["subject"] == "Colis perdu"
    assert alice_api.ok(f"/messages/{a.reply.pk}")["text"] == "Nous le retrouvons."
    assert alice_api.ok(f"/channels/{a.email.pk}")["name"] == "Service client a"
    assert ids(alice_api.ok(f"/conversations/{a.complaint.pk}/messages")["items"]) == [
        a.note.pk,
        a.reply.pk,
        a.inbound.pk,
    ]
    timeline = alice_api.ok(f"/people/{a.marie.pk}/timeline")["items"]
    assert {m["conversation_id"] for m in timeline} == {a.complaint.pk, a.question.pk}


@pytest.mark.parametrize("path", SEAT_ENDPOINTS)
def test_seat_endpoints_speak_for_the_tokens_seat(
    personas: Personas, alice_api: ApiClient, charlie_api: ApiClient, path: str
) -> None:
    assert alice_api.ok(path)["workspace"]["slug"] == "maison-lumiere"
    assert charlie_api.ok(path)["workspace"]["slug"] == "other-corp"


def _revoked_token(personas: Personas) -> str:
    issued = do_create_token(personas.alice)
    do_revoke_token(issued.token)
    return issued.secret


@pytest.mark.parametrize("credential", ["none", "unknown", "tampered", "revoked"])
def test_every_endpoint_wants_a_live_token(
    world: World, personas: Personas, alice_api: ApiClient, credential: str
) -> None:
    assert alice_api.token is not None
    token = {
        "none": None,
        "unknown": "cpt_000000000000_nothing",
        "tampered": alice_api.token[:-1] + ("B" if alice_api.token.endswith("A") else "A"),
        "revoked": _revoked_token(personas),
    }[credential]
    api = ApiClient(token)
    for url in every_url(world.a):
        response = api.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response.json()["error"]["code"] == "unauthorized"


def test_every_documented_endpoint_is_checked(alice_api: ApiClient) -> None:
    documented = {path.removeprefix("/api/v1") for path in alice_api.ok("/openapi.json")["paths"]}
    assert documented == DOCUMENTED
