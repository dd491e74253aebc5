"""The Listening page: the stream with its filters and chart, and the rules' management."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.inbox.models import Message, Sentiment
from comptoir.listening.actions import do_create_rule
from comptoir.listening.models import ListeningRule, Mention
from comptoir.workspaces.models import Event
from tests.factories import MessageFactory
from tests.web.conftest import WebData
from tests.web.helpers import HTMX_RESULTS, count_queries, html, page_pks


@dataclass
class Listening:
    data: WebData
    parcels: ListeningRule  # "colis", caught Marie's French post on X
    refunds: ListeningRule  # "money", caught the English email (forced: it is private)
    parcel_mention: Mention
    refund_mention: Mention
    secret_rule: ListeningRule  # workspace B's


def mention(rule: ListeningRule, message: Message, *, hours_ago: float | None = None) -> Mention:
    sent_at = message.sent_at if hours_ago is None else timezone.now() - timedelta(hours=hours_ago)
    return Mention.objects.create(
        workspace_id=rule.workspace_id,
        rule=rule,
        message=message,
        channel_id=message.channel_id,
        language=message.language,
        sent_at=sent_at,
    )


@pytest.fixture
def listening(web_data: WebData) -> Listening:
    a, b = web_data.personas.workspace_a, web_data.personas.workspace_b
    parcels = do_create_rule(a, name="Parcels", query="colis")
    refunds = do_create_rule(a, name="Refunds", query="money OR refund")
    post = Message.objects.get(text="Mon colis n'est jamais arrivé.")
    Message.objects.filter(pk=post.pk).update(language="fr", sentiment_label=Sentiment.NEGATIVE)
    post.refresh_from_db()
    email = Message.objects.get(text="Could I get my money back?")
    Message.objects.filter(pk=email.pk).update(language="en")
    email.refresh_from_db()
    secret_rule = do_create_rule(b, name="Secret rule", query="confidential")
    mention(secret_rule, Message.objects.get(text="Confidential figures"))
    return Listening(
        web_data,
        parcels,
        refunds,
        mention(parcels, post),
        mention(refunds, email),
        secret_rule,
    )


def stream_url(data: WebData, query: str = "") -> str:
    return reverse("web:listening", args=[data.slug_a]) + (f"?{query}" if query else "")


def rules_url(data: WebData) -> str:
    return reverse("web:listening_rules", args=[data.slug_a])


def test_the_stream_shows_mentions_newest_first(listening: Listening, alice_client: Client) -> None:
    data = listening.data
    pks, cursor = page_pks(alice_client, stream_url(data))
    assert pks == [listening.parcel_mention.pk, listening.refund_mention.pk]
    assert cursor is None
    body = html(alice_client, stream_url(data))
    assert "Mon colis n&#x27;est jamais arrivé." in body
    assert "@mariedupont" in body
    assert 'class="badge sentiment-negative"' in body
    assert "Secret" not in body
    assert "Confidential" not in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rule={parcels}", ["parcel"]),
        ("channel={mail}", ["refund"]),
        ("language=en", ["refund"]),
        ("sentiment=negative", ["parcel"]),
        ("sentiment=positive", []),
        ("rule={secret}", ["parcel", "refund"]),  # another workspace's rule is no filter
    ],
)
def test_stream_filters(
    listening: Listening, alice_client: Client, query: str, expected: list[str]
) -> None:
    data = listening.data
    url = stream_url(
        data,
        query.format(
            parcels=listening.parcels.pk, mail=data.mail.pk, secret=listening.secret_rule.pk
        ),
    )
    named = {"parcel": listening.parcel_mention.pk, "refund": listening.refund_mention.pk}
    assert page_pks(alice_client, url)[0] == [named[n] for n in expected]


def test_filters_swap_only_the_results(listening: Listening, alice_client: Client) -> None:
    body = html(alice_client, stream_url(listening.data, "language=fr"), headers=HTMX_RESULTS)
    assert "<html" not in body
    assert "Mon colis" in body
    assert "volume-bars" not in body
    # A history restore after a reload wants the whole page, chart included.
    restored = {**HTMX_RESULTS, "HX-History-Restore-Request": "true"}
    assert "volume-bars" in html(alice_client, stream_url(listening.data), headers=restored)


def test_the_chart_counts_mentions_per_rule_per_hour(
    listening: Listening, alice_client: Client
) -> None:
    extra = MessageFactory.create(conversation=listening.data.lost_parcel)
    more = MessageFactory.create(conversation=listening.data.lost_parcel)
    mention(listening.parcels, extra, hours_ago=0)
    mention(listening.parcels, more, hours_ago=0)
    response = alice_client.get(stream_url(listening.data))
    rows = {row.rule.name: row for row in response.context["chart"]}
    assert list(rows) == ["Parcels", "Refunds"]
    parcels = rows["Parcels"]
    assert len(parcels.bars) == 48
    assert (parcels.total, parcels.bars[-1].count, parcels.bars[-1].height) == (2, 2, 36)
    body = response.content.decode()
    assert body.count("<rect ") == 1
    assert "2 mentions</title>" in body


def test_the_stream_costs_the_same_queries_for_2_or_40_mentions(
    listening: Listening, alice_client: Client
) -> None:
    url = stream_url(listening.data)
    few = count_queries(alice_client, url)
    for n in range(38):
        extra = MessageFactory.create(conversation=listening.data.lost_parcel, text=f"colis {n}")
        mention(listening.parcels, extra)
    assert len(alice_client.get(url).context["page"].items) == 40
    assert count_queries(alice_client, url) == few


def test_charlie_never_sees_the_listening_of_a(
    listening: Listening, charlie_client: Client
) -> None:
    data = listening.data
    assert charlie_client.get(stream_url(data)).status_code == 404
    assert charlie_client.get(rules_url(data)).status_code == 404
    edit = reverse("web:listening_rule", args=[data.slug_b, listening.parcels.pk])
    assert charlie_client.get(edit).status_code == 404
    delete = reverse("web:listening_rule_delete", args=[data.slug_b, listening.parcels.pk])
    assert charlie_client.post(delete).status_code == 404
    body = html(charlie_client, reverse("web:listening", args=[data.slug_b]))
    assert "Confidential figures" in body
    assert "Parcels" not in body
    assert "Mon colis" not in body
    assert ListeningRule.objects.filter(pk=listening.parcels.pk).exists()


def test_a_manager_adds_a_rule(listening: Listening, bob_client: Client) -> None:
    response = bob_client.post(
        rules_url(listening.data),
        {"name": "Brand", "query": "@maisonlumiere OR #lumiere", "languages": ["fr"]},
    )
    assert response.status_code == 302
    rule = ListeningRule.objects.get(name="Brand")
    assert (rule.query, rule.languages, rule.channel_kinds, rule.is_active) == (
        "@maisonlumiere OR #lumiere",
        ["fr"],
        [],
        False,  # an unticked box
    )
    event = Event.objects.get(verb="listening.rule_created", subject_id=rule.pk)
    assert event.actor == listening.data.personas.bob


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(colis OR lampe", "An opening parenthesis is not closed."),
        ('"colis perdu', "A quotation mark is not closed."),
        ("   ", "This field is required."),
    ],
)
def test_a_bad_query_is_a_form_error(
    listening: Listening, bob_client: Client, query: str, message: str
) -> None:
    response = bob_client.post(rules_url(listening.data), {"name": "Bad", "query": query})
    assert response.status_code == 200
    assert response.context["form"].errors == {"query": [message]}
    assert message in response.content.decode()
    assert not ListeningRule.objects.filter(name="Bad").exists()


def test_a_manager_edits_and_deletes_a_rule(listening: Listening, bob_client: Client) -> None:
    data = listening.data
    edit = reverse("web:listening_rule", args=[data.slug_a, listening.parcels.pk])
    assert 'value="Parcels"' in html(bob_client, edit)
    response = bob_client.post(
        edit,
        {"name": "Parcels", "query": "colis -merci", "channel_kinds": ["x"], "is_active": "on"},
    )
    assert response.status_code == 302
    listening.parcels.refresh_from_db()
    assert (listening.parcels.query, listening.parcels.channel_kinds) == ("colis -merci", ["x"])
    bad = bob_client.post(edit, {"name": "Parcels", "query": "colis)"})
    assert bad.context["form"].errors == {"query": ["A closing parenthesis has no opening one."]}
    delete = reverse("web:listening_rule_delete", args=[data.slug_a, listening.parcels.pk])
    assert bob_client.post(delete).status_code == 302
    assert not ListeningRule.objects.filter(pk=listening.parcels.pk).exists()
    assert not Mention.objects.filter(pk=listening.parcel_mention.pk).exists()
    assert Message.objects.filter(text="Mon colis n'est jamais arrivé.").exists()


def test_an_agent_reads_the_rules_but_cannot_change_them(
    listening: Listening, alice_client: Client
) -> None:
    data = listening.data
    body = html(alice_client, rules_url(data))
    assert '<code class="rule-query">money OR refund</code>' in body
    assert "Add the rule" not in body
    assert alice_client.post(rules_url(data), {"name": "N", "query": "q"}).status_code == 403
    edit = reverse("web:listening_rule", args=[data.slug_a, listening.parcels.pk])
    assert alice_client.get(edit).status_code == 403
    delete = reverse("web:listening_rule_delete", args=[data.slug_a, listening.parcels.pk])
    assert alice_client.post(delete).status_code == 403
    assert ListeningRule.objects.filter(workspace=data.personas.workspace_a).count() == 2
