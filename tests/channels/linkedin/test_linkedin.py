"""The LinkedIn adapter against a local HTTP server playing the Community Management API:
posts, paginated comments and replies, the bookmark, errors, replies, and the inbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.adapters import AdapterError, OutboundMessage, PollResult, adapter_for
from comptoir.channels.config import TokenSecrets
from comptoir.channels.linkedin import adapter as linkedin_adapter
from comptoir.channels.linkedin.adapter import LinkedInAdapter
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import seal
from comptoir.inbox.models import Message
from comptoir.ingest.polling import POLLED_KINDS, poll_channel
from tests.factories import WorkspaceFactory

DATA = Path(__file__).resolve().parents[2] / "data" / "linkedin"
ORGANIZATION = "urn:li:organization:5515715"
TOKEN = "AQXdSP_W41_UPs5ioT_t8HESyODB4FqbkJ8LrV_5mff4gPODzOYR"
VERSION = "202609"
SHARE = "urn:li:share:7262011122334455667"
UGC_POST = "urn:li:ugcPost:7260512345678901234"
ACTIVITY = "urn:li:activity:7262011122334455668"
FIRST = f"urn:li:comment:({ACTIVITY},7262100000000000001)"
REPLY = f"urn:li:comment:({ACTIVITY},7262100000000000003)"
COMPLAINT = f"urn:li:comment:({ACTIVITY},7262100000000000004)"
QUESTION = f"urn:li:comment:({UGC_POST},7260600000000000001)"


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text())
    return data


def linkedin_channel(httpserver: HTTPServer, *, token: str = TOKEN) -> Channel:
    """An unsaved LinkedIn channel: the adapter only reads its settings and secrets."""
    return Channel(
        kind=ChannelKind.LINKEDIN,
        name="Maison Lumière sur LinkedIn",
        config={"organization_urn": ORGANIZATION, "api_url": httpserver.url_for("/")},
        secrets_encrypted=seal(TokenSecrets.model_validate({"access_token": token})),
    )


def comments_path(urn: str) -> str:
    return f"/rest/socialActions/{urn}/comments"


@pytest.fixture(autouse=True)
def two_comments_a_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded pages hold two comments each; the adapter asks for as many."""
    monkeypatch.setattr(linkedin_adapter, "COMMENTS_PER_PAGE", 2)


def serve_organization(httpserver: HTTPServer) -> None:
    httpserver.expect_request(
        "/rest/posts",
        method="GET",
        query_string={
            "q": "author",
            "author": ORGANIZATION,
            "count": "20",
            "sortBy": "LAST_MODIFIED",
        },
    ).respond_with_json(payload("posts-by-organization.json"))
    httpserver.expect_request(
        comments_path(SHARE), query_string={"start": "0", "count": "2"}
    ).respond_with_json(payload("comments-share-page-1.json"))
    httpserver.expect_request(
        comments_path(SHARE), query_string={"start": "2", "count": "2"}
    ).respond_with_json(payload("comments-share-page-2.json"))
    httpserver.expect_request(
        comments_path(FIRST), query_string={"start": "0", "count": "2"}
    ).respond_with_json(payload("comments-on-comment.json"))
    httpserver.expect_request(
        comments_path(UGC_POST), query_string={"start": "0", "count": "2"}
    ).respond_with_json(payload("comments-ugcpost.json"))


def poll(httpserver: HTTPServer, state: dict[str, Any] | None = None) -> PollResult:
    return LinkedInAdapter(linkedin_channel(httpserver)).poll(state or {})


def test_a_poll_reads_comments_and_replies_on_the_organisations_posts(
    httpserver: HTTPServer,
) -> None:
    serve_organization(httpserver)

    result = poll(httpserver)

    assert [event.external_id for event in result.events] == [FIRST, REPLY, COMPLAINT, QUESTION]
    first, reply, complaint, question = result.events
    assert first.model_dump(exclude={"raw", "author"}) == {
        "external_id": FIRST,
        "thread_id": SHARE,
        "in_reply_to": "",
        "references": [],
        "direction": "inbound",
        "subject": "",
        "text": (
            "Super initiative ! Est-ce que vous réparez aussi les lampes achetées il y a plus "
            "de dix ans ?"
        ),
        "full_text": "",
        "html": "",
        "created_at": datetime(2026, 11, 17, 9, 15, tzinfo=UTC),
        "visibility": "public",
        "kind": "comment",
        "language": "",
        "url": f"https://www.linkedin.com/feed/update/{SHARE}/",
        "attachments": [],
    }
    assert first.author is not None
    assert first.author.kind == "linkedin"
    assert first.author.external_id == "urn:li:person:Hq5vP2xKdZ"
    assert first.author.display_name == ""
    assert first.raw == payload("comments-share-page-1.json")["elements"][0]

    assert reply.kind == "reply"
    assert reply.thread_id == SHARE
    assert reply.in_reply_to == FIRST
    assert reply.created_at == datetime(2026, 11, 17, 10, 2, 30, tzinfo=UTC)
    assert reply.author is not None
    assert reply.author.external_id == "urn:li:person:Qm4nR8sTuV"

    assert complaint.author is not None
    assert complaint.author.display_name == "Élodie Garnier"
    assert [(a.name, a.url) for a in complaint.attachments] == [
        ("image", "https://media.licdn.example.com/dms/image/C4E22AQFx8dm1lZ0a3Q/lampe-cassee.jpg")
    ]

    assert question.thread_id == UGC_POST
    assert question.created_at == datetime(2026, 11, 18, 8, 5, 45, tzinfo=UTC)

    assert result.ignored == 1  # the organisation's own answer
    assert len(result.unreadable) == 1
    where, raw, reason = result.unreadable[0]
    assert where == f"{UGC_POST} comment urn:li:comment:({UGC_POST},7260600000000000002)"
    assert json.loads(raw) == payload("comments-ugcpost.json")["elements"][1]
    assert reason == "the comment has no created.time"
    assert result.state["seen"] == {SHARE: 1794914400000, UGC_POST: 1794989145000}


def test_every_request_carries_the_token_and_the_versions(httpserver: HTTPServer) -> None:
    serve_organization(httpserver)
    poll(httpserver)

    requests = [request for request, _response in httpserver.log]
    assert [request.path for request in requests] == [
        "/rest/posts",
        comments_path(SHARE),
        comments_path(SHARE),
        comments_path(FIRST),
        comments_path(UGC_POST),
    ]
    for request in requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert request.headers["LinkedIn-Version"] == VERSION
        assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"
    assert requests[0].headers["X-RestLi-Method"] == "FINDER"
    # Rest.li 2.0 wants URNs in a path percent-encoded.
    assert (
        "/rest/socialActions/urn%3Ali%3Ashare%3A7262011122334455667/comments"
        in (requests[1].environ["RAW_URI"])
    )


def test_the_next_poll_gets_only_what_is_new(httpserver: HTTPServer) -> None:
    serve_organization(httpserver)
    first = poll(httpserver)

    second = poll(httpserver, json.loads(json.dumps(first.state)))  # as stored in JSON

    assert second.events == []
    assert second.unreadable == []  # reported once
    assert second.ignored == 1  # the unreadable comment, seen again
    assert second.state == first.state


def test_a_comment_newer_than_the_bookmark_comes_in(httpserver: HTTPServer) -> None:
    serve_organization(httpserver)
    state = {"seen": {SHARE: 1794909750000, UGC_POST: 1794989145000}}

    result = poll(httpserver, state)

    assert [event.external_id for event in result.events] == [COMPLAINT]
    assert result.ignored == 0  # the organisation's answer is older than the bookmark


@pytest.mark.parametrize(
    ("status", "headers", "body", "message"),
    [
        (401, {}, json.dumps(payload("error-401.json")), "expired or revoked\\): reconnect"),
        (
            429,
            {"Retry-After": "120"},
            json.dumps(payload("error-429.json")),
            "rate limit is reached; retry after 120 seconds",
        ),
        (500, {}, "<html>Internal error</html>", "answered HTTP 500: INTERNAL SERVER ERROR"),
        (200, {}, '{"elements": [', "with a body that is not JSON"),
    ],
)
def test_a_failing_api_is_an_adapter_error(
    httpserver: HTTPServer, status: int, headers: dict[str, str], body: str, message: str
) -> None:
    httpserver.expect_request("/rest/posts").respond_with_data(
        body, status=status, headers=headers, content_type="application/json"
    )
    with pytest.raises(AdapterError, match=message):
        poll(httpserver, {"seen": {SHARE: 1}})


def test_a_failure_on_a_later_page_fails_the_whole_poll(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/rest/posts").respond_with_json(
        payload("posts-by-organization.json")
    )
    httpserver.expect_request(
        comments_path(SHARE), query_string={"start": "0", "count": "2"}
    ).respond_with_json(payload("comments-share-page-1.json"))
    httpserver.expect_request(comments_path(FIRST)).respond_with_json(
        payload("comments-on-comment.json")
    )
    httpserver.expect_request(
        comments_path(SHARE), query_string={"start": "2", "count": "2"}
    ).respond_with_json(payload("error-429.json"), status=429, headers={"Retry-After": "60"})
    with pytest.raises(AdapterError, match="retry after 60 seconds"):
        poll(httpserver)


def test_a_reply_is_a_nested_comment_by_the_organisation(httpserver: HTTPServer) -> None:
    httpserver.expect_request(comments_path(COMPLAINT), method="POST").respond_with_json(
        payload("comment-created.json"),
        status=201,
        headers={"x-restli-id": "7262100000000000009"},
    )
    adapter = LinkedInAdapter(linkedin_channel(httpserver))
    text = "Bonjour Élodie, nous vous écrivons en message privé pour organiser la réparation."

    sent = adapter.send(
        OutboundMessage(text=text, recipient="urn:li:person:Zt9kL1cVnE", in_reply_to=COMPLAINT)
    )

    assert sent.external_id == f"urn:li:comment:({ACTIVITY},7262100000000000009)"
    (request, _response), *_ = httpserver.log
    assert json.loads(request.data) == {
        "actor": ORGANIZATION,
        "object": ACTIVITY,
        "parentComment": COMPLAINT,
        "message": {"text": text},
    }
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["LinkedIn-Version"] == VERSION
    assert request.headers["X-Restli-Protocol-Version"] == "2.0.0"


def test_a_reply_answered_with_the_id_header_only(httpserver: HTTPServer) -> None:
    httpserver.expect_request(comments_path(QUESTION), method="POST").respond_with_data(
        "", status=201, headers={"x-restli-id": "7260600000000000007"}
    )
    adapter = LinkedInAdapter(linkedin_channel(httpserver))
    sent = adapter.send(OutboundMessage(text="Yes!", recipient="x", in_reply_to=QUESTION))
    assert sent.external_id == f"urn:li:comment:({UGC_POST},7260600000000000007)"


def test_a_reply_must_answer_a_comment(httpserver: HTTPServer) -> None:
    adapter = LinkedInAdapter(linkedin_channel(httpserver))
    with pytest.raises(AdapterError, match="a LinkedIn reply answers a comment"):
        adapter.send(OutboundMessage(text="Merci", recipient="x", in_reply_to=SHARE))
    assert httpserver.log == []


def test_a_channel_without_a_token_cannot_poll(httpserver: HTTPServer) -> None:
    with pytest.raises(AdapterError, match="no access token: connect it first"):
        LinkedInAdapter(linkedin_channel(httpserver, token="")).poll({})
    assert httpserver.log == []


def test_linkedin_is_registered_and_polled(httpserver: HTTPServer) -> None:
    assert "linkedin" in POLLED_KINDS
    assert isinstance(adapter_for(linkedin_channel(httpserver)), LinkedInAdapter)


@pytest.mark.django_db
def test_polling_a_linkedin_channel_stores_each_comment_once(httpserver: HTTPServer) -> None:
    serve_organization(httpserver)
    channel = do_create_channel(
        WorkspaceFactory.create(),
        kind="linkedin",
        name="Maison Lumière sur LinkedIn",
        settings={"organization_urn": ORGANIZATION, "api_url": httpserver.url_for("/")},
        secrets={"access_token": TOKEN},
    )

    first = poll_channel(channel)

    assert first.error == ""
    assert first.report is not None
    assert (first.report.stored, first.report.duplicates, len(first.report.rejected)) == (4, 0, 1)
    stored = Message.objects.filter(channel=channel)
    assert set(stored.values_list("external_id", "in_reply_to_external_id")) == {
        (FIRST, ""),
        (REPLY, FIRST),
        (COMPLAINT, ""),
        (QUESTION, ""),
    }

    again = poll_channel(channel)
    assert again.report is not None
    assert (again.report.stored, again.report.duplicates, again.report.rejected) == (0, 0, [])
    assert stored.count() == 4
