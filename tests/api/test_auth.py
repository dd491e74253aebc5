"""Bearer tokens: who a token speaks for, and every way a request is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.api.actions import do_create_token, do_revoke_token
from comptoir.api.models import ApiToken
from comptoir.workspaces.models import Role
from comptoir.workspaces.roles import ROLE_CAPABILITIES
from tests.api.conftest import ApiClient
from tests.conftest import Personas

UNAUTHORIZED = {
    "error": {
        "code": "unauthorized",
        "message": "A valid API token is required: send 'Authorization: Bearer <token>'.",
        "details": None,
    }
}


def test_me_is_the_tokens_seat(personas: Personas, alice_api: ApiClient) -> None:
    alice = personas.alice
    assert alice_api.ok("/me") == {
        "id": alice.pk,
        "display_name": "Alice",
        "role": "agent",
        "languages": [],
        "capabilities": ["converse", "manage_people", "read"],
        "user": {
            "id": alice.user_id,
            "username": "alice@example.test",
            "email": "alice@example.test",
        },
        "workspace": {
            "id": personas.workspace_a.pk,
            "name": "Maison Lumière",
            "slug": "maison-lumiere",
            "timezone": "Europe/Paris",
            "default_language": "fr",
        },
    }


def test_a_token_is_stored_only_as_its_digest(personas: Personas) -> None:
    issued = do_create_token(personas.bob, name="zapier")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith(f"cpt_{stored.prefix}_")
    assert issued.secret not in {stored.digest, stored.prefix, stored.name}
    assert ApiClient(issued.secret).ok("/me")["display_name"] == "Bob"


def test_using_a_token_records_when(personas: Personas, alice_api: ApiClient) -> None:
    assert ApiToken.objects.get().last_used_at is None
    alice_api.ok("/me")
    assert ApiToken.objects.get().last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Token cpt_abc_def",
        "Basic YWxpY2U6c2VjcmV0",
        "Bearer cpt_000000000000_unknown",
        "Bearer not-a-comptoir-token",
    ],
)
def test_refused_without_a_valid_bearer_token(personas: Personas, header: str | None) -> None:
    headers = {} if header is None else {"authorization": header}
    response = Client().get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["WWW-Authenticate"] == 'Bearer realm="comptoir"'
    assert response.json() == UNAUTHORIZED


def test_a_session_login_is_not_enough(personas: Personas) -> None:
    response = personas.client_for(personas.alice).get("/api/v1/me")
    assert response.status_code == 401


def test_a_revoked_token_stops_working_at_once(personas: Personas) -> None:
    issued = do_create_token(personas.alice)
    api = ApiClient(issued.secret)
    assert api.get("/me").status_code == 200
    do_revoke_token(issued.token)
    response = api.get("/me")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_deactivated_seats_tokens_stop_working(personas: Personas, alice_api: ApiClient) -> None:
    personas.alice.is_active = False
    personas.alice.save(update_fields=["is_active"])
    response = alice_api.get("/people")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_a_role_without_read_is_refused(
    personas: Personas, alice_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.AGENT, frozenset())
    response = alice_api.get("/people")
    assert response.status_code == 403
    assert response.json() == {
        "error": {
            "code": "forbidden",
            "message": "Your role does not allow this.",
            "details": None,
        }
    }
