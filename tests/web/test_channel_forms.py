"""Connecting a channel from the UI: the kind's form, write-only secrets, and the dry test."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import unseal
from comptoir.workspaces.models import Event
from tests.conftest import Personas

SECRET = "s3cr3t-never-shown-4242"
SLUG = "maison-lumiere"

# Each kind's required settings, one of its secrets (or none), and a setting to check.
KINDS: dict[str, tuple[dict[str, str], str, tuple[str, Any] | None]] = {
    ChannelKind.EMAIL: (
        {"address": "shop@maison-lumiere.fr", "imap_host": "imap.example.test", "imap_ssl": "on"},
        "imap_password",
        ("imap_port", 993),
    ),
    ChannelKind.X: ({"handle": "maison", "user_id": "123"}, "bearer_token", ("user_id", "123")),
    ChannelKind.FACEBOOK: ({"page_id": "1001"}, "app_secret", ("page_id", "1001")),
    ChannelKind.INSTAGRAM: ({"page_id": "1002"}, "verify_token", ("page_id", "1002")),
    ChannelKind.LINKEDIN: (
        {"organization_urn": "urn:li:organization:42"},
        "access_token",
        ("api_url", "https://api.linkedin.com/"),
    ),
    ChannelKind.MASTODON: (
        {"instance_url": "https://mastodon.example", "account": "maison"},
        "access_token",
        ("account", "maison"),
    ),
    ChannelKind.BLUESKY: (
        {"handle": "maison.bsky.social"},
        "app_password",
        ("handle", "maison.bsky.social"),
    ),
    ChannelKind.FEED: ({"url": "https://blog.example/feed"}, "", ("poll_minutes", 30)),
    ChannelKind.WEBHOOK: ({}, "signing_secret", None),
    ChannelKind.WEB_CHAT: (
        {"allowed_origins": "https://a.example\nhttps://b.example"},
        "",
        ("allowed_origins", ["https://a.example/", "https://b.example/"]),
    ),
}


def new_url(kind: str = "") -> str:
    url = reverse("web:channel_new", args=[SLUG])
    return f"{url}?kind={kind}" if kind else url


def edit_url(channel: Channel) -> str:
    return reverse("web:channel_edit", args=[SLUG, channel.pk])


def check_url(channel: Channel) -> str:
    return reverse("web:channel_test", args=[SLUG, channel.pk])


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_the_kind_picker_lists_every_kind(bob_client: Client) -> None:
    body = bob_client.get(new_url()).content.decode()
    for kind in ChannelKind.values:
        assert f"?kind={kind}" in body


def test_the_form_follows_the_kinds_models(bob_client: Client) -> None:
    body = bob_client.get(new_url(ChannelKind.EMAIL)).content.decode()
    assert 'type="email" name="address"' in body
    assert 'type="number" name="imap_port"' in body
    assert 'value="993"' in body
    assert 'type="checkbox" name="imap_ssl"' in body
    assert 'type="password" name="secret_imap_password"' in body
    assert "IMAP server" in body
    body = bob_client.get(new_url(ChannelKind.FEED)).content.decode()
    assert 'type="url" name="url"' in body


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_is_created_through_the_form(
    personas: Personas, bob_client: Client, kind: str
) -> None:
    settings, secret, check = KINDS[kind]
    key, expected = check or ("", None)
    data = {"name": f"My {kind}", **settings}
    if secret:
        data[f"secret_{secret}"] = SECRET
    response = bob_client.post(new_url(kind), data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body
    channel = Channel.objects.get(workspace=personas.workspace_a, name=f"My {kind}")
    assert channel.kind == kind
    if key:
        assert channel.config[key] == expected
    assert SECRET not in channel.secrets_encrypted
    if secret:
        assert getattr(unseal(channel), secret).get_secret_value() == SECRET
    events = Event.objects.filter(subject_type="channel", subject_id=channel.pk)
    assert SECRET not in str(list(events.values_list("payload", flat=True)))
    # The page after saving is the edit form, with the address to paste for webhook kinds.
    if kind in {"facebook", "instagram", "x"}:
        assert f"http://testserver/api/v1/hooks/{channel.pk}" in body
    elif kind == "webhook":
        assert f"http://testserver/api/v1/channels/{channel.pk}/events" in body
    else:
        assert "/api/v1/" not in body


def edited(personas: Personas) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind=ChannelKind.EMAIL,
        name="Shop",
        settings={"address": "shop@maison-lumiere.fr", "imap_host": "imap.example.test"},
        secrets={"imap_password": SECRET, "smtp_password": "smtp-old"},
    )


def test_the_edit_form_prefills_settings_and_never_shows_secrets(
    personas: Personas, bob_client: Client
) -> None:
    channel = edited(personas)
    body = bob_client.get(edit_url(channel)).content.decode()
    assert 'value="imap.example.test"' in body
    assert SECRET not in body
    assert "smtp-old" not in body
    assert "Stored — leave blank to keep." in body
    # A failed save renders the form again, still without the secret typed in.
    response = bob_client.post(
        edit_url(channel), {"name": "Shop", "address": "nope", "secret_imap_password": SECRET}
    )
    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_a_blank_secret_keeps_and_a_filled_one_replaces(
    personas: Personas, bob_client: Client
) -> None:
    channel = edited(personas)
    data = {
        "name": "Shop desk",
        "address": "desk@maison-lumiere.fr",
        "imap_host": "imap2.example.test",
        "imap_port": "143",
        "secret_imap_password": "",
        "secret_smtp_password": "smtp-new",
    }
    response = bob_client.post(edit_url(channel), data)
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.name == "Shop desk"
    assert channel.config["imap_host"] == "imap2.example.test"
    assert channel.config["imap_port"] == 143
    assert channel.config["imap_ssl"] is False
    secrets = unseal(channel)
    assert secrets.imap_password.get_secret_value() == SECRET  # type: ignore[attr-defined]
    assert secrets.smtp_password.get_secret_value() == "smtp-new"  # type: ignore[attr-defined]
    event = Event.objects.filter(subject_id=channel.pk, verb="channel.updated").get()
    assert event.payload["secrets_replaced"] == ["smtp_password"]
    assert "smtp-new" not in str(event.payload)


@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        (ChannelKind.EMAIL, {"address": "not-an-address"}, "address", "valid email address"),
        (
            ChannelKind.EMAIL,
            {"address": "a@maison-lumiere.fr", "imap_port": "70000"},
            "imap_port",
            "less than or equal to 65535",
        ),
        (ChannelKind.LINKEDIN, {"organization_urn": "acme"}, "organization_urn", "expected format"),
        (
            ChannelKind.MASTODON,
            {"instance_url": "nowhere", "account": "a"},
            "instance_url",
            "full web address",
        ),
        (ChannelKind.X, {"handle": "maison", "user_id": "abc"}, "user_id", "expected format"),
        (ChannelKind.FEED, {}, "url", "required"),
    ],
)
def test_validation_errors_are_shown_next_to_the_field(
    personas: Personas,
    bob_client: Client,
    kind: str,
    data: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = bob_client.post(new_url(kind), {"name": "Bad", **data})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert message in response.content.decode()
    assert not Channel.objects.filter(name="Bad").exists()


def test_a_taken_name_is_refused(personas: Personas, bob_client: Client) -> None:
    edited(personas)
    response = bob_client.post(
        new_url(ChannelKind.FEED), {"name": "Shop", "url": "https://a.example"}
    )
    assert response.status_code == 200
    assert "has this name" in response.content.decode()


def test_only_managers_connect_channels(
    personas: Personas, alice_client: Client, bob_client: Client, charlie_client: Client
) -> None:
    channel = edited(personas)
    for url in (new_url(), new_url(ChannelKind.FEED), edit_url(channel)):
        assert alice_client.get(url).status_code == 403
        assert charlie_client.get(url).status_code == 404
    assert alice_client.post(check_url(channel)).status_code == 403
    assert charlie_client.post(check_url(channel)).status_code == 404
    assert (
        alice_client.post(
            new_url(ChannelKind.FEED), {"name": "F", "url": "https://a.example"}
        ).status_code
        == 403
    )
    assert not Channel.objects.filter(name="F").exists()
    # The Channels page offers the buttons to those who may use them.
    listing = reverse("web:channels", args=[SLUG])
    assert new_url() in bob_client.get(listing).content.decode()
    assert edit_url(channel) in bob_client.get(listing).content.decode()
    assert new_url() not in alice_client.get(listing).content.decode()
    assert edit_url(channel) not in alice_client.get(listing).content.decode()


def test_another_workspaces_channel_is_not_found(
    personas: Personas, charlie_client: Client
) -> None:
    channel = edited(personas)
    url = reverse("web:channel_edit", args=["other-corp", channel.pk])
    assert charlie_client.get(url).status_code == 404


def test_testing_an_email_channel_on_a_closed_port_shows_the_error(
    personas: Personas, bob_client: Client
) -> None:
    channel = do_create_channel(
        personas.workspace_a,
        kind=ChannelKind.EMAIL,
        name="Closed",
        settings={
            "address": "shop@maison-lumiere.fr",
            "imap_host": "127.0.0.1",
            "imap_port": closed_port(),
            "imap_ssl": False,
        },
        secrets={"imap_password": SECRET},
    )
    response = bob_client.post(check_url(channel), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Connection failed:" in body
    assert SECRET not in body
    channel.refresh_from_db()
    assert channel.poll_state == {}
    assert channel.last_error == ""


def test_testing_a_webhook_channel_says_what_the_platform_must_call(
    personas: Personas, bob_client: Client
) -> None:
    channel = do_create_channel(
        personas.workspace_a, kind=ChannelKind.FACEBOOK, name="Page", settings={"page_id": "1"}
    )
    body = bob_client.post(check_url(channel)).content.decode()
    assert f"must send its events to http://testserver/api/v1/hooks/{channel.pk}" in body


def test_testing_only_answers_a_post(personas: Personas, bob_client: Client) -> None:
    assert bob_client.get(check_url(edited(personas))).status_code == 405


def test_secrets_sealed_with_another_key_can_be_filled_in_again(
    personas: Personas, bob_client: Client
) -> None:
    channel = edited(personas)
    Channel.objects.filter(pk=channel.pk).update(secrets_encrypted="not-a-fernet-token")
    body = bob_client.get(edit_url(channel)).content.decode()
    assert "Not set." in body
    data = {"name": "Shop", "address": "shop@maison-lumiere.fr", "secret_imap_password": "fresh"}
    assert bob_client.post(edit_url(channel), data).status_code == 302
    channel.refresh_from_db()
    assert unseal(channel).imap_password.get_secret_value() == "fresh"  # type: ignore[attr-defined]
