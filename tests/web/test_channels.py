"""Channel health: the silent and failing flags, the Channels page, and the CLI."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.channels.models import Channel, ChannelKind, ChannelStatus
from comptoir.listening.health import channel_health
from tests.conftest import Personas
from tests.factories import ChannelFactory, MessageFactory
from tests.web.conftest import WebData
from tests.web.helpers import count_queries, html

NOW = timezone.now()


def channel(personas: Personas, kind: str, name: str, **fields: object) -> Channel:
    made = ChannelFactory.create(workspace=personas.workspace_a, kind=kind, name=name)
    Channel.objects.filter(pk=made.pk).update(**fields)
    made.refresh_from_db()
    return made


@pytest.mark.parametrize(
    ("kind", "config", "quiet_for", "silent"),
    [
        (ChannelKind.EMAIL, {}, timedelta(minutes=10), False),
        (ChannelKind.EMAIL, {}, timedelta(minutes=20), True),
        (ChannelKind.MASTODON, {}, timedelta(minutes=20), True),
        (ChannelKind.FEED, {"poll_minutes": 120}, timedelta(minutes=90), False),
        (ChannelKind.FEED, {"poll_minutes": 60}, timedelta(minutes=90), True),
        (ChannelKind.WEBHOOK, {}, timedelta(hours=20), False),
        (ChannelKind.FACEBOOK, {}, timedelta(hours=25), True),
    ],
)
def test_a_channel_is_silent_past_its_expected_interval(
    personas: Personas, kind: str, config: dict[str, object], quiet_for: timedelta, silent: bool
) -> None:
    channel(personas, kind, "One", config=config, last_received_at=NOW - quiet_for)
    [health] = channel_health(personas.workspace_a, now=NOW)
    assert (health.silent, health.failing) == (silent, False)


def test_a_channel_that_never_received_counts_from_its_creation(personas: Personas) -> None:
    fresh = channel(personas, ChannelKind.EMAIL, "Fresh")
    assert channel_health(personas.workspace_a, now=fresh.created_at)[0].silent is False
    later = fresh.created_at + timedelta(hours=1)
    assert channel_health(personas.workspace_a, now=later)[0].silent is True


def test_a_paused_channel_is_not_silent(personas: Personas) -> None:
    channel(personas, ChannelKind.EMAIL, "Paused", status=ChannelStatus.PAUSED)
    later = NOW + timedelta(days=3)
    assert channel_health(personas.workspace_a, now=later)[0].healthy is True


@pytest.mark.parametrize(
    ("failures", "status", "failing"),
    [
        (2, ChannelStatus.ACTIVE, False),
        (3, ChannelStatus.ACTIVE, True),
        (0, ChannelStatus.FAILING, True),
    ],
)
def test_a_channel_is_failing_after_three_failures_or_when_marked(
    personas: Personas, failures: int, status: str, failing: bool
) -> None:
    channel(
        personas,
        ChannelKind.X,
        "X",
        consecutive_failures=failures,
        status=status,
        last_received_at=NOW,
    )
    assert channel_health(personas.workspace_a, now=NOW)[0].failing is failing


def test_events_of_the_last_24_hours_are_counted_in_one_query(
    web_data: WebData, django_assert_num_queries: Any
) -> None:
    for hours_ago in (1, 23, 25):
        message = MessageFactory.create(conversation=web_data.lost_parcel)
        type(message).objects.filter(pk=message.pk).update(
            created_at=NOW - timedelta(hours=hours_ago)
        )
    with django_assert_num_queries(2):
        health = {
            h.channel.name: h.events_24h
            for h in channel_health(web_data.personas.workspace_a, now=NOW)
        }
    # web_data's own inbound messages were stored just now: one on each channel.
    assert health == {"@maisonlumiere": 1 + 2, "Support mailbox": 1}


def test_the_channels_page_flags_and_gives_webhook_addresses(
    web_data: WebData, alice_client: Client, personas: Personas
) -> None:
    Channel.objects.filter(pk=web_data.x.pk).update(
        status=ChannelStatus.FAILING,
        consecutive_failures=4,
        last_error="HTTP 401: token expired",
        last_error_at=NOW,
    )
    hook = channel(personas, ChannelKind.WEBHOOK, "Shop", last_received_at=NOW)
    Channel.objects.filter(pk=web_data.mail.pk).update(last_received_at=NOW)
    url = reverse("web:channels", args=[web_data.slug_a])
    response = alice_client.get(url)
    body = response.content.decode()
    assert [h.channel.name for h in response.context["health"]] == [
        "@maisonlumiere",
        "Shop",
        "Support mailbox",
    ]
    assert response.context["unhealthy"] == 1
    assert "HTTP 401: token expired" in body
    assert "4 failures in a row" in body
    assert f"http://testserver/api/v1/hooks/{web_data.x.pk}" in body
    assert f"http://testserver/api/v1/channels/{hook.pk}/events" in body
    assert "B inbox" not in body
    few = count_queries(alice_client, url)
    channel(personas, ChannelKind.FEED, "Blog")
    assert count_queries(alice_client, url) == few


def test_charlie_cannot_open_the_channels_page_of_a(
    web_data: WebData, charlie_client: Client
) -> None:
    assert charlie_client.get(reverse("web:channels", args=[web_data.slug_a])).status_code == 404
    body = html(charlie_client, reverse("web:channels", args=[web_data.slug_b]))
    assert "B inbox" in body
    assert "Support mailbox" not in body


def test_the_status_command_prints_a_table_and_exits_non_zero_when_unhealthy(
    personas: Personas,
) -> None:
    channel(personas, ChannelKind.EMAIL, "Support", last_received_at=timezone.now())
    out = StringIO()
    call_command("channels", "status", "--workspace", "maison-lumiere", stdout=out)
    lines = out.getvalue().splitlines()
    assert (
        lines[0]
        == "WORKSPACE       CHANNEL  KIND   HEALTH  LAST RECEIVED           24H  LAST ERROR"
    )
    assert lines[1].split()[:4] == ["maison-lumiere", "Support", "email", "ok"]

    channel(personas, ChannelKind.X, "Broken", consecutive_failures=5, last_error="boom")
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("channels", "status", stdout=out)
    assert str(failed.value) == "1 channel(s) failing or silent: Broken"
    assert "failing" in out.getvalue()
    assert "boom (x5)" in out.getvalue()


def test_the_status_command_names_an_unknown_workspace(db: None) -> None:
    with pytest.raises(CommandError, match="no workspace has the slug 'nowhere'"):
        call_command("channels", "status", "--workspace", "nowhere", stdout=StringIO())
