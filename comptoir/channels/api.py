"""The REST router of channels: what is connected, never how it authenticates.

The output schema names its fields one by one, so the encrypted secrets cannot leak through
a new column; ``config`` holds only the kind's public settings (see ``channels.config``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.channels.models import Channel, ChannelKind, ChannelStatus
from comptoir.pagination import Page
from comptoir.rest import PageOut, PageParams, page_of, reading, responses
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import get_scoped_or_404, scoped

router = Router(tags=["channels"])

CHANNEL_ORDERING = ("name", "id")


def _channels(workspace: Workspace) -> QuerySet[Channel]:
    # The encrypted secrets are not even read on this path.
    return scoped(Channel, workspace).defer("secrets_encrypted")


class ChannelRef(Schema):
    id: int
    kind: ChannelKind
    name: str


class ChannelOut(Schema):
    id: int
    kind: ChannelKind
    name: str
    status: ChannelStatus
    settings: dict[str, Any] = Field(
        validation_alias="config", description="The kind's public settings; never secrets."
    )
    created_at: datetime


@router.get("/channels", response=responses(PageOut[ChannelOut]))
def list_channels(request: HttpRequest, page: Query[PageParams]) -> Page[Channel]:
    """The connected accounts, mailboxes and feeds of the workspace, by name."""
    workspace = reading(request)
    return page_of(_channels(workspace), CHANNEL_ORDERING, page)


@router.get("/channels/{int:channel_id}", response=responses(ChannelOut))
def get_channel(request: HttpRequest, channel_id: int) -> Channel:
    workspace = reading(request)
    return get_scoped_or_404(_channels(workspace), workspace, channel_id)
