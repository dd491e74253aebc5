"""Mastodon notifications, as documented, to exact InboundEvents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from comptoir.channels.events import Attachment, Author, InboundEvent
from comptoir.channels.mastodon.parse import account_key, parse_notification
from comptoir.people.models import IdentityKind
from tests.channels.mastodon.conftest import payload

HOST = "mastodon.example"


def test_a_public_reply_mentioning_the_brand_becomes_a_reply_event() -> None:
    notification = payload("notifications-newest.json")[0]

    parsed = parse_notification(notification, instance_host=HOST)

    assert parsed.event == InboundEvent(
        external_id="113520458126870001",
        thread_id="113519002211330000",
        in_reply_to="113519002211330000",
        author=Author(
            kind=IdentityKind.MASTODON,
            external_id="marie@piaille.fr",
            handle="@marie@piaille.fr",
            display_name="Marie Dupont",
            profile_url="https://piaille.fr/@marie",
            avatar_url="https://files.piaille.fr/accounts/avatars/109/312/748/original/marie.png",
            declared=["https://atelier-dupont.example.fr", "marie.dupont@example.fr"],
        ),
        text="@maison Ma commande n°4512 est arrivée cassée.\nQue faire ?\n\nPhoto jointe.",
        html=notification["status"]["content"],
        created_at=datetime(2026, 11, 20, 9, 41, 6, 998000, tzinfo=UTC),
        visibility="public",
        kind="reply",
        language="fr",
        url="https://piaille.fr/@marie/113520458100000000",
        attachments=[
            Attachment(
                name="5f0a.jpg",
                content_type="image/jpeg",
                url="https://files.piaille.fr/media_attachments/files/113/520/457/original/5f0a.jpg",
            )
        ],
        raw=notification,
    )


def test_a_direct_mention_from_a_local_account_stays_private() -> None:
    notification = payload("notifications-newest.json")[1]

    event = parse_notification(notification, instance_host=HOST).event

    assert event is not None
    assert (event.visibility, event.kind) == ("private", "direct")
    # No thread id: the pipeline files it in the person's running private thread.
    assert (event.external_id, event.thread_id, event.in_reply_to) == ("113520163300000002", "", "")
    assert event.author == Author(
        kind=IdentityKind.MASTODON,
        external_id="jean@mastodon.example",
        handle="@jean@mastodon.example",
        display_name="jean",
        profile_url="https://mastodon.example/@jean",
        avatar_url="https://mastodon.example/avatars/original/missing.png",
    )


def test_an_unlisted_post_is_public_and_starts_its_own_thread() -> None:
    notification = payload("notifications-older.json")[0]

    event = parse_notification(notification, instance_host=HOST).event

    assert event is not None
    assert (event.visibility, event.kind, event.language) == ("public", "post", "en")
    assert (event.thread_id, event.in_reply_to) == ("113516551200000003", "")
    assert event.text == "Lovely service from @maison today, thank you!"
    assert event.author is not None
    assert event.author.declared == ["https://sam.example.net/"]


def test_broken_items_give_reasons_and_other_types_are_skipped() -> None:
    no_date, no_status, favourite = payload("notifications-malformed.json")

    assert parse_notification(no_date, instance_host=HOST).error == (
        "the status has no 'created_at'"
    )
    assert parse_notification(no_status, instance_host=HOST).error == (
        "the mention carries no status"
    )
    assert parse_notification(favourite, instance_host=HOST).skipped
    assert parse_notification([], instance_host=HOST).error == (
        "the notification is not a JSON object"
    )


@pytest.mark.parametrize(
    ("acct", "key"),
    [
        ("jean", "jean@mastodon.example"),
        ("Marie@Piaille.FR", "marie@piaille.fr"),
        ("@sam@hachyderm.io", "sam@hachyderm.io"),
    ],
)
def test_an_account_key_is_user_at_host_in_lower_case(acct: str, key: str) -> None:
    assert account_key(acct, HOST) == key
