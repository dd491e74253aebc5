"""Replies through the Graph API, played by a loopback server."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.adapters import AdapterError, OutboundMessage, adapter_for
from comptoir.channels.models import Channel
from tests.channels.meta.conftest import PAGE_TOKEN

AUTHORIZATION = {"Authorization": f"Bearer {PAGE_TOKEN}"}


def test_a_facebook_comment_is_answered_under_it(
    graph_facebook: Channel, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(
        "/v21.0/5550001_9990001/comments",
        method="POST",
        json={"message": "Bonjour Camille, nous vérifions."},
        headers=AUTHORIZATION,
    ).respond_with_json({"id": "5550001_9990010"})

    result = adapter_for(graph_facebook).send(
        OutboundMessage(
            text="Bonjour Camille, nous vérifions.",
            recipient="7001000000000001",
            in_reply_to="5550001_9990001",
        )
    )

    assert result.external_id == "5550001_9990010"
    httpserver.check_assertions()


def test_an_instagram_comment_is_answered_with_the_replies_edge(
    graph_instagram: Channel, httpserver: HTTPServer
) -> None:
    httpserver.expect_oneshot_request(
        "/v21.0/17900000000000001/replies",
        method="POST",
        json={"message": "Oui, dès lundi."},
        headers=AUTHORIZATION,
    ).respond_with_json({"id": "17900000000000009"})

    result = adapter_for(graph_instagram).send(
        OutboundMessage(
            text="Oui, dès lundi.", recipient="2301000000000001", in_reply_to="17900000000000001"
        )
    )

    assert result.external_id == "17900000000000009"
    httpserver.check_assertions()


@pytest.mark.parametrize("in_reply_to", ["m_AG5Hz2Uq7tuwNEhXfYYK", ""])
def test_a_private_message_is_answered_through_the_send_api(
    graph_facebook: Channel, httpserver: HTTPServer, in_reply_to: str
) -> None:
    httpserver.expect_oneshot_request(
        "/v21.0/me/messages",
        method="POST",
        json={
            "recipient": {"id": "6101000000000001"},
            "messaging_type": "RESPONSE",
            "message": {"text": "Bien sûr, voici la marche à suivre."},
        },
        headers=AUTHORIZATION,
    ).respond_with_json({"recipient_id": "6101000000000001", "message_id": "m_reply0001"})

    result = adapter_for(graph_facebook).send(
        OutboundMessage(
            text="Bien sûr, voici la marche à suivre.",
            recipient="6101000000000001",
            in_reply_to=in_reply_to,
        )
    )

    assert result.external_id == "m_reply0001"
    httpserver.check_assertions()


def test_an_expired_token_says_so(graph_facebook: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v21.0/me/messages", method="POST").respond_with_json(
        {
            "error": {
                "message": "Error validating access token: Session has expired.",
                "type": "OAuthException",
                "code": 190,
                "error_subcode": 463,
                "fbtrace_id": "AbCdEf",
            }
        },
        status=400,
    )

    with pytest.raises(AdapterError) as refused:
        adapter_for(graph_facebook).send(OutboundMessage(text="Bonjour", recipient="61010001"))

    assert str(refused.value) == (
        "the page access token was refused (expired or revoked): "
        "Error validating access token: Session has expired."
    )


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, "oops", "the Graph API answered HTTP 500"),
        (200, "{not json", "the Graph API answered with something that is not a JSON object"),
        (200, "{}", "the Graph API accepted the reply but gave no id for it"),
        (
            403,
            '{"error": {"message": "(#10) Outside the allowed window", "code": 10}}',
            "the Graph API refused the reply (HTTP 403): (#10) Outside the allowed window",
        ),
    ],
)
def test_graph_failures_become_adapter_errors(
    graph_facebook: Channel, httpserver: HTTPServer, status: int, body: str, expected: str
) -> None:
    httpserver.expect_request("/v21.0/5550001_9990001/comments").respond_with_data(
        body, status=status, content_type="application/json"
    )

    with pytest.raises(AdapterError) as refused:
        adapter_for(graph_facebook).send(
            OutboundMessage(text="Bonjour", recipient="7001", in_reply_to="5550001_9990001")
        )

    assert str(refused.value) == expected
