"""The readings in the inbox: badges on the list and on each message, and the sentiment and
urgency filters (in the web inbox and the API), scoped to the seat's workspace."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.inbox.models import Conversation, Message
from tests.api.conftest import ApiClient, token_for
from tests.factories import ConversationFactory
from tests.web.conftest import WebData
from tests.web.helpers import count_queries, html, page_pks


def inbox_url(data: WebData, query: str = "") -> str:
    return reverse("web:inbox", args=[data.slug_a]) + (f"?{query}" if query else "")


def _read(data: WebData) -> None:
    """Readings as the pipeline stores them: the lost parcel is an urgent complaint, the
    refund a neutral after-sales request, the pricing question a positive one."""
    Conversation.objects.filter(pk=data.lost_parcel.pk).update(
        sentiment="negative", urgency="urgent"
    )
    Conversation.objects.filter(pk=data.refund.pk).update(sentiment="neutral", urgency="normal")
    Conversation.objects.filter(pk=data.pricing.pk).update(sentiment="positive", urgency="low")
    Conversation.objects.filter(pk=data.secret_conversation.pk).update(
        sentiment="negative", urgency="urgent"
    )
    Message.objects.filter(conversation=data.lost_parcel, direction="inbound").update(
        sentiment_label="negative",
        sentiment_score=-0.8,
        intents={"after_sales": 0.97, "complaint": 0.8},
        urgency="urgent",
        urgency_reasons=["churn_threat", "public_complaint"],
    )


@pytest.fixture
def read(web_data: WebData) -> WebData:
    _read(web_data)
    return web_data


def test_inbox_rows_show_the_sentiment_and_a_high_urgency(
    read: WebData, alice_client: Client
) -> None:
    body = html(alice_client, inbox_url(read))

    assert 'class="sentiment-dot sentiment-negative" title="Sentiment: Negative"' in body
    assert 'class="sentiment-dot sentiment-positive"' in body
    assert '<span class="badge badge-sm urgency-urgent">Urgent</span>' in body
    # Low and normal urgencies are not worth a badge in the list.
    assert "urgency-low" not in body
    assert "urgency-normal" not in body


def test_rows_without_readings_show_no_badges(web_data: WebData, alice_client: Client) -> None:
    body = html(alice_client, inbox_url(web_data))

    assert "sentiment-dot" not in body
    assert "urgency-" not in body


def test_each_message_shows_its_sentiment_intents_and_urgency_with_reasons(
    read: WebData, alice_client: Client
) -> None:
    url = reverse("web:conversation", args=[read.slug_a, read.lost_parcel.pk])
    body = html(alice_client, url)

    assert '<span class="badge sentiment-negative" title="Sentiment">Negative</span>' in body
    assert (
        '<span class="badge urgency-urgent" title="Urgency because of a threat to leave, '
        'a public complaint">Urgency: Urgent</span>'
    ) in body
    assert (
        '<span class="intent-chip">After-sales</span><span class="intent-chip">Complaint</span>'
        in body
    )
    # The conversation's roll-up heads the page.
    assert "Sentiment: Negative</span>" in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sentiment=negative", ["lost_parcel"]),
        ("sentiment=positive", ["pricing"]),
        ("urgency=urgent", ["lost_parcel"]),
        ("urgency=normal", ["refund"]),
        ("urgency=high", []),
        ("urgency=high%2B", ["lost_parcel"]),
        ("sentiment=neutral&language=en", ["refund"]),
        ("sentiment=bogus", ["lost_parcel", "refund", "pricing"]),
    ],
)
def test_filters_by_sentiment_and_urgency(
    query: str, expected: list[str], read: WebData, alice_client: Client
) -> None:
    pks, _ = page_pks(alice_client, inbox_url(read, query))

    assert pks == [getattr(read, name).pk for name in expected]


def test_the_filter_form_offers_sentiment_and_urgency(read: WebData, alice_client: Client) -> None:
    body = html(alice_client, inbox_url(read))

    assert '<option value="negative">Negative</option>' in body
    assert '<option value="high+">High or urgent</option>' in body


def test_the_filters_never_reach_another_workspace(
    read: WebData, alice_client: Client, charlie_client: Client
) -> None:
    pks, _ = page_pks(alice_client, inbox_url(read, "sentiment=negative&urgency=urgent"))
    assert read.secret_conversation.pk not in pks

    url = reverse("web:inbox", args=[read.slug_b]) + "?urgency=urgent"
    pks, _ = page_pks(charlie_client, url)
    assert pks == [read.secret_conversation.pk]
    body = html(charlie_client, url)
    assert "Colis perdu" not in body
    # Alice cannot open workspace B's inbox, filtered or not.
    assert alice_client.get(url).status_code == 404


def test_badges_keep_the_inbox_query_count_constant(read: WebData, alice_client: Client) -> None:
    workspace = read.personas.workspace_a
    url = inbox_url(read)
    few = count_queries(alice_client, url)

    ConversationFactory.create_batch(
        30, workspace=workspace, channel=read.mail, sentiment="negative", urgency="high"
    )
    assert len(alice_client.get(url).context["page"].items) == 33
    assert count_queries(alice_client, url) == few


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"urgency": "urgent"}, ["lost_parcel"]),
        ({"sentiment": "positive"}, ["pricing"]),
        ({"sentiment": "neutral", "urgency": "normal"}, ["refund"]),
    ],
)
def test_the_api_filters_by_sentiment_and_urgency(
    read: WebData, params: dict[str, str], expected: list[str]
) -> None:
    api = ApiClient(token_for(read.personas.alice))

    rows = api.walk("/conversations", params)

    assert [row["id"] for row in rows] == [getattr(read, name).pk for name in expected]


def test_the_api_refuses_an_unknown_urgency(read: WebData) -> None:
    api = ApiClient(token_for(read.personas.alice))

    assert api.get("/conversations", {"urgency": "panic"}).status_code == 400
