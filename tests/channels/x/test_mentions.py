"""Mentions polling through API v2, against a loopback server playing X."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.adapters import AdapterError, adapter_for
from comptoir.channels.models import Channel
from comptoir.channels.x.adapter import XAdapter
from comptoir.inbox.models import Message
from comptoir.ingest.polling import poll_channel
from tests.channels.x.conftest import ACCOUNT_ID, BEARER_TOKEN, payload

MENTIONS = f"/2/users/{ACCOUNT_ID}/mentions"
PAGE_2_TOKEN = "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"
FIELDS = {
    "max_results": "100",
    "expansions": "author_id",
    "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang",
    "user.fields": "username,name,profile_image_url,url",
}
AUTHORIZATION = {"Authorization": f"Bearer {BEARER_TOKEN}"}


def page(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(payload(name))
    return data


def expect_page(
    server: HTTPServer, name: str, headers: dict[str, str] | None = None, **query: str
) -> None:
    server.expect_ordered_request(
        MENTIONS, method="GET", query_string={**FIELDS, **query}, headers=AUTHORIZATION
    ).respond_with_json(page(name), headers=headers)


def test_a_poll_follows_the_pages_and_keeps_the_newest_id(
    x_api: Channel, httpserver: HTTPServer
) -> None:
    expect_page(httpserver, "mentions_page1.json", since_id="1992000000000000100")
    expect_page(
        httpserver,
        "mentions_page2.json",
        since_id="1992000000000000100",
        pagination_token=PAGE_2_TOKEN,
    )

    result = adapter_for(x_api).poll({"since_id": "1992000000000000100"})

    httpserver.check_assertions()
    assert result.state == {"since_id": "1992000000000000205"}
    assert result.ignored == 1  # the retweet
    assert [
        (
            e.external_id,
            e.thread_id,
            e.in_reply_to,
            e.kind,
            e.language,
            e.author and e.author.handle,
        )
        for e in result.events
    ] == [
        ("1992000000000000205", "1992000000000000205", "", "post", "fr", "lucasp"),
        (
            "1992000000000000204",
            "1992000000000000001",
            "1992000000000000003",
            "reply",
            "en",
            "anasousa",
        ),
        ("1992000000000000202", "1992000000000000202", "", "post", "", "zoe_l"),
    ]
    assert result.events[0].created_at == datetime(2026, 11, 22, 11, 5, tzinfo=UTC)
    assert result.events[1].author is not None
    assert result.events[1].author.declared == ["https://ana.example"]
    assert result.events[0].url == "https://x.com/lucasp/status/1992000000000000205"


def test_a_first_poll_takes_the_latest_page_only(x_api: Channel, httpserver: HTTPServer) -> None:
    expect_page(httpserver, "mentions_page1.json")

    result = adapter_for(x_api).poll({})

    httpserver.check_assertions()
    assert len(httpserver.log) == 1
    assert result.state == {"since_id": "1992000000000000205"}
    assert len(result.events) == 2


def test_a_poll_with_nothing_new_keeps_its_since_id(x_api: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_request(MENTIONS).respond_with_json({"meta": {"result_count": 0}})

    result = adapter_for(x_api).poll({"since_id": "1992000000000000205"})

    assert (result.events, result.state) == ([], {"since_id": "1992000000000000205"})


def test_a_long_sweep_goes_on_at_the_next_poll(x_api: Channel, httpserver: HTTPServer) -> None:
    adapter = adapter_for(x_api)
    assert isinstance(adapter, XAdapter)
    adapter.max_pages = 1
    expect_page(httpserver, "mentions_page1.json", since_id="1992000000000000100")
    expect_page(
        httpserver,
        "mentions_page2.json",
        since_id="1992000000000000100",
        pagination_token=PAGE_2_TOKEN,
    )

    first = adapter.poll({"since_id": "1992000000000000100"})
    second = adapter.poll(first.state)

    httpserver.check_assertions()
    assert first.state == {
        "since_id": "1992000000000000100",
        "next_token": PAGE_2_TOKEN,
        "newest_id": "1992000000000000205",
    }
    assert second.state == {"since_id": "1992000000000000205"}
    assert [e.external_id for e in first.events + second.events] == [
        "1992000000000000205",
        "1992000000000000204",
        "1992000000000000202",
    ]


def test_a_used_up_window_stops_the_sweep_until_its_reset(
    x_api: Channel, httpserver: HTTPServer
) -> None:
    reset = datetime.now(tz=UTC).replace(microsecond=0) + timedelta(minutes=10)
    expect_page(
        httpserver,
        "mentions_page1.json",
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(reset.timestamp()))},
        since_id="1992000000000000100",
    )
    adapter = adapter_for(x_api)

    first = adapter.poll({"since_id": "1992000000000000100"})
    with pytest.raises(AdapterError) as waiting:
        adapter.poll(first.state)

    assert len(httpserver.log) == 1  # the second poll did not ask X
    assert len(first.events) == 2
    assert first.state == {
        "since_id": "1992000000000000100",
        "next_token": PAGE_2_TOKEN,
        "newest_id": "1992000000000000205",
        "wait_until": reset.isoformat(),
    }
    assert str(waiting.value) == f"X's rate limit is reached; retry after {reset.isoformat()}"


def test_a_429_names_the_reset_time(x_api: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_request(MENTIONS).respond_with_json(
        {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429},
        status=429,
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1795345200"},
    )

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).poll({"since_id": "1992000000000000100"})

    assert str(refused.value) == (
        "X's rate limit is reached; retry after 2026-11-22T11:00:00+00:00"
    )


def test_a_429_with_retry_after(x_api: Channel, httpserver: HTTPServer) -> None:
    httpserver.expect_request(MENTIONS).respond_with_data(
        "", status=429, headers={"Retry-After": "120"}
    )
    before = datetime.now(tz=UTC).replace(microsecond=0)

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).poll({})

    named = datetime.fromisoformat(str(refused.value).rsplit(" ", 1)[-1])
    assert before + timedelta(seconds=120) <= named <= before + timedelta(seconds=122)


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, "{}", "X answered HTTP 500; the next poll will try again"),
        (503, "Service Unavailable", "X answered HTTP 503; the next poll will try again"),
        (200, '{"data": [', "X answered HTTP 200 with a body that is not JSON"),
        (200, "[]", "X answered HTTP 200 with JSON that is not an object"),
        (
            401,
            '{"title": "Unauthorized", "type": "about:blank", "status": 401}',
            "X refused the token (expired or revoked): connect the account again",
        ),
        (
            403,
            '{"title": "Forbidden", "detail": "Your client app is not allowed."}',
            "X refused the request (HTTP 403): Your client app is not allowed.",
        ),
    ],
)
def test_failures_become_adapter_errors(
    x_api: Channel, httpserver: HTTPServer, status: int, body: str, expected: str
) -> None:
    httpserver.expect_request(MENTIONS).respond_with_data(
        body, status=status, content_type="application/json"
    )

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).poll({"since_id": "1992000000000000100"})

    assert str(refused.value) == expected


def test_a_channel_without_its_user_id_cannot_poll(x_api: Channel, httpserver: HTTPServer) -> None:
    x_api.config = {**x_api.config, "user_id": ""}

    with pytest.raises(AdapterError) as refused:
        adapter_for(x_api).poll({})

    assert str(refused.value) == "this X channel has no user_id set: mentions polling needs it"
    assert httpserver.log == []


def test_the_worker_stores_mentions_and_the_new_state(
    x_api: Channel, httpserver: HTTPServer
) -> None:
    expect_page(httpserver, "mentions_page1.json")

    outcome = poll_channel(x_api)

    assert outcome.error == ""
    assert outcome.channel.poll_state == {"since_id": "1992000000000000205"}
    stored = Message.objects.filter(channel=x_api).order_by("external_id")
    assert [m.external_id for m in stored] == ["1992000000000000204", "1992000000000000205"]


def test_a_failed_poll_keeps_the_state(x_api: Channel, httpserver: HTTPServer) -> None:
    x_api.poll_state = {"since_id": "1992000000000000100"}
    x_api.save(update_fields=["poll_state"])
    httpserver.expect_request(MENTIONS).respond_with_data("", status=502)

    outcome = poll_channel(x_api)

    assert outcome.error == "X answered HTTP 502; the next poll will try again"
    assert outcome.channel.poll_state == {"since_id": "1992000000000000100"}
    assert outcome.channel.consecutive_failures == 1
