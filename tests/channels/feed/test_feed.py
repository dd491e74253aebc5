"""The feed adapter against a local HTTP server playing a publisher: parsing, conditional
GET, the poll interval, errors, and the whole way into the inbox."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.adapters import AdapterError, OutboundMessage, adapter_for
from comptoir.channels.feed import adapter as feed_adapter
from comptoir.channels.feed.adapter import FeedAdapter
from comptoir.channels.models import Channel, ChannelKind
from comptoir.inbox.models import Message
from comptoir.ingest.models import RejectedEvent
from comptoir.ingest.polling import POLLED_KINDS, poll_channel
from tests.factories import WorkspaceFactory

DATA = Path(__file__).resolve().parents[2] / "data" / "feed"
RSS = (DATA / "presse-fr-rss2.xml").read_bytes()
ATOM = (DATA / "blog-en-atom.xml").read_bytes()
HTML = (DATA / "not-a-feed.html").read_bytes()
RSS_TYPE = "application/rss+xml; charset=utf-8"
ETAG = '"5f2a-64c1"'
LAST_MODIFIED = "Mon, 16 Nov 2026 08:12:00 GMT"
SITE = "https://www.courrier-lyon.example.fr/economie/"


def feed_channel(url: str, *, poll_minutes: int = 30) -> Channel:
    """An unsaved feed channel: the adapter only reads its settings."""
    return Channel(
        kind=ChannelKind.FEED,
        name="Le Courrier de Lyon",
        config={"url": url, "poll_minutes": poll_minutes},
    )


def serve_rss(httpserver: HTTPServer, **headers: str) -> None:
    httpserver.expect_request("/economie/rss.xml").respond_with_data(
        RSS,
        content_type=RSS_TYPE,
        headers={"ETag": ETAG, "Last-Modified": LAST_MODIFIED, **headers},
    )


def poll(httpserver: HTTPServer, state: dict[str, Any] | None = None) -> Any:
    adapter = FeedAdapter(feed_channel(httpserver.url_for("/economie/rss.xml")))
    return adapter.poll(state or {})


def test_a_french_rss_feed_becomes_public_posts_and_a_malformed_item_is_set_aside(
    httpserver: HTTPServer,
) -> None:
    serve_rss(httpserver)
    before = datetime.now(tz=UTC)

    result = poll(httpserver)

    assert [event.external_id for event in result.events] == [
        "courrier-lyon-4821",
        "https://www.courrier-lyon.example.fr/economie/2026/11/15/artisans-service-apres-vente_4817.html",
        "courrier-lyon-4810",
    ]
    first, second, undated = result.events
    assert first.thread_id == "courrier-lyon-4821"
    assert first.kind == "post"
    assert first.visibility == "public"
    assert first.direction == "inbound"
    assert first.language == "fr"
    assert first.text == (
        "Maison Lumière ouvre un atelier de réparation à Villeurbanne\n\n"
        "Le fabricant de luminaires Maison Lumière inaugure un atelier où ses clients font "
        "réparer leurs lampes."
    )
    assert first.html == (
        "<p>Le fabricant de luminaires <strong>Maison Lumière</strong> inaugure un atelier où "
        "ses clients font réparer leurs lampes.</p><p>« Nous voulons que nos lampes durent "
        "trente ans », explique sa directrice.</p>"
    )
    assert first.url == (
        "https://www.courrier-lyon.example.fr/economie/2026/11/16/"
        "maison-lumiere-atelier-reparation_4821.html"
    )
    assert first.created_at == datetime(2026, 11, 16, 7, 30, tzinfo=UTC)
    assert first.author is not None
    assert first.author.model_dump(include={"kind", "external_id", "display_name", "email"}) == {
        "kind": "other",
        "external_id": f"Claire Martin <{SITE}>",
        "display_name": "Claire Martin",
        "email": "",
    }
    assert first.author.profile_url == SITE
    assert first.raw["guidislink"] is False

    # RSS <author> is "email (Name)": the address is the identity.
    assert second.author is not None
    assert second.author.external_id == "redaction@courrier-lyon.example.fr"
    assert second.author.email == "redaction@courrier-lyon.example.fr"
    assert second.author.display_name == "La rédaction"
    assert second.created_at == datetime(2026, 11, 15, 17, 5, tzinfo=UTC)
    assert second.text.endswith("une tendance qui s'installe & qui fidélise.")

    # No author, no date: the publication wrote it, when we fetched it.
    assert undated.author is not None
    assert undated.author.external_id == SITE
    assert undated.author.display_name == ""
    assert undated.url == ""
    assert before <= undated.created_at <= datetime.now(tz=UTC)

    assert len(result.unreadable) == 1
    where, raw, reason = result.unreadable[0]
    assert where == "entry 4"
    assert '"published": "Sat, 14 Nov 2026 07:00:00 +0100"' in raw
    assert reason == "Value error, an event needs a text, an HTML body or an attachment"
    assert result.ignored == 0


def test_an_english_atom_feed_keeps_content_html_and_resolves_relative_links(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/feed.atom").respond_with_data(
        ATOM, content_type="application/atom+xml"
    )
    adapter = FeedAdapter(feed_channel(httpserver.url_for("/feed.atom")))

    result = adapter.poll({})

    review, guest = result.events
    assert review.external_id == "tag:lightingtheway.example.com,2026-11-17:/maison-lumiere-review"
    assert review.language == "en"
    assert review.created_at == datetime(2026, 11, 17, 8, 30, tzinfo=UTC)  # published, not updated
    assert review.text == (
        "Why I keep recommending Maison Lumière\n\n"
        "Three years on, my Maison Lumière desk lamp still works."
    )
    assert review.html == (
        "<p>Three years on, my <em>Maison Lumière</em> desk lamp still works.</p>"
        "<p>Their repair service fixed the switch in a week.</p>"
    )
    assert review.author is not None
    assert review.author.external_id == "sam@lightingtheway.example.com"
    assert review.author.display_name == "Sam Whitaker"
    assert review.author.profile_url == "https://lightingtheway.example.com/about/"

    assert guest.created_at == datetime(2026, 11, 10, 8, 0, tzinfo=UTC)  # updated only
    assert guest.text == (
        "A guest post on dimmers\n\nTrailing-edge dimmers and LED bulbs: what to check before "
        "buying."
    )
    assert guest.html == ""  # a text summary is not HTML
    assert guest.url == httpserver.url_for("/2026/11/dimmers/")
    assert guest.author is not None
    assert guest.author.external_id == "Priya Natarajan <https://lightingtheway.example.com/>"
    assert result.unreadable == []


def test_the_state_carries_the_validators_and_an_unchanged_feed_answers_304(
    httpserver: HTTPServer,
) -> None:
    serve_rss(httpserver)
    first = poll(httpserver)
    assert first.state["etag"] == ETAG
    assert first.state["last_modified"] == LAST_MODIFIED
    assert len(first.state["unreadable"]) == 1
    fetched_at = datetime.fromisoformat(first.state["fetched_at"])
    assert fetched_at.tzinfo is not None

    httpserver.clear()
    httpserver.expect_request(
        "/economie/rss.xml",
        headers={"If-None-Match": ETAG, "If-Modified-Since": LAST_MODIFIED},
    ).respond_with_data("", status=304)
    due = {**first.state, "fetched_at": (fetched_at - timedelta(minutes=31)).isoformat()}

    second = poll(httpserver, due)

    assert second.events == []
    assert second.unreadable == []
    assert second.state["etag"] == ETAG
    assert second.state["last_modified"] == LAST_MODIFIED
    assert second.state["unreadable"] == first.state["unreadable"]
    assert datetime.fromisoformat(second.state["fetched_at"]) >= fetched_at
    (request, response), *others = httpserver.log
    assert others == []
    assert response.status_code == 304
    assert request.headers["If-None-Match"] == ETAG
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED


def test_a_first_poll_sends_no_validators(httpserver: HTTPServer) -> None:
    serve_rss(httpserver)
    poll(httpserver)
    (request, _response), *_ = httpserver.log
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers


def test_a_poll_before_the_interval_fetches_nothing(httpserver: HTTPServer) -> None:
    serve_rss(httpserver)
    recent = datetime.now(tz=UTC) - timedelta(minutes=29)
    state = {"etag": ETAG, "last_modified": LAST_MODIFIED, "fetched_at": recent.isoformat()}

    result = poll(httpserver, state)

    assert result.events == []
    assert result.state == state
    assert httpserver.log == []


def test_redirects_are_followed_and_bounded(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/old.xml").respond_with_data(
        "", status=301, headers={"Location": httpserver.url_for("/economie/rss.xml")}
    )
    serve_rss(httpserver)
    moved = FeedAdapter(feed_channel(httpserver.url_for("/old.xml"))).poll({})
    assert len(moved.events) == 3

    httpserver.expect_request("/loop.xml").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/loop.xml")}
    )
    with pytest.raises(AdapterError, match="redirects more than 5 times"):
        FeedAdapter(feed_channel(httpserver.url_for("/loop.xml"))).poll({})


@pytest.mark.parametrize(
    ("status", "message"),
    [(500, "answered HTTP 500 INTERNAL SERVER ERROR"), (404, "answered HTTP 404 NOT FOUND")],
)
def test_an_error_status_is_an_adapter_error(
    httpserver: HTTPServer, status: int, message: str
) -> None:
    httpserver.expect_request("/economie/rss.xml").respond_with_data("oops", status=status)
    with pytest.raises(AdapterError, match=message):
        poll(httpserver)


def test_an_html_page_is_not_a_feed(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/economie/rss.xml").respond_with_data(
        HTML, content_type="text/html; charset=utf-8"
    )
    with pytest.raises(AdapterError, match="answered, but not an RSS or Atom feed"):
        poll(httpserver)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        yield int(listener.getsockname()[1])


def test_a_server_that_does_not_answer_times_out(
    silent_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_adapter, "TIMEOUT", 0.2)
    adapter = FeedAdapter(feed_channel(f"http://127.0.0.1:{silent_port}/rss.xml"))
    with pytest.raises(AdapterError, match="did not answer in time"):
        adapter.poll({})


def test_a_feed_cannot_be_answered() -> None:
    adapter = FeedAdapter(feed_channel("https://www.courrier-lyon.example.fr/economie/rss.xml"))
    with pytest.raises(AdapterError, match="feeds are read-only"):
        adapter.send(OutboundMessage(text="Merci !", recipient=SITE))


def test_invalid_settings_are_an_adapter_error() -> None:
    channel = Channel(kind=ChannelKind.FEED, name="Feed", config={"url": "not a url"})
    with pytest.raises(AdapterError, match="the feed channel's settings are invalid"):
        FeedAdapter(channel).poll({})


def test_feeds_are_registered_and_polled() -> None:
    assert "feed" in POLLED_KINDS
    adapter = adapter_for(feed_channel("https://www.courrier-lyon.example.fr/economie/rss.xml"))
    assert isinstance(adapter, FeedAdapter)


@pytest.mark.django_db
def test_polling_a_feed_channel_stores_each_entry_once(httpserver: HTTPServer) -> None:
    serve_rss(httpserver)
    workspace = WorkspaceFactory.create()
    channel = do_create_channel(
        workspace,
        kind="feed",
        name="Le Courrier de Lyon",
        settings={"url": httpserver.url_for("/economie/rss.xml"), "poll_minutes": 15},
    )

    first = poll_channel(channel)

    assert first.error == ""
    assert first.report is not None
    assert (first.report.stored, first.report.duplicates) == (3, 0)
    assert len(first.report.rejected) == 1
    assert RejectedEvent.objects.filter(channel=channel).count() == 1
    stored = Message.objects.filter(channel=channel)
    assert set(stored.values_list("external_id", flat=True)) == {
        "courrier-lyon-4810",
        "courrier-lyon-4821",
        "https://www.courrier-lyon.example.fr/economie/2026/11/15/artisans-service-apres-vente_4817.html",
    }
    assert channel.poll_state["etag"] == ETAG

    # Not due yet: no request, nothing stored.
    assert poll_channel(channel).report is not None
    assert len(httpserver.log) == 1

    # Due again and the publisher ignores the validators: the same entries are duplicates.
    overdue = datetime.now(tz=UTC) - timedelta(minutes=16)
    Channel.objects.filter(pk=channel.pk).update(
        poll_state={**channel.poll_state, "fetched_at": overdue.isoformat()}
    )
    channel.refresh_from_db()
    again = poll_channel(channel)
    assert again.report is not None
    assert (again.report.stored, again.report.duplicates) == (0, 3)
    assert again.report.rejected == []  # the malformed item was reported the first time
    assert again.ignored == 1
    assert RejectedEvent.objects.filter(channel=channel).count() == 1
    assert stored.count() == 3
    assert len(httpserver.log) == 2
