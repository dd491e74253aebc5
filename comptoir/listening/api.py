"""The REST router of listening: rules (read by all, written by channel managers),
the stream of mentions, and the volume per rule per hour."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.channels.api import ChannelRef
from comptoir.channels.models import ChannelKind, ChannelStatus
from comptoir.inbox.models import Sentiment
from comptoir.listening import queries
from comptoir.listening.actions import do_create_rule, do_delete_rule, do_update_rule
from comptoir.listening.health import ChannelHealth, channel_health
from comptoir.listening.models import ListeningRule, Mention
from comptoir.pagination import Page
from comptoir.rest import (
    BlankIsNull,
    PageOut,
    PageParams,
    RowId,
    caller,
    page_of,
    reading,
    responses,
    workspace_for,
)
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability

router = Router(tags=["listening"])

QUERY_HELP = (
    'Terms (AND implied), OR, NOT or -term, parentheses, "exact phrases", #hashtags, '
    "@handles; case and accents ignored."
)


class RuleRef(Schema):
    id: int
    name: str


class RuleOut(Schema):
    id: int
    name: str
    query: str
    languages: list[str] = Field(description="Only posts in these languages; empty: any.")
    channel_kinds: list[ChannelKind] = Field(description="Only these kinds; empty: any.")
    is_active: bool
    created_at: datetime


class RuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    query: str = Field(description=QUERY_HELP)
    languages: list[str] = []
    channel_kinds: list[ChannelKind] = []
    is_active: bool = True


class RulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    query: str | None = Field(None, description=QUERY_HELP)
    languages: list[str] | None = None
    channel_kinds: list[ChannelKind] | None = None
    is_active: bool | None = None


class MentionOut(Schema):
    id: int
    rule: RuleRef
    channel: ChannelRef
    message_id: int
    conversation_id: int = Field(validation_alias="message.conversation_id")
    text: str = Field(validation_alias="message.text")
    url: str = Field(validation_alias="message.url")
    author: str = Field(description="The author's handle or name, as the platform shows it.")
    language: Annotated[str | None, BlankIsNull]
    sentiment: Annotated[Sentiment | None, BlankIsNull] = Field(
        validation_alias="message.sentiment_label"
    )
    sent_at: datetime
    matched_at: datetime

    @staticmethod
    def resolve_author(mention: Mention) -> str:
        identity = mention.message.author_identity
        return identity.handle or identity.display_name if identity else ""


class MentionParams(Schema):
    rule: RowId | None = None
    channel: RowId | None = None
    language: str = Field("", max_length=8)
    sentiment: Sentiment | None = None

    def to_filter(self) -> queries.MentionFilter:
        return queries.MentionFilter(
            rule_id=self.rule,
            channel_id=self.channel,
            language=self.language,
            sentiment=self.sentiment or "",
        )


class VolumeParams(Schema):
    hours: int = Field(48, ge=1, le=queries.MAX_VOLUME_HOURS)


class SeriesOut(Schema):
    rule: RuleRef
    counts: list[int] = Field(description="Mentions in each hour of `hours`, oldest first.")
    total: int


class VolumeOut(Schema):
    hours: list[datetime] = Field(description="The start of each hour (UTC), oldest first.")
    series: list[SeriesOut]


@router.get("/listening/rules", response=responses(PageOut[RuleOut]))
def list_rules(request: HttpRequest, page: Query[PageParams]) -> Page[ListeningRule]:
    """The listening rules of the workspace, by name."""
    workspace = reading(request)
    return page_of(queries.rules(workspace), queries.RULE_ORDERING, page)


@router.post("/listening/rules", response={**responses(RuleOut), 201: RuleOut})
def create_rule(request: HttpRequest, payload: RuleIn) -> Status[Any]:
    """A new rule: it catches the public posts received from now on."""
    workspace = workspace_for(request, Capability.MANAGE_CHANNELS)
    fields = payload.model_dump()
    return _saved(lambda: do_create_rule(workspace, actor=caller(request), **fields), status=201)


@router.get("/listening/rules/{int:rule_id}", response=responses(RuleOut))
def get_rule(request: HttpRequest, rule_id: int) -> ListeningRule:
    workspace = reading(request)
    return get_scoped_or_404(queries.rules(workspace), workspace, rule_id)


@router.patch("/listening/rules/{int:rule_id}", response=responses(RuleOut))
def update_rule(request: HttpRequest, rule_id: int, payload: RulePatch) -> Status[Any]:
    """Change the fields given; the mentions already caught stay."""
    workspace = workspace_for(request, Capability.MANAGE_CHANNELS)
    rule = get_scoped_or_404(queries.rules(workspace), workspace, rule_id)
    # A field left out, or sent as null, stays as it is.
    fields = payload.model_dump(exclude_none=True)
    return _saved(lambda: do_update_rule(rule, actor=caller(request), **fields))


@router.delete("/listening/rules/{int:rule_id}", response={**responses(None), 204: None})
def delete_rule(request: HttpRequest, rule_id: int) -> Status[None]:
    """Delete the rule and its mentions; the posts stay in the inbox."""
    workspace = workspace_for(request, Capability.MANAGE_CHANNELS)
    rule = get_scoped_or_404(queries.rules(workspace), workspace, rule_id)
    do_delete_rule(rule, actor=caller(request))
    return Status(204, None)


@router.get("/listening/mentions", response=responses(PageOut[MentionOut]))
def list_mentions(
    request: HttpRequest, filters: Query[MentionParams], page: Query[PageParams]
) -> Page[Mention]:
    """The public posts the rules caught, newest first."""
    workspace = reading(request)
    rows = queries.mentions(workspace, filters.to_filter())
    return page_of(rows, queries.MENTION_ORDERING, page)


@router.get("/listening/volume", response=responses(VolumeOut))
def get_volume(request: HttpRequest, params: Query[VolumeParams]) -> queries.Volume:
    """Mentions per rule per hour, over the last ``hours`` hours (the current one included)."""
    workspace = reading(request)
    return queries.volume(workspace, hours=params.hours)


def _saved(action: Callable[[], ListeningRule], *, status: int = 200) -> Status[Any]:
    """Run a rule action: the rule (a refusal is the API's 400, see api.errors)."""
    return Status(status, action())


# Channel health ------------------------------------------------------------------------------

health_router = Router(tags=["channels"])


class ChannelHealthOut(Schema):
    channel: ChannelRef
    status: ChannelStatus = Field(validation_alias="channel.status")
    last_received_at: datetime | None = Field(validation_alias="channel.last_received_at")
    last_error: Annotated[str | None, BlankIsNull] = Field(validation_alias="channel.last_error")
    last_error_at: datetime | None = Field(validation_alias="channel.last_error_at")
    consecutive_failures: int = Field(validation_alias="channel.consecutive_failures")
    events_24h: int = Field(description="Inbound messages stored in the last 24 hours.")
    expected_interval_seconds: int = Field(
        description="How long the channel may stay quiet before it is flagged silent."
    )
    silent: bool
    failing: bool
    webhook_path: Annotated[str | None, BlankIsNull] = Field(
        description="Where the platform must post events, under this server; null for a "
        "channel that is polled."
    )

    @staticmethod
    def resolve_expected_interval_seconds(health: ChannelHealth) -> int:
        return int(health.expected_interval.total_seconds())


@health_router.get("/channels/health", response=responses(list[ChannelHealthOut]))
def get_channel_health(request: HttpRequest) -> list[ChannelHealth]:
    """Every channel with its last receive, its last error and its flags, by name."""
    workspace = reading(request)
    return channel_health(workspace)
