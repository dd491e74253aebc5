"""Polling and replying against a Bluesky server played on loopback."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.adapters import AdapterError, OutboundMessage
from comptoir.channels.bluesky.adapter import BlueskyAdapter
from comptoir.inbox.models import Message
from comptoir.ingest.polling import poll_channel
from tests.channels.bluesky.conftest import (
    ACCESS_TOKEN,
    APP_PASSWORD,
    CREATE_RECORD,
    GET_POSTS,
    HANDLE,
    NOTIFICATIONS,
    SESSION,
    bluesky_channel,
    payload,
    serve_notifications,
    serve_session,
)
from tests.conftest import Personas

CLAIRE = "at://did:plc:clairedubois7h3k2m5qxw4e/app.bsky.feed.post/3lbqzk2xyzc2a"
TOM = "at://did:plc:tomreed5r2n8w4k7j3qyv2zq/app.bsky.feed.post/3lbpw7mention2"
BROKEN = "at://did:plc:tomreed5r2n8w4k7j3qyv2zq/app.bsky.feed.post/3lbpw6broken"
NEWEST = "2026-11-20T09:41:08.120Z"
BRAND_DID = "did:plc:maisonlumiere4k2qz7x5dn3a"


def test_a_first_poll_signs_in_follows_the_cursor_and_keeps_the_newest_time(
    httpserver: HTTPServer,
) -> None:
    serve_session(httpserver)
    serve_notifications(httpserver)

    result = BlueskyAdapter(bluesky_channel(httpserver)).poll({})

    assert [event.external_id for event in result.events] == [TOM, CLAIRE]
    assert result.state == {"seen_at": NEWEST}
    assert result.ignored == 1  # the like
    assert [(where, reason) for where, _, reason in result.unreadable] == [
        (f"notification {BROKEN}", "the notification has no 'createdAt'")
    ]
    session, first, second = (request for request, _ in httpserver.log)
    assert session.path == "/xrpc/com.atproto.server.createSession"
    assert first.args.getlist("reasons") == ["mention", "reply"]
    assert (first.args.get("cursor"), second.args.get("cursor")) == (
        None,
        "2026-11-20T09:30:00.000Z",
    )
    assert second.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"


def test_a_later_poll_stops_at_what_was_seen_and_reuses_its_session(
    httpserver: HTTPServer,
) -> None:
    serve_session(httpserver)
    serve_notifications(httpserver)
    adapter = BlueskyAdapter(bluesky_channel(httpserver))
    first = adapter.poll({})
    requests_before = len(httpserver.log)

    second = adapter.poll(dict(first.state))

    # The newest notification is read again (same instant) and dropped later as a duplicate;
    # the page stops there, so the older page is not fetched.
    assert [event.external_id for event in second.events] == [CLAIRE]
    assert second.state == {"seen_at": NEWEST}
    later = [request.path for request, _ in httpserver.log[requests_before:]]
    assert later == [NOTIFICATIONS]


def test_a_mid_list_bookmark_reads_only_what_is_newer(httpserver: HTTPServer) -> None:
    serve_session(httpserver)
    serve_notifications(httpserver)

    result = BlueskyAdapter(bluesky_channel(httpserver)).poll(
        {"seen_at": "2026-11-19T18:02:45.000Z"}
    )

    assert [event.external_id for event in result.events] == [TOM, CLAIRE]
    assert result.unreadable == []  # the broken one is older than the bookmark


def test_an_expired_session_signs_in_again_once(httpserver: HTTPServer) -> None:
    serve_session(httpserver)
    adapter = BlueskyAdapter(bluesky_channel(httpserver))
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_json({"notifications": []})
    adapter.poll({})
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_json(
        payload("error-expired.json"), status=400
    )
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_json({"notifications": []})

    result = adapter.poll({"seen_at": NEWEST})

    assert result.state == {"seen_at": NEWEST}
    paths = [request.path for request, _ in httpserver.log]
    assert paths == [SESSION, NOTIFICATIONS, NOTIFICATIONS, SESSION, NOTIFICATIONS]


def test_a_revoked_app_password_asks_to_reconnect(httpserver: HTTPServer) -> None:
    httpserver.expect_request(SESSION).respond_with_json(
        {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        status=401,
    )

    with pytest.raises(AdapterError) as error:
        BlueskyAdapter(bluesky_channel(httpserver)).poll({})

    assert str(error.value) == (
        f"Bluesky refused the app password of {HANDLE}: it is wrong, expired or revoked: "
        "reconnect the channel"
    )


def test_a_token_refused_right_after_signing_in_asks_to_reconnect(
    httpserver: HTTPServer,
) -> None:
    serve_session(httpserver)
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(
        payload("error-expired.json"), status=400
    )

    with pytest.raises(AdapterError) as error:
        BlueskyAdapter(bluesky_channel(httpserver)).poll({})

    assert str(error.value) == (
        "the Bluesky session token expired or was revoked: reconnect the channel"
    )


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"Retry-After": "30"}, "retry in 30 s"),
        ({"RateLimit-Limit": "3000", "RateLimit-Reset": "946684800"}, "retry in 0 s"),
        ({}, "retry later"),
    ],
)
def test_a_rate_limit_says_when_to_come_back(
    httpserver: HTTPServer, headers: dict[str, str], wait: str
) -> None:
    serve_session(httpserver)
    httpserver.expect_request(NOTIFICATIONS).respond_with_json(
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        status=429,
        headers=headers,
    )

    with pytest.raises(AdapterError) as error:
        BlueskyAdapter(bluesky_channel(httpserver)).poll({"seen_at": NEWEST})

    assert str(error.value) == f"Bluesky's rate limit is reached: {wait}"


def test_a_server_error_and_broken_json_are_adapter_errors(httpserver: HTTPServer) -> None:
    serve_session(httpserver)
    adapter = BlueskyAdapter(bluesky_channel(httpserver))
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_data("upstream", status=503)
    httpserver.expect_oneshot_request(NOTIFICATIONS).respond_with_data(
        '{"notifications": [', content_type="application/json"
    )

    with pytest.raises(AdapterError) as failed:
        adapter.poll({})
    with pytest.raises(AdapterError) as broken:
        adapter.poll({})

    assert str(failed.value) == "the Bluesky server failed (503): retry later"
    assert str(broken.value) == (
        "Bluesky answered app.bsky.notification.listNotifications with JSON that does not parse"
    )


def test_a_reply_refers_to_its_parent_and_the_thread_root(httpserver: HTTPServer) -> None:
    serve_session(httpserver)
    httpserver.expect_request(GET_POSTS, query_string={"uris": CLAIRE}).respond_with_json(
        payload("getPosts.json")
    )
    httpserver.expect_request(CREATE_RECORD, method="POST").respond_with_json(
        payload("createRecord.json")
    )

    result = BlueskyAdapter(bluesky_channel(httpserver)).send(
        OutboundMessage(
            text="Nous regardons tout de suite, Claire.",
            recipient="did:plc:clairedubois7h3k2m5qxw4e",
            in_reply_to=CLAIRE,
        )
    )

    assert result.external_id == (
        "at://did:plc:maisonlumiere4k2qz7x5dn3a/app.bsky.feed.post/3lbr2reply7k2"
    )
    created = httpserver.log[-1][0]
    assert created.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    body = created.get_json()
    assert body["record"].pop("createdAt").endswith("Z")
    assert body == {
        "repo": BRAND_DID,
        "collection": "app.bsky.feed.post",
        "record": {
            "$type": "app.bsky.feed.post",
            "text": "Nous regardons tout de suite, Claire.",
            "reply": {
                "root": {
                    "uri": "at://did:plc:clairedubois7h3k2m5qxw4e/app.bsky.feed.post/3lbqxroot1a2b",
                    "cid": "bafyreirootcidclairefirstpost2hq4g7w3mrztyua",
                },
                "parent": {
                    "uri": CLAIRE,
                    "cid": "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a",
                },
            },
        },
    }


def test_a_reply_to_a_first_post_uses_it_as_root_and_parent(httpserver: HTTPServer) -> None:
    serve_session(httpserver)
    post = payload("getPosts.json")["posts"][0]
    del post["record"]["reply"]
    httpserver.expect_request(GET_POSTS).respond_with_json({"posts": [post]})
    httpserver.expect_request(CREATE_RECORD, method="POST").respond_with_json(
        payload("createRecord.json")
    )

    BlueskyAdapter(bluesky_channel(httpserver)).send(
        OutboundMessage(text="Merci !", recipient="did:plc:x", in_reply_to=CLAIRE)
    )

    reply = httpserver.log[-1][0].get_json()["record"]["reply"]
    assert reply["root"] == reply["parent"] == {"uri": CLAIRE, "cid": post["cid"]}


@pytest.mark.django_db
def test_polling_a_saved_channel_stores_the_posts_once(
    personas: Personas, httpserver: HTTPServer
) -> None:
    serve_session(httpserver)
    serve_notifications(httpserver)
    channel = do_create_channel(
        personas.workspace_a,
        kind="bluesky",
        name="Bluesky",
        settings={"handle": HANDLE, "service_url": httpserver.url_for("/")},
        secrets={"app_password": APP_PASSWORD},
        actor=personas.bob,
    )

    first = poll_channel(channel)
    second = poll_channel(channel)

    assert (first.error, second.error) == ("", "")
    assert first.report is not None
    assert second.report is not None
    assert first.report.stored == 2
    assert [rejection.reason for rejection in first.report.rejected] == [
        "the notification has no 'createdAt'"
    ]
    assert (second.report.received, second.report.stored) == (1, 0)
    stored = Message.objects.filter(channel=channel)
    assert set(stored.values_list("external_id", flat=True)) == {TOM, CLAIRE}
    channel.refresh_from_db()
    assert channel.poll_state == {"seen_at": NEWEST}


def test_a_poll_stopped_by_the_page_bound_leaves_a_backlog_for_the_next(
    httpserver: HTTPServer,
) -> None:
    serve_session(httpserver)
    serve_notifications(httpserver)
    adapter = BlueskyAdapter(bluesky_channel(httpserver))
    adapter.max_pages = 1
    bookmark = "2026-11-01T00:00:00.000Z"

    first = adapter.poll({"seen_at": bookmark})
    second = adapter.poll(dict(first.state))

    assert [event.external_id for event in first.events] == [CLAIRE]
    assert first.state == {
        "seen_at": NEWEST,
        "backlog": {"cursor": "2026-11-20T09:30:00.000Z", "until": bookmark},
    }
    assert [event.external_id for event in second.events] == [TOM]
    assert len(second.unreadable) == 1
    assert second.state == {"seen_at": NEWEST}
