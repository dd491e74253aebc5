"""Channels over the API: their kind, name, status and public settings, never a secret."""

from __future__ import annotations

from comptoir.channels.models import Channel
from tests.api.conftest import CHANNEL_SECRET, ApiClient, World


def test_a_channel_shows_its_public_settings(world: World, alice_api: ApiClient) -> None:
    channel = alice_api.ok(f"/channels/{world.a.email.pk}")
    assert channel == {
        "id": world.a.email.pk,
        "kind": "email",
        "name": "Service client a",
        "status": "active",
        "settings": {
            "address": "service@a.example.com",
            "imap_host": "127.0.0.1",
            "imap_port": 993,
            "imap_user": "",
            "imap_ssl": True,
            "imap_folder": "INBOX",
            "smtp_host": "",
            "smtp_port": 587,
            "smtp_user": "",
            "smtp_starttls": True,
        },
        "created_at": channel["created_at"],
    }
    listed = alice_api.ok("/channels")["items"]
    assert [(c["name"], c["settings"]) for c in listed] == [
        ("Service client a", channel["settings"]),
        ("X a", {"handle": "brand_a", "user_id": ""}),
    ]


def test_no_secret_ever_leaves_through_the_api(world: World, alice_api: ApiClient) -> None:
    sealed = Channel.objects.get(pk=world.a.email.pk).secrets_encrypted
    assert sealed
    for path in ("/channels", f"/channels/{world.a.email.pk}", "/openapi.json"):
        body = alice_api.get(path).content.decode()
        assert CHANNEL_SECRET not in body
        assert sealed not in body
        assert "secrets_encrypted" not in body
        assert "imap_password" not in body
