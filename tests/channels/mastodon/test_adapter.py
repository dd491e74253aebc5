"""Polling and replying against a Mastodon instance played on loopback."""

from __future__ import annotations

import hashlib
import json

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.adapters import AdapterError, OutboundMessage
from comptoir.channels.mastodon.adapter import MastodonAdapter
from comptoir.inbox.models import Message
from comptoir.ingest.polling import poll_channel
from tests.channels.mastodon.conftest import (
    FIRST_PAGE,
    NOTIFICATIONS,
    TOKEN,
    link,
    mastodon_channel,
    payload,
    serve_backlog,
)
from tests.conftest import Personas

MARIE = "113520458126870001"
JEAN = "113520163300000002"
SAM = "113516551200000003"
AFTER_NEWEST = {**FIRST_PAGE, "min_id": "34975862"}


def test_a_first_poll_follows_the_link_header_back_and_keeps_the_newest_id(
    httpserver: HTTPServer,
) -> None:
    serve_backlog(httpserver)

    result = MastodonAdapter(mastodon_channel(httpserver)).poll({})

    assert [event.external_id for event in result.events] == [SAM, JEAN, MARIE]
    assert result.state == {"since_id": "34975862"}
    assert (result.ignored, result.unreadable) == (0, [])
    requests = [request for request, _ in httpserver.log]
    assert [request.args.get("max_id") for request in requests] == [None, "34975860"]
    assert {request.headers["Authorization"] for request in requests} == {f"Bearer {TOKEN}"}


def test_a_later_poll_asks_from_its_bookmark_and_gets_nothing_old(
    httpserver: HTTPServer,
) -> None:
    serve_backlog(httpserver)
    httpserver.expect_request(NOTIFICATIONS, query_string=AFTER_NEWEST).respond_with_json([])
    adapter = MastodonAdapter(mastodon_channel(httpserver))
    first = adapter.poll({})

    second = adapter.poll(dict(first.state))

    assert (second.events, second.state) == ([], {"since_id": "34975862"})
    assert httpserver.log[-1][0].args.to_dict() == AFTER_NEWEST


def test_a_later_poll_goes_forward_page_by_page_without_a_gap(httpserver: HTTPServer) -> None:
    bookmark = {**FIRST_PAGE, "min_id": "34975700"}
    newer = {**FIRST_PAGE, "min_id": "34975701"}
    httpserver.expect_request(NOTIFICATIONS, query_string=bookmark).respond_with_json(
        payload("notifications-older.json"), headers=link(httpserver, prev=newer)
    )
    httpserver.expect_request(NOTIFICATIONS, query_string=newer).respond_with_json(
        payload("notifications-newest.json"),
        headers=link(httpserver, prev=AFTER_NEWEST),
    )
    httpserver.expect_request(NOTIFICATIONS, query_string=AFTER_NEWEST).respond_with_json([])

    result = MastodonAdapter(mastodon_channel(httpserver)).poll({"since_id": "34975700"})

    assert [event.external_id for event in result.events] == [SAM, JEAN, MARIE]
    assert result.state == {"since_id": "34975862"}
    assert len(httpserver.log) == 3


def test_a_poll_reads_at_most_max_pages(httpserver: HTTPServer) -> None:
    serve_backlog(httpserver)
    adapter = MastodonAdapter(mastodon_channel(httpserver))
    adapter.max_pages = 1

    result = adapter.poll({})

    assert [event.external_id for event in result.events] == [JEAN, MARIE]
    assert len(httpserver.log) == 1


def test_malformed_items_are_unreadable_and_the_rest_is_ingested(
    httpserver: HTTPServer,
) -> None:
    items = payload("notifications-malformed.json") + payload("notifications-older.json")
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(items)

    result = MastodonAdapter(mastodon_channel(httpserver)).poll({})

    assert [event.external_id for event in result.events] == [SAM]
    assert result.ignored == 1
    assert [(where, reason) for where, _, reason in result.unreadable] == [
        ("notification 34975900", "the status has no 'created_at'"),
        ("notification 34975899", "the mention carries no status"),
    ]
    assert json.loads(result.unreadable[0][1]) == items[0]
    assert result.state == {"since_id": "34975900"}


def test_a_revoked_token_asks_to_reconnect(httpserver: HTTPServer) -> None:
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(
        payload("error-token.json"), status=401
    )

    with pytest.raises(AdapterError) as error:
        MastodonAdapter(mastodon_channel(httpserver, token="revoked")).poll({"since_id": "1"})

    assert str(error.value) == (
        "the Mastodon access token expired or was revoked: reconnect the channel"
    )


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "120"}, "retry in 120 s"),
        ({"X-RateLimit-Reset": "2000-01-01T00:00:00.000Z"}, "retry in 0 s"),
        ({}, "retry later"),
    ],
)
def test_a_rate_limit_says_when_to_come_back(
    httpserver: HTTPServer, headers: dict[str, str], wait: str
) -> None:
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(
        {"error": "Too many requests"}, status=429, headers=headers
    )

    with pytest.raises(AdapterError) as error:
        MastodonAdapter(mastodon_channel(httpserver)).poll({"since_id": "1"})

    assert str(error.value) == f"Mastodon's rate limit is reached: {wait}"


def test_a_server_error_and_broken_json_are_adapter_errors(httpserver: HTTPServer) -> None:
    adapter = MastodonAdapter(mastodon_channel(httpserver))
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_data("oops", status=502)
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_data(
        '[{"id": "1", ', content_type="application/json"
    )

    with pytest.raises(AdapterError) as failed:
        adapter.poll({})
    with pytest.raises(AdapterError) as broken:
        adapter.poll({})

    assert str(failed.value) == "the Mastodon server failed (502): retry later"
    assert str(broken.value) == (
        "Mastodon answered /api/v1/notifications with JSON that does not parse"
    )


def test_a_reply_to_a_direct_message_stays_direct_and_mentions_its_author(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request(f"/api/v1/statuses/{JEAN}", method="GET").respond_with_json(
        payload("status-direct.json")
    )
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        payload("status-created.json")
    )
    channel = mastodon_channel(httpserver)
    text = "Merci, nous regardons votre dossier."

    result = MastodonAdapter(channel).send(
        OutboundMessage(text=text, recipient="jean@mastodon.example", in_reply_to=JEAN)
    )

    assert result.external_id == "113520999900000009"
    posted = httpserver.log[-1][0]
    assert posted.get_json() == {
        "status": f"@jean {text}",
        "in_reply_to_id": JEAN,
        "visibility": "direct",
    }
    key = hashlib.sha256(f"7\n{JEAN}\n@jean {text}".encode()).hexdigest()
    assert posted.headers["Idempotency-Key"] == key
    assert posted.headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_reply_that_already_mentions_the_author_is_sent_as_written(
    httpserver: HTTPServer,
) -> None:
    original = payload("notifications-newest.json")[0]["status"]
    httpserver.expect_request(f"/api/v1/statuses/{MARIE}").respond_with_json(original)
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_json(
        {**payload("status-created.json"), "id": "113521000000000010", "visibility": "public"}
    )

    result = MastodonAdapter(mastodon_channel(httpserver)).send(
        OutboundMessage(
            text="@marie@piaille.fr Désolés ! Écrivez-nous en privé.",
            recipient="marie@piaille.fr",
            in_reply_to=MARIE,
        )
    )

    assert result.external_id == "113521000000000010"
    assert httpserver.log[-1][0].get_json() == {
        "status": "@marie@piaille.fr Désolés ! Écrivez-nous en privé.",
        "in_reply_to_id": MARIE,
        "visibility": "public",
    }


@pytest.mark.django_db
def test_polling_a_saved_channel_stores_the_mentions_once(
    personas: Personas, httpserver: HTTPServer
) -> None:
    serve_backlog(httpserver)
    httpserver.expect_request(NOTIFICATIONS, query_string=AFTER_NEWEST).respond_with_json([])
    channel = do_create_channel(
        personas.workspace_a,
        kind="mastodon",
        name="Mastodon",
        settings={"instance_url": httpserver.url_for("/"), "account": "maison"},
        secrets={"access_token": TOKEN},
        actor=personas.bob,
    )

    first = poll_channel(channel)
    second = poll_channel(channel)

    assert (first.error, second.error) == ("", "")
    assert first.report is not None
    assert second.report is not None
    assert (first.report.stored, first.report.rejected) == (3, [])
    assert (second.report.received, second.report.stored) == (0, 0)
    stored = Message.objects.filter(channel=channel)
    assert set(stored.values_list("external_id", flat=True)) == {SAM, JEAN, MARIE}
    assert stored.get(external_id=JEAN).visibility == "private"
    channel.refresh_from_db()
    assert channel.poll_state == {"since_id": "34975862"}


def test_a_link_to_another_server_is_not_followed_with_the_token(httpserver: HTTPServer) -> None:
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(
        payload("notifications-older.json"),
        headers={"Link": '<https://elsewhere.example/api/v1/notifications?max_id=1>; rel="next"'},
    )

    with pytest.raises(AdapterError) as error:
        MastodonAdapter(mastodon_channel(httpserver)).poll({})

    assert str(error.value) == (
        "Mastodon's Link header points to another server: "
        "https://elsewhere.example/api/v1/notifications?max_id=1"
    )
    assert len(httpserver.log) == 1


def test_a_reply_needs_a_status_id(httpserver: HTTPServer) -> None:
    with pytest.raises(AdapterError) as error:
        MastodonAdapter(mastodon_channel(httpserver)).send(
            OutboundMessage(text="Bonjour", recipient="jean@mastodon.example", in_reply_to="../x")
        )

    assert str(error.value) == "a Mastodon reply needs the id of the status it answers"
    assert httpserver.log == []
