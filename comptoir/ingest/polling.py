"""Polling: ask a channel's adapter for what is new, ingest it, then move the bookmark.

The new poll state is saved only after the events it covers are committed: a crash in
between makes the next poll fetch them again, and the pipeline counts them as duplicates.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from comptoir.channels.adapters import AdapterError, adapter_for
from comptoir.channels.models import Channel, ChannelStatus
from comptoir.ingest.models import Source
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate, IngestReport

logger = logging.getLogger(__name__)

FAILURES_BEFORE_FAILING = 3
POLLED_KINDS = ("bluesky", "email", "feed", "linkedin", "mastodon", "x")


@dataclass(frozen=True)
class PollOutcome:
    channel: Channel
    report: IngestReport | None
    ignored: int = 0
    error: str = ""


def poll_channel(channel: Channel) -> PollOutcome:
    """One poll of one channel, in the foreground. Errors are recorded, not raised."""
    try:
        adapter = adapter_for(channel)
        result = adapter.poll(dict(channel.poll_state))
    except AdapterError as exc:
        return _failed(channel, str(exc))
    candidates = [Candidate(location=e.external_id, payload=e) for e in result.events]
    candidates += [
        Candidate(location=where, payload=None, raw=raw, error=reason)
        for where, raw, reason in result.unreadable
    ]
    report = ingest(channel.workspace, channel, candidates, source=Source.POLL)
    Channel.objects.filter(pk=channel.pk).update(
        poll_state=result.state,
        last_received_at=timezone.now(),
        consecutive_failures=0,
        last_error="",
    )
    Channel.objects.filter(pk=channel.pk, status=ChannelStatus.FAILING).update(
        status=ChannelStatus.ACTIVE
    )
    channel.refresh_from_db()
    return PollOutcome(channel, report, ignored=result.ignored)


def _failed(channel: Channel, error: str) -> PollOutcome:
    logger.warning("polling channel %s (%s) failed: %s", channel.pk, channel.name, error)
    Channel.objects.filter(pk=channel.pk).update(
        last_error=error[:2000],
        last_error_at=timezone.now(),
        consecutive_failures=F("consecutive_failures") + 1,
    )
    Channel.objects.filter(
        pk=channel.pk,
        status=ChannelStatus.ACTIVE,
        consecutive_failures__gte=FAILURES_BEFORE_FAILING,
    ).update(status=ChannelStatus.FAILING)
    channel.refresh_from_db()
    return PollOutcome(channel, None, error=error)


def pollable_channels() -> list[Channel]:
    return list(
        Channel.objects.filter(
            kind__in=POLLED_KINDS, status__in=[ChannelStatus.ACTIVE, ChannelStatus.FAILING]
        ).select_related("workspace")
    )


def poll_due_channels() -> int:
    """Poll every active pollable channel once; one channel's failure never stops the rest."""
    polled = 0
    for channel in pollable_channels():
        outcome = poll_channel(channel)
        polled += outcome.error == ""
    return polled
