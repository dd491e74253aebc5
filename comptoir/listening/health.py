"""Channel health: is each channel still receiving, and is it failing?

It lives with listening rather than with the channels because it counts the messages each
channel received, and the channels app sits below the inbox that holds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from comptoir.channels.models import Channel, ChannelKind, ChannelStatus
from comptoir.inbox.models import Direction, Message
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import scoped

FAILURES_BEFORE_FAILING = 3
RECENT = timedelta(hours=24)

# How long each kind may stay quiet before it looks broken. A polled channel records every
# successful poll, even an empty one; a webhook channel hears only when someone writes.
POLLED_INTERVAL = timedelta(minutes=15)
WEBHOOK_INTERVAL = timedelta(hours=24)
EXPECTED_INTERVAL: dict[str, timedelta] = {
    ChannelKind.EMAIL: POLLED_INTERVAL,
    ChannelKind.X: POLLED_INTERVAL,
    ChannelKind.MASTODON: POLLED_INTERVAL,
    ChannelKind.BLUESKY: POLLED_INTERVAL,
    ChannelKind.LINKEDIN: POLLED_INTERVAL,
    ChannelKind.FACEBOOK: WEBHOOK_INTERVAL,
    ChannelKind.INSTAGRAM: WEBHOOK_INTERVAL,
    ChannelKind.WEBHOOK: WEBHOOK_INTERVAL,
    ChannelKind.WEB_CHAT: WEBHOOK_INTERVAL,
}
DEFAULT_FEED_MINUTES = 30
# Kinds whose platform posts to us, at /api/v1/hooks/{id} or, for the generic webhook,
# /api/v1/channels/{id}/events.
HOOK_KINDS = frozenset({ChannelKind.FACEBOOK, ChannelKind.INSTAGRAM, ChannelKind.X})
WATCHED = (ChannelStatus.ACTIVE, ChannelStatus.FAILING)


def expected_interval(channel: Channel) -> timedelta:
    if channel.kind == ChannelKind.FEED:
        minutes = channel.config.get("poll_minutes", DEFAULT_FEED_MINUTES)
        return timedelta(minutes=minutes if isinstance(minutes, int) else DEFAULT_FEED_MINUTES)
    return EXPECTED_INTERVAL.get(channel.kind, WEBHOOK_INTERVAL)


def webhook_path(channel: Channel) -> str:
    """Where the platform must send its events, or "" for a channel that only polls."""
    if channel.kind == ChannelKind.WEBHOOK:
        return f"/api/v1/channels/{channel.pk}/events"
    if channel.kind in HOOK_KINDS:
        return f"/api/v1/hooks/{channel.pk}"
    return ""


@dataclass(frozen=True)
class ChannelHealth:
    channel: Channel
    events_24h: int
    expected_interval: timedelta
    silent: bool
    failing: bool
    webhook_path: str

    @property
    def healthy(self) -> bool:
        return not (self.silent or self.failing)

    @property
    def expected_minutes(self) -> int:
        return int(self.expected_interval.total_seconds() // 60)

    @property
    def expected_hours(self) -> int:
        return self.expected_minutes // 60


def assess(channel: Channel, events_24h: int, now: datetime) -> ChannelHealth:
    interval = expected_interval(channel)
    heard = channel.last_received_at or channel.created_at
    watched = channel.status in WATCHED
    return ChannelHealth(
        channel=channel,
        events_24h=events_24h,
        expected_interval=interval,
        silent=watched and now - heard > interval,
        failing=channel.status == ChannelStatus.FAILING
        or channel.consecutive_failures >= FAILURES_BEFORE_FAILING,
        webhook_path=webhook_path(channel),
    )


def channel_health(
    workspace: Workspace | None = None, *, now: datetime | None = None
) -> list[ChannelHealth]:
    """Every channel of ``workspace`` (of all workspaces when None), by name: two queries."""
    now = now or timezone.now()
    channels = Channel.objects.defer("secrets_encrypted", "poll_state").select_related("workspace")
    messages = Message.objects.all()
    if workspace is not None:
        channels = channels.filter(workspace=workspace)
        messages = scoped(Message, workspace)
    recent = dict(
        messages.filter(created_at__gte=now - RECENT, direction=Direction.INBOUND)
        .values_list("channel_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return [
        assess(channel, recent.get(channel.pk, 0), now)
        for channel in channels.order_by("workspace__name", "name", "id")
    ]
