"""The API describes itself: OpenAPI JSON and the interactive docs, without a token."""

from __future__ import annotations

import json

from django.test import Client

from tests.api.endpoints import ACTIONS, DOCUMENTED, LISTS, PUBLIC, WRITES


def test_the_openapi_document_lists_every_endpoint(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Comptoir API"
    assert set(document["paths"]) == {f"/api/v1{p}" for p in DOCUMENTED}
    assert document["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"}
    }
    for path, operations in document["paths"].items():
        if path.removeprefix("/api/v1") in PUBLIC:
            method = PUBLIC[path.removeprefix("/api/v1")]
            assert list(operations) == [method], path
            assert "security" not in operations[method], path
            continue
        method = "post" if path.removeprefix("/api/v1") in ACTIONS else "get"
        assert set(operations) == {method, *WRITES.get(path.removeprefix("/api/v1"), ())}, path
        operation = operations[method]
        assert operation["security"] == [{"TokenAuth": []}], path
        # An action may also answer 409, when the object is no longer in a state it applies to,
        # and 201 when it creates a row.
        allowed = {"409", "201"} if method == "post" else set()
        assert set(operation["responses"]) - allowed == {"200", "400", "401", "403", "404"}, path
        assert operation["responses"]["404"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }, path


def test_list_endpoints_document_their_page_parameters(db: None) -> None:
    document = Client().get("/api/v1/openapi.json").json()
    for path in LISTS:
        parameters = {
            p["name"]: p for p in document["paths"][f"/api/v1{path}"]["get"]["parameters"]
        }
        assert parameters["limit"]["schema"]["maximum"] == 200, path
        assert parameters["limit"]["schema"]["default"] == 50, path
        assert "cursor" in parameters, path


def test_the_docs_page_is_served(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/v1/openapi.json" in response.content
