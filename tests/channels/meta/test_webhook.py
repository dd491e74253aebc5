"""Meta webhooks through the real route: verification, signatures, batched entries."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from comptoir.channels.adapters import WebhookRequest, adapter_for
from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.models import RejectedEvent
from comptoir.people.models import Identity
from tests.channels.meta.conftest import (
    APP_SECRET,
    PAGE_ID,
    VERIFY_TOKEN,
    loaded,
    meta_signature,
    payload,
    post_hook,
)


def counts(report: dict[str, Any]) -> dict[str, Any]:
    return {key: report[key] for key in ("received", "stored", "duplicates", "rejected", "ignored")}


def verification(channel: Channel, **query: str) -> tuple[int, str, str]:
    response = Client().get(f"/api/v1/hooks/{channel.pk}", query)
    return response.status_code, response.content.decode(), response["Content-Type"]


def test_the_verification_get_echoes_the_challenge(facebook: Channel) -> None:
    answer = verification(
        facebook,
        **{
            "hub.mode": "subscribe",
            "hub.verify_token": VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )

    assert answer[0] == 200
    assert answer[1] == "1158201444"
    assert answer[2].startswith("text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guessed", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN},
    ],
)
def test_a_wrong_verification_is_refused(instagram: Channel, query: dict[str, str]) -> None:
    status, body, _ = verification(instagram, **query)

    assert (status, body) == (403, "verification refused")


def test_a_signed_batch_stores_its_messages_and_people(facebook: Channel) -> None:
    response = post_hook(facebook, payload("page_batch.json"))

    assert response.status_code == 200, response.content
    # Two comments and one message; the Page's own comment, a reaction, an echo and a
    # delivery receipt are not conversation.
    assert counts(response.json()) == {
        "received": 3,
        "stored": 3,
        "duplicates": 0,
        "rejected": 0,
        "ignored": 4,
    }
    rows = Message.objects.filter(channel=facebook).order_by("sent_at")
    assert [
        (m.external_id, m.visibility, m.kind, m.conversation.thread_key, m.in_reply_to_external_id)
        for m in rows.select_related("conversation")
    ] == [
        ("5550001_9990001", "public", "comment", "104857600000001_5550001", ""),
        ("5550001_9990002", "public", "reply", "104857600000001_5550001", "5550001_9990001"),
        (
            "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P",
            "private",
            "direct",
            "dm:6101000000000001",
            "",
        ),
    ]
    assert [m.sent_at for m in rows] == [
        datetime(2026, 11, 22, 10, 0, tzinfo=UTC),
        datetime(2026, 11, 22, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 22, 10, 5, tzinfo=UTC),
    ]
    assert rows[0].text == "Ma commande 4471 n'est toujours pas arrivée, pouvez-vous vérifier ?"
    assert sorted(
        Identity.objects.filter(workspace=facebook.workspace).values_list(
            "kind", "external_id", "display_name"
        )
    ) == [
        ("facebook", "6101000000000001", ""),
        ("facebook", "7001000000000001", "Camille Martin"),
        ("facebook", "7001000000000002", "Jordan Lee"),
    ]


def test_the_same_post_again_stores_nothing_new(facebook: Channel) -> None:
    post_hook(facebook, payload("page_batch.json"))
    before = (Message.objects.count(), Conversation.objects.count(), Identity.objects.count())

    response = post_hook(facebook, payload("page_batch.json"))

    assert response.status_code == 200
    assert response.json()["stored"] == 0
    assert response.json()["duplicates"] == 3
    assert (Message.objects.count(), Conversation.objects.count(), Identity.objects.count()) == (
        before
    )


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        "sha1=" + "0" * 40,
        meta_signature(b"another body"),
        meta_signature(b"", secret="not-the-app-secret"),
    ],
)
def test_a_bad_signature_is_refused_logged_and_not_stored(
    facebook: Channel, signature: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = payload("page_batch.json")

    with caplog.at_level(logging.WARNING, logger="comptoir.ingest.hooks"):
        response = post_hook(facebook, body, signature=signature)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert Message.objects.count() == 0
    assert RejectedEvent.objects.count() == 0
    assert [r.getMessage() for r in caplog.records if r.name == "comptoir.ingest.hooks"] == [
        f"refused a webhook for channel {facebook.pk}: {response.json()['error']['message']}"
    ]
    assert APP_SECRET not in caplog.text


def test_a_body_signed_with_another_secret_is_refused(facebook: Channel) -> None:
    body = payload("page_batch.json")

    response = post_hook(facebook, body, signature=meta_signature(body, secret="other-app"))

    assert response.status_code == 401
    assert Message.objects.count() == 0


def test_instagram_comments_and_messages(instagram: Channel) -> None:
    response = post_hook(instagram, payload("instagram_batch.json"))

    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 3
    assert response.json()["ignored"] == 2  # the account's own reply and an echo
    assert sorted(
        Message.objects.filter(channel=instagram).values_list(
            "external_id", "visibility", "kind", "conversation__thread_key", "text"
        )
    ) == [
        (
            "17900000000000001",
            "public",
            "comment",
            "18000000000000001",
            "Elle existe en vert sauge ?",
        ),
        (
            "17900000000000003",
            "public",
            "reply",
            "18000000000000001",
            "J'attends aussi la version sauge",
        ),
        (
            "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4MjM2Njg0MTcxMDMwMTI0NDI3NjAxNzk2MzI5NDU2MDAwMA",
            "private",
            "direct",
            "dm:2301000000000001",
            "Bonjour, je voudrais connaître le délai de livraison pour Lyon.",
        ),
    ]
    assert sorted(
        Identity.objects.filter(kind="instagram").values_list("external_id", "handle")
    ) == [("2301000000000001", "lea.decor"), ("2301000000000002", "tom_b")]


def test_a_page_payload_on_an_instagram_channel_is_a_bad_request(instagram: Channel) -> None:
    response = post_hook(instagram, payload("page_batch.json"))

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "this channel takes 'instagram' notifications, not 'page'"
    )
    assert Message.objects.count() == 0


def test_entries_of_another_page_are_ignored(facebook: Channel) -> None:
    data = loaded("page_batch.json")
    for entry in data["entry"]:
        entry["id"] = "999999999999999"
    body = json.dumps(data).encode()

    response = post_hook(facebook, body)

    assert response.status_code == 200
    assert response.json()["stored"] == 0
    assert response.json()["ignored"] == 7


def test_an_unreadable_item_is_kept_as_rejected_and_the_rest_stored(facebook: Channel) -> None:
    data = loaded("page_batch.json")
    data["entry"][0]["changes"][0]["value"]["created_time"] = "yesterday"
    body = json.dumps(data).encode()

    response = post_hook(facebook, body)

    assert response.status_code == 200
    assert response.json()["stored"] == 2
    [rejected] = RejectedEvent.objects.all()
    assert rejected.location == "entry 0 change 0"
    assert "created_at" in rejected.reason
    assert json.loads(rejected.raw)["value"]["comment_id"] == "5550001_9990001"


def test_a_body_that_is_not_json_is_a_bad_request(facebook: Channel) -> None:
    response = post_hook(facebook, b"{not json")

    assert response.status_code == 400
    assert Message.objects.count() == 0


def test_the_adapter_reads_milliseconds_and_seconds_alike(facebook: Channel) -> None:
    body = payload("page_batch.json")
    request = WebhookRequest(
        method="POST", query={}, headers={"x-hub-signature-256": meta_signature(body)}, body=body
    )
    adapter = adapter_for(facebook)

    adapter.verify(request)
    result = adapter.read_webhook(request)

    assert [e.created_at.isoformat() for e in result.events] == [
        "2026-11-22T10:00:00+00:00",
        "2026-11-22T10:01:00+00:00",
        "2026-11-22T10:05:00+00:00",
    ]
    assert [a.model_dump() for a in result.events[2].attachments] == [
        {
            "name": "",
            "content_type": "image/*",
            "size": 0,
            "url": "https://scontent.xx.fbcdn.net/v/t1.15752-9/lampe.jpg",
        }
    ]


def test_an_entry_that_is_not_an_object_is_rejected_and_the_rest_stored(
    facebook: Channel,
) -> None:
    data = loaded("page_batch.json")
    data["entry"].insert(0, "not an entry")

    response = post_hook(facebook, json.dumps(data).encode())

    assert response.status_code == 200
    assert response.json()["stored"] == 3
    [rejected] = RejectedEvent.objects.all()
    assert (rejected.location, rejected.reason) == ("entry 0", "not an object")


def test_an_instagram_channel_needs_its_account_id(instagram: Channel) -> None:
    instagram.config = {"page_id": PAGE_ID}
    instagram.save(update_fields=["config"])

    response = post_hook(instagram, payload("instagram_batch.json"))

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "this Instagram channel has no instagram_account_id set"
    )
