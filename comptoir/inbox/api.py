"""The REST router of conversations and messages, and of a person's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.channels.api import ChannelRef
from comptoir.inbox import queries
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageKind,
    Priority,
    Sentiment,
    Urgency,
    Visibility,
)
from comptoir.pagination import Page
from comptoir.people.api import IdentityRef, PersonRef
from comptoir.people.models import Person
from comptoir.rest import BlankIsNull, PageOut, PageParams, RowId, page_of, reading, responses
from comptoir.workspaces.api import SeatRef
from comptoir.workspaces.queries import get_scoped_or_404, scoped

router = Router(tags=["inbox"])


class ConversationOut(Schema):
    id: int
    channel: ChannelRef
    person: PersonRef | None
    identity: IdentityRef | None
    subject: str
    status: ConversationStatus
    assignee: SeatRef | None
    priority: Priority
    language: Annotated[str | None, BlankIsNull]
    first_inbound_at: datetime | None
    first_response_at: datetime | None
    last_activity_at: datetime
    message_count: int
    last_message_preview: str
    created_at: datetime


class ThreadMessageOut(Schema):
    """A message as its conversation shows it: the channel is the conversation's."""

    id: int
    conversation_id: int
    channel_id: int
    direction: Direction
    visibility: Visibility
    kind: MessageKind
    author_identity: IdentityRef | None
    author_seat: SeatRef | None
    external_id: str | None
    in_reply_to_id: int | None
    text: str
    html: str
    attachments: list[dict[str, Any]]
    url: str
    sent_at: datetime
    created_at: datetime
    language: Annotated[str | None, BlankIsNull]
    sentiment_label: Annotated[Sentiment | None, BlankIsNull]
    sentiment_score: float | None
    intents: dict[str, Any]
    urgency: Annotated[Urgency | None, BlankIsNull]


class MessageOut(ThreadMessageOut):
    channel: ChannelRef


class ConversationParams(Schema):
    status: ConversationStatus | None = None
    channel: RowId | None = None
    assignee: str | None = Field(
        None, pattern=r"^(none|[1-9]\d{0,17})$", description='A seat id, or "none" for unassigned.'
    )
    language: str | None = None
    person: RowId | None = None
    sentiment: Sentiment | None = None
    urgency: Urgency | None = None

    def to_filter(self) -> queries.ConversationFilter:
        return queries.ConversationFilter(
            status=self.status or "",
            channel_id=self.channel,
            assignee=self.assignee or "",
            language=self.language or "",
            person_id=self.person,
            sentiment=self.sentiment or "",
            urgency=self.urgency or "",
        )


@router.get("/conversations", response=responses(PageOut[ConversationOut]))
def list_conversations(
    request: HttpRequest, filters: Query[ConversationParams], page: Query[PageParams]
) -> Page[Conversation]:
    """The inbox: most recent activity first."""
    workspace = reading(request)
    return page_of(
        queries.conversations(workspace, filters.to_filter()), queries.CONVERSATION_ORDERING, page
    )


@router.get("/conversations/{int:conversation_id}", response=responses(ConversationOut))
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    workspace = reading(request)
    return get_scoped_or_404(queries.conversation_detail(workspace), workspace, conversation_id)


@router.get(
    "/conversations/{int:conversation_id}/messages",
    response=responses(PageOut[ThreadMessageOut]),
)
def list_conversation_messages(
    request: HttpRequest, conversation_id: int, page: Query[PageParams]
) -> Page[Message]:
    """The thread, newest first, notes included."""
    workspace = reading(request)
    conversation = get_scoped_or_404(scoped(Conversation, workspace), workspace, conversation_id)
    return page_of(queries.thread(conversation), queries.THREAD_ORDERING, page)


@router.get("/messages/{int:message_id}", response=responses(MessageOut))
def get_message(request: HttpRequest, message_id: int) -> Message:
    workspace = reading(request)
    return get_scoped_or_404(queries.messages(workspace), workspace, message_id)


@router.get(
    "/people/{int:person_id}/timeline", response=responses(PageOut[MessageOut]), tags=["people"]
)
def person_timeline(request: HttpRequest, person_id: int, page: Query[PageParams]) -> Page[Message]:
    """Every message with this person on every channel, newest first."""
    workspace = reading(request)
    person = get_scoped_or_404(scoped(Person, workspace), workspace, person_id)
    return page_of(queries.person_timeline(person), queries.TIMELINE_ORDERING, page)
