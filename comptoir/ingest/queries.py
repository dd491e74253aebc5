"""Reads about ingestion shared by the web UI, the API and the commands."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Length, Substr

from comptoir.channels.models import Channel
from comptoir.ingest.models import RejectedEvent, RejectedStatus
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import scoped

REJECTED_ORDERING = ("-received_at", "-id")
# What a list shows of each raw payload; the whole of it is one click (or one GET) away.
RAW_HEAD = 4000


@dataclass(frozen=True)
class RejectedFilter:
    status: str = ""
    channel_id: int | None = None


def rejected_events(
    workspace: Workspace, filters: RejectedFilter | None = None
) -> QuerySet[RejectedEvent]:
    """Rejected events, newest first, with the head of their payload (never all of it: a
    rejected 10 MB text must not be read fifty times to draw one page)."""
    filters = filters or RejectedFilter()
    rows = (
        scoped(RejectedEvent, workspace)
        .select_related("channel")
        .defer("raw", "raw_bytes", "channel__secrets_encrypted", "channel__poll_state")
        .annotate(raw_head=Substr("raw", 1, RAW_HEAD), raw_length=Length("raw"))
    )
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.channel_id is not None:
        rows = rows.filter(channel_id=filters.channel_id)
    return rows


def rejected_event_detail(workspace: Workspace) -> QuerySet[RejectedEvent]:
    """Rejected events with their whole payload, for one at a time."""
    return (
        scoped(RejectedEvent, workspace)
        .select_related("channel")
        .defer("channel__secrets_encrypted", "channel__poll_state")
        .annotate(raw_head=Substr("raw", 1, RAW_HEAD), raw_length=Length("raw"))
    )


def pending_rejected_count(workspace: Workspace | int) -> int:
    return scoped(RejectedEvent, workspace).filter(status=RejectedStatus.PENDING).count()


class ChannelLookupError(LookupError):
    """No channel, or several, answer to a name; the message says which and what to do."""


def channel_named(name: str, workspace_slug: str = "") -> Channel:
    """The channel called ``name``; names are unique per workspace, so the workspace is
    needed only when several workspaces have a channel of that name."""
    found = Channel.objects.filter(name=name).select_related("workspace")
    if workspace_slug:
        found = found.filter(workspace__slug=workspace_slug)
    channels = list(found[:10])
    if len(channels) == 1:
        return channels[0]
    if not channels:
        where = f" in the workspace {workspace_slug!r}" if workspace_slug else ""
        raise ChannelLookupError(f"no channel is named {name!r}{where}")
    slugs = ", ".join(sorted(c.workspace.slug for c in channels))
    raise ChannelLookupError(
        f"several workspaces have a channel named {name!r} ({slugs}); add --workspace SLUG"
    )


def workspace_with_slug(slug: str) -> Workspace:
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        raise LookupError(f"no workspace has the slug {slug!r}")
    return workspace
