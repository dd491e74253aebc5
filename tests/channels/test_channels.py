from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from comptoir.channels.actions import do_create_channel, do_set_channel_status
from comptoir.channels.config import EmailSecrets
from comptoir.channels.models import Channel, ChannelStatus
from comptoir.channels.secrets import unseal
from comptoir.workspaces.models import Event
from tests.conftest import Personas

SECRET = "imap-s3cret-value"


def make_email_channel(personas: Personas) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind="email",
        name="Service client",
        settings={"address": "service@maison.example.com", "imap_host": "127.0.0.1"},
        secrets={"imap_password": SECRET},
        actor=personas.bob,
    )


def test_settings_are_validated_per_kind(personas: Personas) -> None:
    channel = make_email_channel(personas)
    assert channel.config["address"] == "service@maison.example.com"
    assert channel.config["imap_port"] == 993
    with pytest.raises(ValidationError, match="address"):
        do_create_channel(personas.workspace_a, kind="email", name="Bad", settings={})
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        do_create_channel(
            personas.workspace_a,
            kind="mastodon",
            name="Bad",
            settings={"instance_url": "https://mastodon.test", "account": "b", "typo": 1},
        )
    assert not Channel.objects.filter(name="Bad").exists()


def test_secrets_are_encrypted_at_rest_and_never_shown(personas: Personas) -> None:
    channel = make_email_channel(personas)
    stored = Channel.objects.get(pk=channel.pk)
    assert SECRET not in stored.secrets_encrypted
    assert SECRET not in str(stored.config)
    secrets = unseal(stored)
    assert isinstance(secrets, EmailSecrets)
    assert secrets.imap_password.get_secret_value() == SECRET
    assert SECRET not in repr(secrets)
    event = Event.objects.get(verb="channel.created", subject_id=channel.pk)
    assert SECRET not in str(event.payload)


def test_secrets_never_reach_the_admin(personas: Personas, admin_client) -> None:  # type: ignore[no-untyped-def]
    channel = make_email_channel(personas)
    for url in ("/admin/channels/channel/", f"/admin/channels/channel/{channel.pk}/change/"):
        response = admin_client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert SECRET not in body
        assert channel.secrets_encrypted not in body


def test_status_changes_are_recorded(personas: Personas) -> None:
    channel = make_email_channel(personas)
    do_set_channel_status(channel, ChannelStatus.FAILING, reason="IMAP login refused")
    event = Event.objects.get(verb="channel.status_changed")
    assert event.payload == {"from": "active", "to": "failing", "reason": "IMAP login refused"}
