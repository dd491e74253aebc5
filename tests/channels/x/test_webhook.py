"""X's Account Activity webhook through the real route: CRC, signatures, events."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime

import pytest
from django.test import Client

from comptoir.channels.models import Channel
from comptoir.inbox.models import Message
from comptoir.people.models import Identity
from tests.channels.x.conftest import CONSUMER_SECRET, payload, post_hook, x_signature


def test_the_crc_get_answers_the_expected_response_token(x_account: Channel) -> None:
    crc_token = "aGVsbG8td29ybGQtY3JjLXRva2Vu"
    expected = base64.b64encode(
        hmac.new(CONSUMER_SECRET.encode(), crc_token.encode(), hashlib.sha256).digest()
    ).decode()

    response = Client().get(f"/api/v1/hooks/{x_account.pk}", {"crc_token": crc_token})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"response_token": f"sha256={expected}"}


def test_the_crc_answer_for_a_known_secret_and_token(x_account: Channel) -> None:
    # Computed once outside Python: printf %s crc-token-123 |
    # openssl dgst -sha256 -hmac "$CONSUMER_SECRET" -binary | base64
    response = Client().get(f"/api/v1/hooks/{x_account.pk}", {"crc_token": "crc-token-123"})

    assert json.loads(response.content) == {
        "response_token": "sha256=2cw3XIINZBJe2veQK0Vury8yImt7rbQJ6kskdx/OIJw="
    }


def test_a_crc_get_without_a_token_is_refused(x_account: Channel) -> None:
    response = Client().get(f"/api/v1/hooks/{x_account.pk}")

    assert (response.status_code, response.content) == (400, b"no crc_token")


def test_mentions_and_replies_are_stored(x_account: Channel) -> None:
    response = post_hook(x_account, payload("account_activity_tweets.json"))

    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 2
    assert response.json()["ignored"] == 1  # the account's own reply
    rows = Message.objects.filter(channel=x_account).order_by("sent_at")
    assert [
        (m.external_id, m.visibility, m.kind, m.conversation.thread_key, m.in_reply_to_external_id)
        for m in rows.select_related("conversation")
    ] == [
        ("1992000000000000001", "public", "post", "1992000000000000001", ""),
        (
            "1992000000000000003",
            "public",
            "reply",
            "1992000000000000001",
            "1992000000000000001",
        ),
    ]
    assert [m.sent_at for m in rows] == [
        datetime(2026, 11, 22, 10, 15, tzinfo=UTC),
        datetime(2026, 11, 22, 10, 25, tzinfo=UTC),
    ]
    # The long post's whole text, not the truncated one.
    assert rows[1].text.endswith("great customer service.")
    assert sorted(
        Identity.objects.filter(kind="x").values_list(
            "external_id", "handle", "display_name", "avatar_url"
        )
    ) == [
        (
            "1600000000000000001",
            "nadiab",
            "Nadia Benali",
            "https://pbs.twimg.com/profile_images/1/nadia_normal.jpg",
        ),
        (
            "1600000000000000002",
            "chrisp",
            "Chris P",
            "https://pbs.twimg.com/profile_images/3/chris_normal.jpg",
        ),
    ]


def test_direct_messages_are_private(x_account: Channel) -> None:
    response = post_hook(x_account, payload("account_activity_dms.json"))

    assert response.status_code == 200, response.content
    assert (response.json()["stored"], response.json()["ignored"]) == (1, 1)
    [message] = Message.objects.filter(channel=x_account).select_related("conversation")
    assert (
        message.external_id,
        message.visibility,
        message.kind,
        message.conversation.thread_key,
        message.text,
        message.sent_at,
    ) == (
        "1992000000000000101",
        "private",
        "direct",
        "dm:1600000000000000001",
        "Voici ma photo de la lampe cassée.",
        datetime(2026, 11, 22, 10, 25, tzinfo=UTC),
    )
    assert Identity.objects.get(kind="x").handle == "nadiab"


def test_the_same_post_again_stores_nothing_new(x_account: Channel) -> None:
    post_hook(x_account, payload("account_activity_tweets.json"))

    response = post_hook(x_account, payload("account_activity_tweets.json"))

    assert (response.json()["stored"], response.json()["duplicates"]) == (0, 2)
    assert Message.objects.count() == 2


@pytest.mark.parametrize(
    "signature",
    ["", "sha256=", "sha256=AAAA", x_signature(b"{}"), "sha256=" + "0" * 44],
)
def test_a_bad_signature_is_refused_logged_and_not_stored(
    x_account: Channel, signature: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="comptoir.ingest.hooks"):
        response = post_hook(
            x_account, payload("account_activity_tweets.json"), signature=signature
        )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    assert Message.objects.count() == 0
    assert [r.getMessage() for r in caplog.records if r.name == "comptoir.ingest.hooks"] == [
        f"refused a webhook for channel {x_account.pk}: {response.json()['error']['message']}"
    ]


def test_a_body_signed_with_another_secret_is_refused(x_account: Channel) -> None:
    body = payload("account_activity_dms.json")

    response = post_hook(x_account, body, signature=x_signature(body, secret="another-app"))

    assert response.status_code == 401
    assert Message.objects.count() == 0


def test_events_for_another_account_are_a_bad_request(x_account: Channel) -> None:
    data = json.loads(payload("account_activity_tweets.json"))
    data["for_user_id"] = "42"
    body = json.dumps(data).encode()

    response = post_hook(x_account, body)

    assert response.status_code == 400
    assert response.json()["error"]["message"] == (
        "these events are for account 42, not this channel's"
    )


def test_other_activity_is_counted_as_ignored(x_account: Channel) -> None:
    body = json.dumps(
        {
            "for_user_id": "1500000000000000001",
            "favorite_events": [{"id": "a7ba59eab0bfcba386f7acedac279542"}],
            "follow_events": [{"type": "follow"}, {"type": "follow"}],
        }
    ).encode()

    response = post_hook(x_account, body)

    assert (response.status_code, response.json()["stored"], response.json()["ignored"]) == (
        200,
        0,
        3,
    )
