"""Listening over the API: rules (written by channel managers), mentions, volume, and
channel health. Charlie, in B, never sees or touches A's."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django.utils import timezone

from comptoir.channels.models import ChannelStatus
from comptoir.inbox.models import Message, Sentiment
from comptoir.listening.models import ListeningRule, Mention
from comptoir.workspaces.models import Event
from tests.api.conftest import ApiClient, World, ids, token_for
from tests.conftest import Personas
from tests.factories import ChannelFactory, MessageFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response


def send(api: ApiClient, method: str, path: str, body: Any = None) -> Response:
    call = getattr(Client(), method)
    response: Response = call(
        f"/api/v1{path}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"authorization": f"Bearer {api.token}"},
    )
    return response


@pytest.fixture
def bob_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.bob))


def test_a_manager_creates_edits_and_deletes_a_rule(
    world: World, bob_api: ApiClient, personas: Personas
) -> None:
    created = send(
        bob_api,
        "post",
        "/listening/rules",
        {"name": "Brand", "query": "@maisonlumiere OR #maisonlumiere", "languages": ["fr"]},
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert {k: rule[k] for k in ("name", "query", "languages", "channel_kinds", "is_active")} == {
        "name": "Brand",
        "query": "@maisonlumiere OR #maisonlumiere",
        "languages": ["fr"],
        "channel_kinds": [],
        "is_active": True,
    }
    patched = send(
        bob_api,
        "patch",
        f"/listening/rules/{rule['id']}",
        {"channel_kinds": ["x", "mastodon"], "is_active": False},
    )
    assert patched.status_code == 200, patched.content
    assert (patched.json()["channel_kinds"], patched.json()["is_active"]) == (
        ["mastodon", "x"],
        False,
    )
    assert bob_api.ok(f"/listening/rules/{rule['id']}")["query"] == rule["query"]
    deleted = send(bob_api, "delete", f"/listening/rules/{rule['id']}")
    assert deleted.status_code == 204
    assert not ListeningRule.objects.filter(pk=rule["id"]).exists()
    verbs = Event.objects.filter(subject_type="listening_rule", subject_id=rule["id"])
    assert sorted(verbs.values_list("verb", flat=True)) == [
        "listening.rule_created",
        "listening.rule_deleted",
        "listening.rule_updated",
    ]
    assert set(verbs.values_list("actor_id", flat=True)) == {personas.bob.pk}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(colis", "An opening parenthesis is not closed."),
        ("", "The query is empty: write at least one term."),
    ],
)
def test_a_bad_query_is_refused_with_its_reason(
    world: World, bob_api: ApiClient, query: str, message: str
) -> None:
    response = send(bob_api, "post", "/listening/rules", {"name": "Bad", "query": query})
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "message": message, "details": {"query": [message]}}
    }
    patched = send(bob_api, "patch", f"/listening/rules/{world.a.rule.pk}", {"query": query})
    assert patched.status_code == 400
    assert patched.json()["error"]["message"] == message
    world.a.rule.refresh_from_db()
    assert world.a.rule.query == "ship OR livraison"


def test_a_rule_name_is_unique_in_its_workspace(world: World, bob_api: ApiClient) -> None:
    response = send(bob_api, "post", "/listening/rules", {"name": "Shipping a", "query": "x"})
    assert response.status_code == 400
    # The same name in another workspace is no conflict.
    assert world.b.rule.name == "Shipping b"


def test_an_agent_reads_rules_but_cannot_write_them(world: World, alice_api: ApiClient) -> None:
    assert ids(alice_api.ok("/listening/rules")["items"]) == [world.a.rule.pk]
    url = f"/listening/rules/{world.a.rule.pk}"
    assert (
        send(alice_api, "post", "/listening/rules", {"name": "N", "query": "q"}).status_code == 403
    )
    assert send(alice_api, "patch", url, {"name": "Renamed"}).status_code == 403
    assert send(alice_api, "delete", url).status_code == 403
    assert ListeningRule.objects.get(pk=world.a.rule.pk).name == "Shipping a"


def test_charlie_cannot_touch_a_rule_of_a(world: World, charlie_api: ApiClient) -> None:
    url = f"/listening/rules/{world.a.rule.pk}"
    assert send(charlie_api, "patch", url, {"name": "Mine"}).status_code == 404
    assert send(charlie_api, "delete", url).status_code == 404
    assert ListeningRule.objects.get(pk=world.a.rule.pk).name == "Shipping a"
    mentions = charlie_api.ok("/listening/mentions", {"rule": world.a.rule.pk})["items"]
    assert mentions == []


def test_a_mention_shows_the_post_and_its_rule(world: World, alice_api: ApiClient) -> None:
    [item] = alice_api.ok("/listening/mentions")["items"]
    post = Message.objects.get(mentions=world.a.mention)
    assert item == {
        "id": world.a.mention.pk,
        "rule": {"id": world.a.rule.pk, "name": "Shipping a"},
        "channel": {"id": world.a.x.pk, "kind": "x", "name": "X a"},
        "message_id": post.pk,
        "conversation_id": world.a.question.pk,
        "text": "Do you ship to Canada?",
        "url": "",
        "author": "@mdupont",
        "language": None,
        "sentiment": None,
        "sent_at": item["sent_at"],
        "matched_at": item["matched_at"],
    }


def test_mentions_are_filtered(world: World, alice_api: ApiClient, personas: Personas) -> None:
    a = world.a
    other_rule = ListeningRule.objects.create(workspace=personas.workspace_a, name="O", query="o")
    post = Message.objects.get(mentions=a.mention)
    post.sentiment_label = Sentiment.NEGATIVE
    post.save(update_fields=["sentiment_label"])
    Mention.objects.filter(pk=a.mention.pk).update(language="en")
    extra = Mention.objects.create(
        workspace=personas.workspace_a,
        rule=other_rule,
        message=a.inbound,
        channel=a.email,
        language="fr",
        sent_at=a.inbound.sent_at,
    )

    def listed(**params: Any) -> list[int]:
        return ids(alice_api.walk("/listening/mentions", params))

    assert listed() == [a.mention.pk, extra.pk]  # newest first
    assert listed(rule=a.rule.pk) == [a.mention.pk]
    assert listed(channel=a.email.pk) == [extra.pk]
    assert listed(language="fr") == [extra.pk]
    assert listed(sentiment="negative") == [a.mention.pk]
    assert listed(sentiment="positive") == []
    assert alice_api.get("/listening/mentions", {"sentiment": "furious"}).status_code == 400


def test_the_mention_list_costs_the_same_queries_for_any_page(
    world: World, alice_api: ApiClient, personas: Personas
) -> None:
    a = world.a
    few = alice_api.queries_for("/listening/mentions", rows=1)
    for n in range(15):
        message = MessageFactory.create(conversation=a.question, text=f"ship {n}")
        Mention.objects.create(
            workspace=personas.workspace_a,
            rule=a.rule,
            message=message,
            channel=a.x,
            sent_at=message.sent_at,
        )
    assert alice_api.queries_for("/listening/mentions", rows=16) == few


def test_volume_counts_mentions_per_rule_per_hour(
    world: World, alice_api: ApiClient, charlie_api: ApiClient, personas: Personas
) -> None:
    a = world.a
    now = timezone.now()
    for hours_ago in (0, 0, 2, 30, 60):  # the last is outside the 48 hours
        message = MessageFactory.create(conversation=a.question)
        Mention.objects.create(
            workspace=personas.workspace_a,
            rule=a.rule,
            message=message,
            channel=a.x,
            sent_at=now - timedelta(hours=hours_ago),
        )
    body = alice_api.ok("/listening/volume")
    assert len(body["hours"]) == 48
    [series] = body["series"]
    assert series["rule"] == {"id": a.rule.pk, "name": "Shipping a"}
    assert (series["counts"][-1], series["counts"][-3], series["counts"][-31]) == (2, 1, 1)
    assert series["total"] == 4
    assert len(alice_api.ok("/listening/volume", {"hours": 6})["series"][0]["counts"]) == 6
    assert alice_api.get("/listening/volume", {"hours": 0}).status_code == 400
    [theirs] = charlie_api.ok("/listening/volume")["series"]
    assert (theirs["rule"]["id"], theirs["total"]) == (world.b.rule.pk, 0)


def test_channel_health_flags_silent_and_failing_channels(
    world: World, alice_api: ApiClient, charlie_api: ApiClient, personas: Personas
) -> None:
    now = timezone.now()
    a = world.a
    a.email.last_received_at = now - timedelta(minutes=5)
    a.email.save(update_fields=["last_received_at"])
    a.x.last_received_at = now - timedelta(hours=2)
    a.x.consecutive_failures = 3
    a.x.status = ChannelStatus.FAILING
    a.x.last_error = "401 Unauthorized"
    a.x.last_error_at = now
    a.x.save()
    hook = ChannelFactory.create(workspace=personas.workspace_a, kind="webhook", name="Shop")
    hook.last_received_at = now - timedelta(hours=1)
    hook.save(update_fields=["last_received_at"])
    Message.objects.filter(pk=a.inbound.pk).update(created_at=now - timedelta(hours=1))
    Message.objects.filter(pk=a.reply.pk).update(created_at=now - timedelta(hours=25))

    health = {h["channel"]["name"]: h for h in alice_api.ok("/channels/health")}
    assert list(health) == ["Service client a", "Shop", "X a"]
    mail, shop, x = health["Service client a"], health["Shop"], health["X a"]
    assert (mail["silent"], mail["failing"], mail["events_24h"]) == (False, False, 1)
    assert (mail["expected_interval_seconds"], mail["webhook_path"]) == (900, None)
    assert (x["silent"], x["failing"], x["consecutive_failures"]) == (True, True, 3)
    assert (x["last_error"], x["status"], x["webhook_path"]) == (
        "401 Unauthorized",
        "failing",
        f"/api/v1/hooks/{a.x.pk}",
    )
    assert (shop["silent"], shop["webhook_path"]) == (False, f"/api/v1/channels/{hook.pk}/events")
    assert {h["channel"]["name"] for h in charlie_api.ok("/channels/health")} == {
        "Service client b",
        "X b",
    }
