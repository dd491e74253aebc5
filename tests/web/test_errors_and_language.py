"""Error pages say what happened, in the visitor's language; the language switch works."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from comptoir.web.views import errors
from tests.web.conftest import WebData
from tests.web.helpers import html


def test_a_missing_object_renders_the_404_page(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, reverse("web:person", args=[web_data.slug_a, 999999]), status=404)

    assert "<title>Page not found · Comptoir</title>" in body
    assert "We could not find this page" in body
    assert "it belongs to a workspace you have no seat in" in body
    # Inside a known workspace, the page keeps the navigation of that workspace.
    assert 'href="/w/maison-lumiere/people/"' in body


def test_an_unknown_workspace_renders_the_404_page(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, "/w/no-such-workspace/inbox/", status=404)

    assert "We could not find this page" in body


def test_an_anonymous_visitor_gets_the_404_page_too(db: None) -> None:
    body = html(Client(), "/no-such-page/", status=404)

    assert "We could not find this page" in body
    assert "Log out" not in body


def test_the_404_page_speaks_french(web_data: WebData, alice_client: Client) -> None:
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})

    body = html(alice_client, reverse("web:person", args=[web_data.slug_a, 999999]), status=404)

    assert "Nous n\u2019avons pas trouvé cette page" in body


def test_the_403_page_says_what_happened(rf: RequestFactory, web_data: WebData) -> None:
    request = rf.get("/")
    request.user = web_data.personas.alice.user

    with translation.override("en"):
        response = errors.forbidden(request)

    assert response.status_code == 403
    assert "You are not allowed to do this" in response.content.decode()


def test_the_400_page_without_a_known_reason_stays_general(
    rf: RequestFactory, web_data: WebData
) -> None:
    request = rf.get("/")
    request.user = web_data.personas.alice.user

    with translation.override("en"):
        response = errors.bad_request(request)

    assert response.status_code == 400
    body = response.content.decode()
    assert "We could not understand this request" in body
    assert "Something in the address or the form was not what we expected." in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Something went wrong on our side"),
        ("fr", "Une erreur est survenue de notre côté"),
    ],
)
def test_the_500_page_needs_neither_database_nor_context(
    language: str, expected: str, rf: RequestFactory, db: None
) -> None:
    # A bare request: no session, no user, as when a middleware itself has failed.
    request = rf.get("/")

    with translation.override(language), CaptureQueriesContext(connection) as queries:
        response = errors.server_error(request)

    assert response.status_code == 500
    assert expected in response.content.decode()
    assert len(queries.captured_queries) == 0


def test_switching_to_french_translates_the_inbox(web_data: WebData, alice_client: Client) -> None:
    inbox = reverse("web:inbox", args=[web_data.slug_a])

    response = alice_client.post(reverse("set_language"), {"language": "fr", "next": inbox})

    assert response.status_code == 302
    assert response["Location"] == inbox
    body = html(alice_client, inbox)
    assert '<html lang="fr">' in body
    assert "<h1>Boîte de réception</h1>" in body
    assert '<option value="" selected>Tous les statuts</option>' in body
    assert '<span class="badge status-open">Ouverte</span>' in body
    assert "Se déconnecter" in body
    assert '<button type="submit" name="language" value="fr" lang="fr"' in body


def test_switching_back_to_english(web_data: WebData, alice_client: Client) -> None:
    inbox = reverse("web:inbox", args=[web_data.slug_a])
    alice_client.post(reverse("set_language"), {"language": "fr", "next": inbox})

    alice_client.post(reverse("set_language"), {"language": "en", "next": inbox})

    body = html(alice_client, inbox)
    assert "<h1>Inbox</h1>" in body
    assert "Boîte de réception" not in body


def test_the_login_page_offers_the_language_switch(db: None) -> None:
    client = Client()
    client.post(reverse("set_language"), {"language": "fr", "next": "/login/"})

    body = html(client, reverse("web:login"))

    assert "Connexion à Comptoir" in body
    assert "Mot de passe" in body
