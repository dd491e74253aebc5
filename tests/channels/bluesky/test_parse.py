"""Bluesky notifications, as documented, to exact InboundEvents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from comptoir.channels.bluesky.parse import parse_notification
from comptoir.channels.events import Author, InboundEvent
from comptoir.people.models import IdentityKind
from tests.channels.bluesky.conftest import payload

CLAIRE_POST = "at://did:plc:clairedubois7h3k2m5qxw4e/app.bsky.feed.post/3lbqzk2xyzc2a"
ROOT = "at://did:plc:clairedubois7h3k2m5qxw4e/app.bsky.feed.post/3lbqxroot1a2b"
PARENT = "at://did:plc:maisonlumiere4k2qz7x5dn3a/app.bsky.feed.post/3lbqyabc22k2x"


def test_a_reply_becomes_an_event_in_the_root_s_thread() -> None:
    notification = payload("notifications-newest.json")["notifications"][0]

    parsed = parse_notification(notification)

    assert parsed.event == InboundEvent(
        external_id=CLAIRE_POST,
        thread_id=ROOT,
        in_reply_to=PARENT,
        author=Author(
            kind=IdentityKind.BLUESKY,
            external_id="did:plc:clairedubois7h3k2m5qxw4e",
            handle="@claire.bsky.social",
            display_name="Claire Dubois",
            profile_url="https://bsky.app/profile/claire.bsky.social",
            avatar_url=(
                "https://cdn.bsky.app/img/avatar/plain/did:plc:clairedubois7h3k2m5qxw4e/"
                "bafkreiavatarclaire@jpeg"
            ),
        ),
        text="Toujours pas de nouvelles de ma commande 4512…",
        created_at=datetime(2026, 11, 20, 10, 41, 7, 512000, tzinfo=timezone(timedelta(hours=1))),
        visibility="public",
        kind="reply",
        language="fr",
        url="https://bsky.app/profile/claire.bsky.social/post/3lbqzk2xyzc2a",
        raw=notification,
    )
    # What a strong reference to the post needs stays in raw.
    assert parsed.event.raw["cid"] == (
        "bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a"
    )


def test_a_mention_starts_its_own_thread() -> None:
    notification = payload("notifications-older.json")["notifications"][0]

    event = parse_notification(notification).event

    assert event is not None
    uri = "at://did:plc:tomreed5r2n8w4k7j3qyv2zq/app.bsky.feed.post/3lbpw7mention2"
    assert (event.external_id, event.thread_id, event.in_reply_to) == (uri, uri, "")
    assert (event.kind, event.visibility, event.language) == ("post", "public", "en")
    assert event.created_at == datetime(2026, 11, 19, 18, 2, 44, tzinfo=UTC)
    assert event.author is not None
    assert (event.author.handle, event.author.display_name) == ("@tomreed.example.com", "")


def test_likes_are_skipped_and_broken_posts_give_a_reason() -> None:
    like = payload("notifications-newest.json")["notifications"][1]
    broken = payload("notifications-older.json")["notifications"][1]
    naive = {**broken, "record": {**broken["record"], "createdAt": "2026-11-19T18:00:00"}}

    assert parse_notification(like).skipped
    assert parse_notification(broken).error == "the notification has no 'createdAt'"
    assert parse_notification(naive).error == (
        "the notification is malformed: createdAt '2026-11-19T18:00:00' has no time zone"
    )
    assert parse_notification({**broken, "record": None}).error == (
        "the notification's record is not an app.bsky.feed.post"
    )
