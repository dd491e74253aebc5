"""``comptoir channels add`` and ``comptoir channels test``, beside ``status``."""

from __future__ import annotations

import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import unseal
from tests.conftest import Personas

SLUG = "maison-lumiere"
SECRET = "cli-s3cr3t-7777"


def run(*args: str) -> str:
    out = StringIO()
    call_command("channels", *args, stdout=out)
    return out.getvalue()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_add_stores_settings_and_seals_secrets(personas: Personas) -> None:
    out = run(
        "add",
        "--workspace",
        SLUG,
        "--kind",
        "email",
        "--name",
        "Shop",
        "--set",
        "address=shop@maison-lumiere.fr",
        "--set",
        "imap_port=143",
        "--set",
        "imap_ssl=false",
        "--secret",
        f"imap_password={SECRET}",
    )
    channel = Channel.objects.get(workspace=personas.workspace_a, name="Shop")
    assert f"Added the email channel 'Shop' (id {channel.pk})." in out
    assert SECRET not in out
    assert channel.config["imap_port"] == 143
    assert channel.config["imap_ssl"] is False
    assert unseal(channel).imap_password.get_secret_value() == SECRET  # type: ignore[attr-defined]


def test_a_secret_without_value_is_asked_for(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def fake_getpass(prompt: str) -> str:
        asked.append(prompt)
        return SECRET

    monkeypatch.setattr("comptoir.channels.management.commands.channels.getpass", fake_getpass)
    out = run(
        "add",
        "--workspace",
        SLUG,
        "--kind",
        "facebook",
        "--name",
        "Page",
        "--set",
        "page_id=1001",
        "--secret",
        "app_secret",
    )
    channel = Channel.objects.get(name="Page")
    assert asked == ["app_secret: "]
    assert unseal(channel).app_secret.get_secret_value() == SECRET  # type: ignore[attr-defined]
    assert f"/api/v1/hooks/{channel.pk}" in out


def test_list_settings_take_comma_separated_values(personas: Personas) -> None:
    run(
        "add",
        "--workspace",
        SLUG,
        "--kind",
        "web_chat",
        "--name",
        "Chat",
        "--set",
        "allowed_origins=https://a.example, https://b.example",
    )
    channel = Channel.objects.get(name="Chat")
    assert channel.config["allowed_origins"] == ["https://a.example/", "https://b.example/"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "nowhere", "--kind", "feed", "--name", "F"], "no workspace has the slug"),
        (["--workspace", SLUG, "--kind", "feed", "--name", "F"], "settings: url: Field required"),
        (
            ["--workspace", SLUG, "--kind", "feed", "--name", "F", "--set", "colour=red"],
            "feed channels have no setting 'colour'",
        ),
        (
            ["--workspace", SLUG, "--kind", "feed", "--name", "F", "--set", "url"],
            "write KEY=VALUE",
        ),
        (
            [
                "--workspace",
                SLUG,
                "--kind",
                "x",
                "--name",
                "X",
                "--set",
                "handle=a",
                "--secret",
                "nope=1",
            ],
            "secrets: nope: Extra inputs are not permitted",
        ),
    ],
)
def test_add_refuses_in_one_line(personas: Personas, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as refused:
        run("add", *args)
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)
    assert not Channel.objects.filter(workspace=personas.workspace_a).exists()


def test_add_refuses_a_taken_name(personas: Personas) -> None:
    args = [
        "--workspace",
        SLUG,
        "--kind",
        "feed",
        "--name",
        "Blog",
        "--set",
        "url=https://a.example",
    ]
    run("add", *args)
    with pytest.raises(CommandError, match="has a channel named 'Blog'"):
        run("add", *args)


def test_test_reports_the_error_of_a_closed_port(personas: Personas) -> None:
    run(
        "add",
        "--workspace",
        SLUG,
        "--kind",
        "email",
        "--name",
        "Closed",
        "--set",
        "address=shop@maison-lumiere.fr",
        "--set",
        "imap_host=127.0.0.1",
        "--set",
        f"imap_port={closed_port()}",
        "--set",
        "imap_ssl=false",
    )
    with pytest.raises(CommandError, match="connection failed: "):
        run("test", "Closed", "--workspace", SLUG)
    channel = Channel.objects.get(name="Closed")
    assert channel.poll_state == {}


def test_test_explains_a_webhook_channel(personas: Personas) -> None:
    run("add", "--workspace", SLUG, "--kind", ChannelKind.WEBHOOK, "--name", "Hook")
    channel = Channel.objects.get(name="Hook")
    out = run("test", "Hook", "--workspace", SLUG)
    assert f"must send its events to /api/v1/channels/{channel.pk}/events" in out


def test_test_names_a_missing_channel(personas: Personas) -> None:
    with pytest.raises(CommandError, match="has no channel named 'Ghost'"):
        run("test", "Ghost", "--workspace", SLUG)


def test_status_still_works(personas: Personas) -> None:
    assert run("status") == "No channels.\n"
