"""Replies through POST /2/tweets, against a loopback server playing X."""

from __future__ import annotations

import json

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.adapters import AdapterError, OutboundMessage, adapter_for
from comptoir.channels.models import Channel
from tests.channels.x.conftest import USER_TOKEN, payload


def test_a_reply_is_posted_with_the_user_token(x_api: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        "/2/tweets",
        method="POST",
        json={
            "text": "@nadiab Un remplacement part demain.",
            "reply": {"in_reply_to_tweet_id": "1992000000000000001"},
        },
        headers={"Authorization": f"Bearer {USER_TOKEN}"},
    ).respond_with_json(json.loads(payload("create_post_response.json")), status=201)

    result = adapter_for(x_api).send(
        OutboundMessage(
            text="@nadiab Un remplacement part demain.",
            recipient="1600000000000000001",
            in_reply_to="1992000000000000001",
        )
    )

    httpserver.check_assertions()
    assert result.external_id == "1992000000000000300"


def test_a_reply_needs_the_post_it_answers(x_api: Channel, httpserver: HTTPServer) -> None:
    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).send(OutboundMessage(text="Bonjour", recipient="1600000000000000001"))

    assert str(refused.value) == "an X reply needs the id of the post it answers"
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (
            401,
            '{"title": "Unauthorized", "status": 401}',
            {},
            "X refused the token (expired or revoked): connect the account again",
        ),
        (
            429,
            '{"title": "Too Many Requests"}',
            {"x-rate-limit-reset": "1795345200"},
            "X's rate limit is reached; retry after 2026-11-22T11:00:00+00:00",
        ),
        (201, '{"errors": []}', {}, "X accepted the reply but gave no id for it"),
    ],
)
def test_refusals_become_adapter_errors(
    x_api: Channel,
    httpserver: HTTPServer,
    status: int,
    body: str,
    headers: dict[str, str],
    expected: str,
) -> None:
    httpserver.expect_request("/2/tweets", method="POST").respond_with_data(
        body, status=status, headers=headers, content_type="application/json"
    )

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).send(
            OutboundMessage(text="Merci !", recipient="1", in_reply_to="1992000000000000001")
        )

    assert str(refused.value) == expected


def test_a_channel_without_a_user_token_cannot_reply(
    x_api: Channel, httpserver: HTTPServer
) -> None:
    x_api.secrets_encrypted = ""

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).send(
            OutboundMessage(text="Merci !", recipient="1", in_reply_to="1992000000000000001")
        )

    assert str(refused.value) == "this X channel has no user access token set"
    assert httpserver.log == []
