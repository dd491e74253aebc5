"""Matching inside the pipeline: a batch of posts becomes mentions of the right rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.channels.models import Channel, ChannelKind
from comptoir.inbox.models import Message
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate
from comptoir.listening.actions import do_create_rule
from comptoir.listening.matching import RuleSet, compile_rules
from comptoir.listening.models import ListeningRule, Mention
from comptoir.listening.query import read
from tests.conftest import Personas
from tests.factories import ChannelFactory


def post(n: int, text: str, **extra: Any) -> Candidate:
    payload: dict[str, Any] = {
        "external_id": f"p{n}",
        "created_at": f"2026-11-20T10:{n:02d}:00+00:00",
        "text": text,
        "author": {"kind": "x", "external_id": f"author-{n}", "handle": f"@author{n}"},
    }
    payload.update(extra)
    return Candidate(location=f"post {n}", payload=payload)


@pytest.fixture
def x(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a, kind=ChannelKind.X, name="X")


@pytest.fixture
def mastodon(personas: Personas) -> Channel:
    return ChannelFactory.create(
        workspace=personas.workspace_a, kind=ChannelKind.MASTODON, name="Mastodon"
    )


def caught(rule: ListeningRule) -> set[str | None]:
    return set(rule.mentions.values_list("message__external_id", flat=True))


def test_a_batch_of_posts_becomes_mentions_of_the_right_rules(
    personas: Personas, x: Channel
) -> None:
    a = personas.workspace_a
    brand = do_create_rule(a, name="Brand", query="@maisonlumiere OR #maisonlumiere")
    parcels = do_create_rule(a, name="Parcels", query='colis -"bien reçu"', languages=["fr"])
    lamps = do_create_rule(a, name="Lamps", query="lamp OR lampe")
    ingest(
        a,
        x,
        [
            post(1, "Mon colis n'est pas arrivé @MaisonLumiere"),
            post(2, "Colis bien reçu, merci !"),
            post(3, "Love my new lamp from #MaisonLumiere"),
            post(4, "Nothing to see here"),
        ],
    )
    assert caught(brand) == {"p1", "p3"}
    assert caught(parcels) == {"p1"}
    assert caught(lamps) == {"p3"}
    mention = Mention.objects.get(rule=brand, message__external_id="p1")
    message = Message.objects.get(external_id="p1")
    assert (mention.workspace_id, mention.channel_id, mention.language, mention.sent_at) == (
        a.pk,
        x.pk,
        "fr",
        message.sent_at,
    )


def test_private_messages_and_the_brands_own_posts_are_not_listened_to(
    personas: Personas, x: Channel
) -> None:
    rule = do_create_rule(personas.workspace_a, name="Parcels", query="colis")
    ingest(
        personas.workspace_a,
        x,
        [
            post(1, "Mon colis est perdu", visibility="private", kind="direct"),
            post(2, "Votre colis part demain", direction="outbound", author=None),
            post(3, "Où est mon colis ?"),
        ],
    )
    assert caught(rule) == {"p3"}


def test_language_and_channel_filters_narrow_a_rule(
    personas: Personas, x: Channel, mastodon: Channel
) -> None:
    a = personas.workspace_a
    french = do_create_rule(a, name="French", query="lumiere", languages=["fr"])
    on_mastodon = do_create_rule(a, name="Mastodon", query="lumiere", channel_kinds=["mastodon"])
    ingest(
        a, x, [post(1, "J'adore la maison Lumière, elle est belle"), post(2, "Lumiere is great")]
    )
    ingest(a, mastodon, [post(3, "Lumière, c'est vraiment chouette")])
    assert caught(french) == {"p1", "p3"}
    assert caught(on_mastodon) == {"p3"}


def test_inactive_rules_and_other_workspaces_rules_catch_nothing(
    personas: Personas, x: Channel
) -> None:
    paused = do_create_rule(personas.workspace_a, name="Paused", query="colis", is_active=False)
    theirs = do_create_rule(personas.workspace_b, name="Theirs", query="colis")
    ingest(personas.workspace_a, x, [post(1, "Mon colis")])
    assert caught(paused) == set()
    assert caught(theirs) == set()


def test_redelivery_adds_no_mention(personas: Personas, x: Channel) -> None:
    rule = do_create_rule(personas.workspace_a, name="Parcels", query="colis")
    batch = [post(1, "Mon colis"), post(2, "Un autre colis")]
    ingest(personas.workspace_a, x, batch)
    report = ingest(personas.workspace_a, x, batch)
    assert report.duplicates == 2
    assert rule.mentions.count() == 2


def test_matching_costs_the_same_queries_for_any_batch(personas: Personas, x: Channel) -> None:
    for n in range(20):
        do_create_rule(personas.workspace_a, name=f"Rule {n}", query=f"colis OR mot{n}")

    def batch(offset: int, size: int) -> list[Candidate]:
        return [post(offset + i, f"colis mot{i % 20}") for i in range(size)]

    with CaptureQueriesContext(connection) as small:
        ingest(personas.workspace_a, x, batch(0, 3))
    with CaptureQueriesContext(connection) as large:
        ingest(personas.workspace_a, x, batch(10, 40))
    assert len(large.captured_queries) <= len(small.captured_queries) + 2
    assert Mention.objects.count() == (3 + 40) * 20  # every rule wants "colis"


def test_a_rule_set_asks_only_the_rules_a_text_may_match() -> None:
    rules = compile_rules(
        [
            ListeningRule(pk=1, query="colis perdu"),
            ListeningRule(pk=2, query="-spam"),
            ListeningRule(pk=3, query="lampe", languages=["fr"]),
            ListeningRule(pk=4, query="(broken"),  # saved before a change of the language
        ]
    )
    assert isinstance(rules, RuleSet)
    assert sorted(rules.match(read("colis perdu, lampe cassée"), "fr", "x")) == [1, 2, 3]
    assert sorted(rules.match(read("colis perdu, lampe cassée"), "en", "x")) == [1, 2]
    assert rules.match(read("du spam"), "fr", "x") == []
