"""The people list (search, filters, pagination, query counts) and the person page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from comptoir.people.models import IdentityKind
from tests.factories import (
    BASE_TIME,
    ConversationFactory,
    IdentityFactory,
    MembershipFactory,
    MessageFactory,
    PersonFactory,
)
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, HTMX_RESULTS, count_queries, html, page_pks, walk_pages


def people_url(data: WebData, **query: str | int) -> str:
    url = reverse("web:people", args=[data.slug_a])
    return f"{url}?{urlencode(query)}" if query else url


def person_url(data: WebData, pk: int, query: str = "") -> str:
    return reverse("web:person", args=[data.slug_a, pk]) + (f"?{query}" if query else "")


def test_the_people_list_is_in_name_order(web_data: WebData, alice_client: Client) -> None:
    pks, cursor = page_pks(alice_client, people_url(web_data))

    assert pks == [web_data.lea.pk, web_data.marie.pk, web_data.paul.pk]
    assert cursor is None


def test_a_people_row_shows_identities_organisation_and_stage(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, people_url(web_data, q="Marie"))

    assert f'href="{person_url(web_data, web_data.marie.pk)}">Marie Dupont</a>' in body
    assert '<span class="chan chan-x chan-compact" title="X · @mariedupont">' in body
    assert (
        '<span class="chan chan-email chan-compact" title="Email · marie.dupont@example.fr">'
        in body
    )
    assert ">Lumière Distribution</a>" in body
    assert "Head of purchasing" in body
    assert '<span class="badge stage-customer">Customer</span>' in body
    assert "ago</time>" in body


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("Marie", ["marie"]),
        ("dupont", ["marie"]),
        ("@mariedupont", ["marie"]),
        ("mariedupont", ["marie"]),
        ("marie.dupont@example.fr", ["marie"]),
        ("paul@lumiere-distribution", ["paul"]),
        ("@lea@mastodon", ["lea"]),
        ("  Léa  ", ["lea"]),
        ("nobody-by-that-name", []),
    ],
)
def test_people_search_by_name_handle_or_email(
    search: str, expected: list[str], web_data: WebData, alice_client: Client
) -> None:
    pks, _ = page_pks(alice_client, people_url(web_data, q=search))

    assert pks == [getattr(web_data, name).pk for name in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"stage": "prospect"}, ["paul"]),
        ({"stage": "customer"}, ["marie"]),
        ({"network": "mastodon"}, ["lea"]),
        ({"network": "email"}, ["marie", "paul"]),
        ({"organization": "lumiere"}, ["marie", "paul"]),
        ({"organization": "lumiere", "network": "x"}, ["marie"]),
        ({"stage": "advocate"}, []),
    ],
)
def test_people_filters(
    query: dict[str, str], expected: list[str], web_data: WebData, alice_client: Client
) -> None:
    if query.get("organization") == "lumiere":
        query["organization"] = str(web_data.lumiere.pk)

    pks, _ = page_pks(alice_client, people_url(web_data, **query))

    assert pks == [getattr(web_data, name).pk for name in expected]


def test_another_workspace_organisation_is_no_filter(
    web_data: WebData, alice_client: Client
) -> None:
    pks, _ = page_pks(alice_client, people_url(web_data, organization=web_data.secret_org.pk))

    assert pks == [web_data.lea.pk, web_data.marie.pk, web_data.paul.pk]


def test_a_search_that_finds_nobody_says_so(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, people_url(web_data, q="zzz"), headers=HTMX_RESULTS)

    assert "Nobody matches this search" in body
    assert "Clear filters" in body
    assert "<html" not in body


def test_a_workspace_without_people_says_so(web_data: WebData, charlie_client: Client) -> None:
    web_data.secret_person.delete()

    body = html(charlie_client, reverse("web:people", args=[web_data.slug_b]))

    assert "No people yet" in body


def test_people_pagination_has_no_duplicates(web_data: WebData, alice_client: Client) -> None:
    PersonFactory.create_batch(60, workspace=web_data.personas.workspace_a)

    pages = walk_pages(alice_client, people_url(web_data))

    assert [len(page) for page in pages] == [50, 13]
    assert len({pk for page in pages for pk in page}) == 63


def test_an_invalid_people_cursor_is_a_400(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, people_url(web_data, cursor="!!"), status=400)

    assert "damaged or out of date" in body


def test_the_people_list_runs_the_same_number_of_queries_for_5_or_40_rows(
    web_data: WebData, alice_client: Client
) -> None:
    workspace = web_data.personas.workspace_a

    def more_people(count: int) -> None:
        for person in PersonFactory.create_batch(count, workspace=workspace):
            IdentityFactory.create(person=person)
            IdentityFactory.create(person=person, kind=IdentityKind.EMAIL)
            MembershipFactory.create(person=person, organization=web_data.lumiere)

    more_people(2)
    url = people_url(web_data)
    assert len(alice_client.get(url).context["page"].items) == 5
    few = count_queries(alice_client, url)

    more_people(35)
    assert len(alice_client.get(url).context["page"].items) == 40
    many = count_queries(alice_client, url)

    assert few == many


def test_the_person_page_shows_identities_memberships_and_owner(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, person_url(web_data, web_data.marie.pk))

    assert "<h1>Marie Dupont</h1>" in body
    assert "@mariedupont" in body
    assert "marie.dupont@example.fr" in body
    assert "Lumière Distribution" in body
    assert "Head of purchasing" in body
    assert '<span class="badge badge-role">Decision maker</span>' in body
    assert '<span class="badge stance-supporter">Supporter</span>' in body
    assert "Primary contact" in body
    assert "<dd>Alice</dd>" in body


def test_the_person_timeline_spans_every_channel_newest_first(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, person_url(web_data, web_data.marie.pk))

    note = body.index("Carrier says the parcel is stuck in Lyon.")
    reply = body.index("Merci, je regarde tout de suite.")
    inbound = body.index("Mon colis n&#x27;est jamais arrivé.")
    by_mail = body.index("Could I get my money back?")
    assert note < reply < inbound < by_mail
    assert '<span class="chan chan-email" title="Email · Support mailbox">' in body
    assert '<span class="chan chan-x" title="X · @maisonlumiere">' in body
    assert '<span class="badge direction-inbound">Inbound</span>' in body
    assert '<span class="badge direction-outbound">Outbound</span>' in body
    assert '<span class="badge direction-note">Internal note</span>' in body
    refund_link = reverse("web:conversation", args=[web_data.slug_a, web_data.refund.pk])
    assert f'href="{refund_link}#message-' in body
    assert "Pricing question" not in body


def test_the_timeline_loads_older_activity(web_data: WebData, alice_client: Client) -> None:
    convo = ConversationFactory.create(
        workspace=web_data.personas.workspace_a, channel=web_data.mail, person=web_data.paul
    )
    for n in range(40):
        MessageFactory.create(
            conversation=convo, text=f"note {n:02d}", sent_at=BASE_TIME + timedelta(minutes=n)
        )

    first = alice_client.get(person_url(web_data, web_data.paul.pk))
    body = first.content.decode()
    assert "note 39" in body
    assert "note 10" in body
    assert "note 09" not in body
    cursor = first.context["timeline"].next_cursor

    more = alice_client.get(
        person_url(web_data, web_data.paul.pk, f"cursor={cursor}"), headers=HTMX_MORE
    )

    assert more.templates[0].name == "web/people/_timeline.html"
    more_body = more.content.decode()
    assert more_body.index("note 09") < more_body.index("note 00")
    assert "note 10" not in more_body
    assert "Load older activity" not in more_body


def test_a_person_without_messages_says_so(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, person_url(web_data, web_data.lea.pk))

    assert "No messages with this person yet." in body
    assert "Not linked to any organisation." in body
    assert "Nobody yet" in body


def test_the_person_page_runs_the_same_number_of_queries_for_5_or_30_timeline_items(
    web_data: WebData, alice_client: Client
) -> None:
    def person_with_messages(count: int) -> int:
        convo = ConversationFactory.create(
            workspace=web_data.personas.workspace_a, channel=web_data.x
        )
        MessageFactory.create_batch(count, conversation=convo)
        assert convo.person_id is not None
        return convo.person_id

    few = count_queries(alice_client, person_url(web_data, person_with_messages(5)))
    many = count_queries(alice_client, person_url(web_data, person_with_messages(30)))

    assert few == many
