"""Who may see what: logins, seats, and Charlie who must never see anything of A's."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, Personas
from tests.factories import SeatFactory, UserFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, HTMX_RESULTS, html

# Each page of workspace A, and the text that proves Alice sees A's data on it.
PAGES_OF_A: dict[str, tuple[Callable[[WebData, str], str], str]] = {
    "inbox": (lambda d, slug: reverse("web:inbox", args=[slug]), "Colis perdu"),
    "conversation": (
        lambda d, slug: reverse("web:conversation", args=[slug, d.lost_parcel.pk]),
        "Mon colis n&#x27;est jamais arrivé.",
    ),
    "people": (lambda d, slug: reverse("web:people", args=[slug]), "Marie Dupont"),
    "person": (
        lambda d, slug: reverse("web:person", args=[slug, d.marie.pk]),
        "Could I get my money back?",
    ),
    "organizations": (
        lambda d, slug: reverse("web:organizations", args=[slug]),
        "Lumière Distribution",
    ),
    "organization": (
        lambda d, slug: reverse("web:organization", args=[slug, d.lumiere.pk]),
        "Head of purchasing",
    ),
}
DETAIL_PAGES = ["conversation", "person", "organization"]
LIST_PAGES = ["inbox", "people", "organizations"]
SECRETS_OF_A = [
    "Colis perdu",
    "Refund request",
    "Pricing question",
    "Marie Dupont",
    "Paul Martin",
    "Lumière Distribution",
    "Support mailbox",
    "Maison Lumière",
]


@pytest.mark.parametrize("name", list(PAGES_OF_A))
def test_alice_sees_her_workspace_on_every_page(
    name: str, web_data: WebData, alice_client: Client
) -> None:
    url_of, expected = PAGES_OF_A[name]

    body = html(alice_client, url_of(web_data, web_data.slug_a))

    assert expected in body
    assert "Secret" not in body
    assert "Zoé" not in body


@pytest.mark.parametrize("name", list(PAGES_OF_A))
def test_charlie_gets_404_on_every_page_of_a(
    name: str, web_data: WebData, charlie_client: Client
) -> None:
    url_of, expected = PAGES_OF_A[name]

    body = html(charlie_client, url_of(web_data, web_data.slug_a), status=404)

    assert expected not in body
    assert "We could not find this page" in body


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_charlie_gets_404_for_a_objects_through_his_own_workspace(
    name: str, web_data: WebData, charlie_client: Client
) -> None:
    url_of, expected = PAGES_OF_A[name]

    body = html(charlie_client, url_of(web_data, web_data.slug_b), status=404)

    assert expected not in body


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_alice_gets_404_for_b_objects_through_her_workspace(
    name: str, web_data: WebData, alice_client: Client
) -> None:
    secret_pk = {
        "conversation": web_data.secret_conversation.pk,
        "person": web_data.secret_person.pk,
        "organization": web_data.secret_org.pk,
    }[name]
    url = reverse(f"web:{name}", args=[web_data.slug_a, secret_pk])

    body = html(alice_client, url, status=404)

    assert "Secret" not in body
    assert "Zoé" not in body


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("headers", [{}, HTMX_RESULTS, HTMX_MORE])
def test_charlie_lists_hold_only_his_rows(
    name: str, headers: dict[str, str], web_data: WebData, charlie_client: Client
) -> None:
    body = html(charlie_client, reverse(f"web:{name}", args=[web_data.slug_b]), headers=headers)

    for secret in SECRETS_OF_A:
        assert secret not in body
    expected = {"inbox": "Secret negotiation", "people": "Zoé Secrète"}
    assert expected.get(name, "Secret Holdings") in body


@pytest.mark.parametrize("name", list(PAGES_OF_A))
def test_anonymous_visitors_are_sent_to_the_login_page(name: str, web_data: WebData) -> None:
    url = PAGES_OF_A[name][0](web_data, web_data.slug_a)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('web:login')}?next={url}"


def test_home_sends_a_user_to_the_inbox_of_their_first_workspace(
    personas: Personas, alice_client: Client
) -> None:
    response = alice_client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/w/maison-lumiere/inbox/"


def test_a_workspace_address_leads_to_its_inbox(
    web_data: WebData, alice_client: Client, charlie_client: Client
) -> None:
    response = alice_client.get(f"/w/{web_data.slug_a}/")

    assert response.status_code == 302
    assert response["Location"] == f"/w/{web_data.slug_a}/inbox/"
    assert charlie_client.get(f"/w/{web_data.slug_a}/").status_code == 404


def test_home_without_a_seat_says_so(db: None) -> None:
    client = Client()
    client.force_login(UserFactory.create(username="dora@example.test"))

    body = html(client, "/")

    assert "You have no workspace yet" in body


def test_home_asks_anonymous_visitors_to_log_in(db: None) -> None:
    response = Client().get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_with_the_right_password_leads_to_the_inbox(personas: Personas) -> None:
    client = Client()

    response = client.post(
        reverse("web:login"), {"username": "alice@example.test", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/")["Location"] == "/w/maison-lumiere/inbox/"


def test_login_with_a_wrong_password_says_so(personas: Personas) -> None:
    response = Client().post(
        reverse("web:login"), {"username": "alice@example.test", "password": "wrong"}
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_logout_is_a_post_that_ends_the_session(alice_client: Client) -> None:
    assert alice_client.get(reverse("web:logout")).status_code == 405

    response = alice_client.post(reverse("web:logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("web:login")
    assert alice_client.get("/")["Location"] == "/login/?next=/"


def test_the_top_bar_shows_the_user_role_and_workspaces(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, reverse("web:inbox", args=[web_data.slug_a]))

    assert '<span class="whoami-name">Alice</span>' in body
    assert '<span class="whoami-role">Agent</span>' in body
    assert '<span class="switcher-current">Maison Lumière</span>' in body
    assert "Other Corp" not in body
    assert 'action="/logout/"' in body
    assert 'action="/i18n/setlang/"' in body


def test_the_switcher_lists_every_seat_of_the_user(
    web_data: WebData, personas: Personas, charlie_client: Client
) -> None:
    SeatFactory.create(
        workspace=personas.workspace_a, user=personas.charlie.user, display_name="Charlie"
    )

    body = html(charlie_client, reverse("web:inbox", args=[web_data.slug_b]))

    assert 'href="/w/maison-lumiere/inbox/"' in body
    assert 'href="/w/other-corp/inbox/" aria-current="true"' in body
