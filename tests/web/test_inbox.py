"""The inbox list (filters, pagination, query counts) and the conversation page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.inbox.models import Direction, MessageKind
from comptoir.workspaces.models import Seat
from tests.factories import BASE_TIME, ConversationFactory, MessageFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_MORE, HTMX_RESULTS, count_queries, html, page_pks, walk_pages


def inbox_url(data: WebData, query: str = "") -> str:
    return reverse("web:inbox", args=[data.slug_a]) + (f"?{query}" if query else "")


def conversation_url(data: WebData, pk: int, query: str = "") -> str:
    return reverse("web:conversation", args=[data.slug_a, pk]) + (f"?{query}" if query else "")


def test_the_inbox_lists_conversations_by_latest_activity(
    web_data: WebData, alice_client: Client
) -> None:
    pks, cursor = page_pks(alice_client, inbox_url(web_data))

    assert pks == [web_data.lost_parcel.pk, web_data.refund.pk, web_data.pricing.pk]
    assert cursor is None


def test_an_inbox_row_shows_what_an_agent_needs(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, inbox_url(web_data, "status=open"))

    assert "Marie Dupont" in body
    assert "@mariedupont" in body
    assert '<span class="chan chan-x" title="X · @maisonlumiere">' in body
    assert "Colis perdu" in body
    assert "Merci, je regarde tout de suite." in body
    assert '<span class="badge status-open">Open</span>' in body
    assert '<td class="col-assignee">Alice</td>' in body
    assert '<td class="num">3</td>' in body
    assert f'href="{conversation_url(web_data, web_data.lost_parcel.pk)}"' in body
    assert "ago</time>" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=open", ["lost_parcel"]),
        ("status=pending", ["pricing"]),
        ("status=resolved", ["refund"]),
        ("status=closed", []),
        ("channel={mail}", ["refund", "pricing"]),
        ("channel={x}", ["lost_parcel"]),
        ("assignee={alice}", ["lost_parcel"]),
        ("assignee={bob}", ["pricing"]),
        ("assignee=none", ["refund"]),
        ("language=fr", ["lost_parcel"]),
        ("language=en", ["refund", "pricing"]),
        ("status=resolved&channel={mail}&assignee=none&language=en", ["refund"]),
        ("status=open&channel={mail}", []),
    ],
)
def test_inbox_filters(
    query: str, expected: list[str], web_data: WebData, alice_client: Client
) -> None:
    query = query.format(
        mail=web_data.mail.pk,
        x=web_data.x.pk,
        alice=web_data.personas.alice.pk,
        bob=web_data.personas.bob.pk,
    )

    pks, _ = page_pks(alice_client, inbox_url(web_data, query))

    assert pks == [getattr(web_data, name).pk for name in expected]


def test_filters_swap_only_the_results_with_htmx(web_data: WebData, alice_client: Client) -> None:
    response = alice_client.get(inbox_url(web_data, "status=pending"), headers=HTMX_RESULTS)

    body = response.content.decode()
    assert response.templates[0].name == "web/inbox/_results.html"
    assert "<html" not in body
    assert "Pricing question" in body
    assert "Colis perdu" not in body
    assert "HX-Request" in response["Vary"]


def test_the_address_bar_keeps_only_the_filters_in_use(
    web_data: WebData, alice_client: Client
) -> None:
    url = inbox_url(web_data, "status=pending&channel=&assignee=&language=en")

    response = alice_client.get(url, headers=HTMX_RESULTS)

    assert response["HX-Push-Url"] == inbox_url(web_data, "status=pending&language=en")
    cleared = alice_client.get(inbox_url(web_data, "status=&channel="), headers=HTMX_RESULTS)
    assert cleared["HX-Push-Url"] == inbox_url(web_data)


def test_a_history_restore_gets_the_whole_page(web_data: WebData, alice_client: Client) -> None:
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}

    body = html(alice_client, inbox_url(web_data, "status=pending"), headers=headers)

    assert "<html" in body


def test_filters_that_match_nothing_say_so_and_offer_to_clear_them(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, inbox_url(web_data, "status=closed"), headers=HTMX_RESULTS)

    assert "No conversations match these filters" in body
    assert f'<a class="button" href="{inbox_url(web_data)}">Clear filters</a>' in body


def test_an_empty_inbox_says_what_to_do(web_data: WebData, charlie_client: Client) -> None:
    web_data.secret_conversation.delete()

    body = html(charlie_client, reverse("web:inbox", args=[web_data.slug_b]))

    assert "No conversations yet" in body
    assert "Clear filters" not in body


def test_unknown_filter_values_are_ignored(web_data: WebData, alice_client: Client) -> None:
    pks, _ = page_pks(alice_client, inbox_url(web_data, "status=lost&channel=abc&language=fr"))

    assert pks == [web_data.lost_parcel.pk]


def test_the_filter_form_offers_the_workspace_channels_and_seats(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, inbox_url(web_data))

    assert f'<option value="{web_data.mail.pk}">Support mailbox</option>' in body
    assert f'<option value="{web_data.personas.alice.pk}">Alice</option>' in body
    assert '<option value="none">Unassigned</option>' in body
    assert "B inbox" not in body
    assert f'<option value="{web_data.personas.charlie.pk}">' not in body


def test_cursor_pagination_walks_the_whole_inbox_without_duplicates(
    web_data: WebData, alice_client: Client
) -> None:
    ConversationFactory.create_batch(
        60, workspace=web_data.personas.workspace_a, channel=web_data.x
    )

    pages = walk_pages(alice_client, inbox_url(web_data))

    assert [len(page) for page in pages] == [50, 13]
    assert len({pk for page in pages for pk in page}) == 63


def test_load_more_keeps_the_filters_and_appends_rows(
    web_data: WebData, alice_client: Client
) -> None:
    ConversationFactory.create_batch(
        55, workspace=web_data.personas.workspace_a, channel=web_data.mail, language="en"
    )
    first = alice_client.get(inbox_url(web_data, "language=en"))
    cursor = first.context["page"].next_cursor
    assert f"?language=en&amp;cursor={cursor}" in first.content.decode()

    more = alice_client.get(inbox_url(web_data, f"language=en&cursor={cursor}"), headers=HTMX_MORE)

    assert more.templates[0].name == "web/inbox/_page.html"
    body = more.content.decode()
    assert body.lstrip().startswith("<tbody>")
    assert len(more.context["page"].items) == 7
    assert "Colis perdu" not in body
    assert "Load more conversations" not in body


@pytest.mark.parametrize("cursor", ["garbage", "WyJ4Il0", "WzEsIDJd"])
def test_an_invalid_cursor_is_a_400_that_says_so(
    cursor: str, web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, inbox_url(web_data, f"cursor={cursor}"), status=400)

    assert "The link to this page of results is damaged or out of date" in body


def test_the_inbox_runs_the_same_number_of_queries_for_5_or_40_rows(
    web_data: WebData, alice_client: Client
) -> None:
    workspace = web_data.personas.workspace_a
    ConversationFactory.create_batch(2, workspace=workspace, channel=web_data.x)
    url = inbox_url(web_data)
    assert len(alice_client.get(url).context["page"].items) == 5
    few = count_queries(alice_client, url)

    ConversationFactory.create_batch(
        35, workspace=workspace, channel=web_data.mail, assignee=web_data.personas.bob
    )
    assert len(alice_client.get(url).context["page"].items) == 40
    many = count_queries(alice_client, url)

    assert few == many
    assert count_queries(alice_client, url, headers=HTMX_RESULTS) < many


def test_the_conversation_shows_the_thread_oldest_first(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, conversation_url(web_data, web_data.lost_parcel.pk))

    first = body.index("Mon colis n&#x27;est jamais arrivé.")
    second = body.index("Merci, je regarde tout de suite.</div>")
    third = body.index("Carrier says the parcel is stuck in Lyon.")
    assert first < second < third
    assert '<article class="msg msg-inbound"' in body
    assert '<article class="msg msg-outbound"' in body
    assert '<article class="msg msg-note"' in body
    assert '<span class="badge visibility-public">Public</span>' in body
    assert '<span class="badge badge-note">Internal note</span>' in body
    assert "Show older messages" not in body


def test_an_inbound_author_shows_name_and_handle(web_data: WebData, alice_client: Client) -> None:
    identity = web_data.lost_parcel.identity
    assert identity is not None
    identity.display_name = "Marie D."
    identity.save()

    body = html(alice_client, conversation_url(web_data, web_data.lost_parcel.pk))

    assert 'Marie D. <span class="msg-handle">@mariedupont</span>' in body


def test_attachments_are_listed_by_name(web_data: WebData, alice_client: Client) -> None:
    MessageFactory.create(
        conversation=web_data.refund,
        attachments=[{"name": "receipt.pdf", "size": 1200}, {"filename": "photo.jpg"}, {}],
    )

    body = html(alice_client, conversation_url(web_data, web_data.refund.pk))

    assert "</svg> receipt.pdf</li>" in body
    assert "</svg> photo.jpg</li>" in body
    assert "</svg> Attachment</li>" in body


def test_only_web_links_are_rendered(web_data: WebData, alice_client: Client) -> None:
    MessageFactory.create(conversation=web_data.refund, url="https://x.test/status/1")
    MessageFactory.create(conversation=web_data.refund, url="javascript:alert(1)")
    identity = web_data.marie.identities.get(kind="x")
    identity.profile_url = "javascript:alert(2)"
    identity.save()

    body = html(alice_client, conversation_url(web_data, web_data.refund.pk))

    assert 'href="https://x.test/status/1"' in body
    assert "javascript:" not in body
    assert body.count("View on the network") == 1


def test_the_conversation_sidebar_is_about_the_person(
    web_data: WebData, alice_client: Client
) -> None:
    body = html(alice_client, conversation_url(web_data, web_data.lost_parcel.pk))

    assert f'href="{reverse("web:person", args=[web_data.slug_a, web_data.marie.pk])}"' in body
    assert "@mariedupont" in body
    assert "marie.dupont@example.fr" in body
    assert '<span class="badge stage-customer">Customer</span>' in body
    assert "Lumière Distribution" in body
    assert "Head of purchasing" in body
    assert '<span class="badge badge-role">Decision maker</span>' in body
    assert '<span class="badge stance-supporter">Supporter</span>' in body
    # Relationship owner, then the same person's conversation on another channel.
    assert "<dd>Alice</dd>" in body
    assert "Recent activity on other conversations" in body
    assert f'href="{conversation_url(web_data, web_data.refund.pk)}">Refund request</a>' in body


def test_a_conversation_without_a_person_says_so(web_data: WebData, alice_client: Client) -> None:
    orphan = ConversationFactory.create(
        workspace=web_data.personas.workspace_a,
        channel=web_data.mail,
        person=None,
        identity=None,
        subject="Who wrote this?",
    )

    body = html(alice_client, conversation_url(web_data, orphan.pk))

    assert "This conversation is not linked to a person yet" in body
    assert "No messages in this conversation yet." in body


def _long_thread(data: WebData, count: int, author: Seat) -> int:
    convo = ConversationFactory.create(
        workspace=data.personas.workspace_a, channel=data.x, person=data.paul
    )
    for n in range(count):
        outbound = n % 2 == 1
        MessageFactory.create(
            conversation=convo,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
            kind=MessageKind.REPLY,
            author_identity=None if outbound else convo.identity,
            author_seat=author if outbound else None,
            text=f"line {n:03d}",
            sent_at=BASE_TIME + timedelta(minutes=n),
        )
    return convo.pk


def test_a_long_thread_shows_the_latest_50_and_loads_older_ones(
    web_data: WebData, alice_client: Client
) -> None:
    pk = _long_thread(web_data, 60, web_data.personas.alice)

    page = alice_client.get(conversation_url(web_data, pk))
    body = page.content.decode()
    assert "line 009" not in body
    assert body.index("line 010") < body.index("line 059")
    cursor = page.context["older_cursor"]
    assert f'hx-get="?cursor={cursor}"' in body

    older = alice_client.get(conversation_url(web_data, pk, f"cursor={cursor}"), headers=HTMX_MORE)

    assert older.templates[0].name == "web/inbox/_thread.html"
    older_body = older.content.decode()
    assert older_body.index("line 000") < older_body.index("line 009")
    assert "line 010" not in older_body
    assert "Show older messages" not in older_body


def test_an_invalid_thread_cursor_is_a_400(web_data: WebData, alice_client: Client) -> None:
    url = conversation_url(web_data, web_data.lost_parcel.pk, "cursor=nonsense")

    body = html(alice_client, url, status=400)

    assert "damaged or out of date" in body


def test_the_conversation_page_runs_the_same_number_of_queries_for_5_or_40_messages(
    web_data: WebData, alice_client: Client
) -> None:
    short = _long_thread(web_data, 5, web_data.personas.alice)
    long = _long_thread(web_data, 40, web_data.personas.bob)

    few = count_queries(alice_client, conversation_url(web_data, short))
    many = count_queries(alice_client, conversation_url(web_data, long))

    assert few == many
