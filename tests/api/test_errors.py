"""One JSON error body for every failure under /api/v1/, never an HTML page."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.api.conftest import ApiClient, World
from tests.api.endpoints import LISTS, OBJECTS, with_id
from tests.conftest import Personas

JSON = "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "path", ["/", "/nope", "/people/", "/people/abc", "/people/1/nope", "/v2/people"]
)
def test_an_unknown_url_is_a_json_404(alice_api: ApiClient, path: str) -> None:
    response = alice_api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == JSON
    assert response.json() == {
        "error": {
            "code": "not_found",
            "message": "There is no such endpoint; see /api/v1/docs.",
            "details": None,
        }
    }


@pytest.mark.parametrize("path", ["/", "/nope"])
def test_an_unknown_url_is_a_json_404_whatever_the_method(db: None, path: str) -> None:
    response = Client(enforce_csrf_checks=True).post(f"/api/v1{path}", {"a": 1})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("template", OBJECTS)
@pytest.mark.parametrize("pk", [0, 2**63, 10**30])
def test_an_impossible_id_is_not_found(alice_api: ApiClient, template: str, pk: int) -> None:
    response = alice_api.get(with_id(template, pk))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_wrong_method_is_a_json_405(alice_api: ApiClient, method: str) -> None:
    client = Client(
        enforce_csrf_checks=True, headers={"authorization": f"Bearer {alice_api.token}"}
    )
    response = getattr(client, method)("/api/v1/people")
    assert response.status_code == 405
    assert response["Content-Type"] == JSON
    assert response["Allow"] == "GET"
    assert response.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": f"{method.upper()} is not allowed here; use GET.",
            "details": {"allowed": ["GET"]},
        }
    }


@pytest.mark.parametrize("path", LISTS)
def test_an_invalid_cursor_is_a_400(world: World, alice_api: ApiClient, path: str) -> None:
    response = alice_api.get(path, {"cursor": "bm90IG1pbmU"})
    assert response.status_code == 400
    assert response["Content-Type"] == JSON
    assert response.json() == {
        "error": {
            "code": "invalid_cursor",
            "message": "This cursor is not one this list gave out; start again without it.",
            "details": None,
        }
    }


def test_a_cursor_of_another_list_is_refused(world: World, alice_api: ApiClient) -> None:
    cursor = alice_api.ok("/people", {"limit": 1})["next_cursor"]
    assert cursor is not None
    assert alice_api.get("/conversations", {"cursor": cursor}).status_code == 400


@pytest.mark.parametrize(
    ("params", "loc", "kind"),
    [
        ({"limit": 0}, ["query", "limit"], "greater_than_equal"),
        ({"limit": 201}, ["query", "limit"], "less_than_equal"),
        ({"limit": "many"}, ["query", "limit"], "int_parsing"),
        ({"lifecycle_stage": "royalty"}, ["query", "lifecycle_stage"], "enum"),
        ({"organization": "acme"}, ["query", "organization"], "int_parsing"),
        ({"organization": str(2**63)}, ["query", "organization"], "less_than_equal"),
        ({"owner": "0"}, ["query", "owner"], "greater_than_equal"),
    ],
)
def test_invalid_parameters_are_a_400_that_says_which(
    alice_api: ApiClient, params: dict[str, object], loc: list[str], kind: str
) -> None:
    response = alice_api.get("/people", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["message"] == "The request is not valid."
    assert [(d["loc"], d["type"]) for d in error["details"]] == [(loc, kind)]


def test_a_server_error_is_a_json_500_and_is_logged(
    personas: Personas,
    alice_api: ApiClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("the database caught fire")

    monkeypatch.setattr("comptoir.channels.api.scoped", broken)
    with caplog.at_level(logging.ERROR, logger="comptoir.api.errors"):
        response = alice_api.get("/channels")
    assert response.status_code == 500
    assert response["Content-Type"] == JSON
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side; it has been logged.",
            "details": None,
        }
    }
    assert "the database caught fire" not in response.content.decode()
    logged = [r for r in caplog.records if r.name == "comptoir.api.errors"]
    assert [r.getMessage() for r in logged] == ["API error on GET /api/v1/channels"]
    assert logged[0].exc_info is not None
    assert str(logged[0].exc_info[1]) == "the database caught fire"


def test_a_body_over_the_upload_limit_is_a_json_413(world: World, alice_api: ApiClient) -> None:
    path = f"/conversations/{world.a.complaint.pk}/replies"
    body = b'{"text": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = Client().post(
        f"/api/v1{path}",
        body,
        content_type="application/json",
        headers={"authorization": f"Bearer {alice_api.token}"},
    )
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "payload_too_large",
            "message": "The request body is over 2,621,440 bytes.",
            "details": None,
        }
    }
