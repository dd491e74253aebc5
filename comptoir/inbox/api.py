"""The REST router of conversations and messages, and of a person's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.channels.api import ChannelRef
from comptoir.inbox import actions, queries
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Priority,
    SavedReply,
    Sentiment,
    Tag,
    Urgency,
    Visibility,
)
from comptoir.pagination import MAX_PAGE_SIZE, Page
from comptoir.people.api import IdentityRef, PersonRef
from comptoir.people.models import Person
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
from comptoir.workspaces.api import SeatRef
from comptoir.workspaces.models import Language, Notification, Seat, Team
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability

router = Router(tags=["inbox"])


class TagOut(Schema):
    id: int
    name: str
    color: str


class TeamRef(Schema):
    id: int
    name: str


class ConversationOut(Schema):
    id: int
    channel: ChannelRef
    person: PersonRef | None
    identity: IdentityRef | None
    subject: str
    status: ConversationStatus
    snoozed_until: datetime | None = Field(description="When a snoozed conversation reopens.")
    closed_reason: Annotated[str | None, BlankIsNull] = Field(description="Why a person closed it.")
    unhandled_since: datetime | None = Field(
        description="Since when an inbound message waits to be answered, attached to a case "
        "or closed with a reason; null when nothing waits."
    )
    assignee: SeatRef | None
    assignee_team: TeamRef | None
    tags: list[TagOut]
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
    delivery_status: Annotated[DeliveryStatus | None, BlankIsNull] = Field(
        description="Replies only: pending, sending, sent or failed."
    )
    delivery_error: Annotated[str | None, BlankIsNull]
    delivery_attempts: int


class MessageOut(ThreadMessageOut):
    channel: ChannelRef


class NoteOut(ThreadMessageOut):
    mentioned_seats: list[SeatRef]

    @staticmethod
    def resolve_mentioned_seats(note: Message) -> list[Seat]:
        return list(note.mentioned_seats.all())


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
    team: RowId | None = Field(None, description="Assigned to this team.")
    tag: RowId | None = Field(None, description="Carrying this tag.")
    priority: Priority | None = None

    def to_filter(self) -> queries.ConversationFilter:
        return queries.ConversationFilter(
            status=self.status or "",
            channel_id=self.channel,
            assignee=self.assignee or "",
            language=self.language or "",
            person_id=self.person,
            sentiment=self.sentiment or "",
            urgency=self.urgency or "",
            team_id=self.team,
            tag_id=self.tag,
            priority=self.priority or "",
        )


@router.get("/conversations", response=responses(PageOut[ConversationOut]))
def list_conversations(
    request: HttpRequest, filters: Query[ConversationParams], page: Query[PageParams]
) -> Page[Conversation]:
    """The inbox: most recent activity first."""
    workspace = reading(request)
    rows = queries.conversations(workspace, filters.to_filter()).prefetch_related("tags")
    return page_of(rows, queries.CONVERSATION_ORDERING, page)


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


# Working the inbox ---------------------------------------------------------------------------


def _conversation_to_work(request: HttpRequest, conversation_id: int) -> Conversation:
    workspace = workspace_for(request, Capability.CONVERSE)
    return get_scoped_or_404(queries.conversation_detail(workspace), workspace, conversation_id)


class ConversationPatch(Schema):
    """Only the fields sent change; send ``assignee_id: null`` to unassign."""

    assignee_id: RowId | None = Field(None, description="A seat of the workspace, or null.")
    team_id: RowId | None = Field(None, description="A team of the workspace, or null.")
    status: ConversationStatus | None = None
    closed_reason: str = Field("", max_length=200, description="Required to close.")
    snoozed_until: datetime | None = Field(None, description="Required to snooze.")
    priority: Priority | None = None


@router.patch("/conversations/{int:conversation_id}", response=responses(ConversationOut))
def update_conversation(
    request: HttpRequest, conversation_id: int, payload: ConversationPatch
) -> Status[Any]:
    """Assign (to a seat, a team or nobody), change the status or the priority."""
    convo = _conversation_to_work(request, conversation_id)
    seat = caller(request)
    given = payload.model_fields_set
    workspace = convo.workspace
    workspace_id = workspace.pk
    with transaction.atomic():
        if given & {"assignee_id", "team_id"}:
            assignee = convo.assignee
            team = convo.assignee_team
            if "assignee_id" in given:
                assignee = _row_or_400(Seat, workspace_id, payload.assignee_id, "assignee_id")
            if "team_id" in given:
                team = _row_or_400(Team, workspace_id, payload.team_id, "team_id")
            actions.do_assign(convo, seat=assignee, team=team, actor=seat)
        if payload.status is not None:
            actions.do_set_status(
                convo,
                payload.status,
                reason=payload.closed_reason,
                snoozed_until=payload.snoozed_until,
                actor=seat,
            )
        if payload.priority is not None:
            actions.do_set_priority(convo, payload.priority, actor=seat)
    return Status(
        200, get_scoped_or_404(queries.conversation_detail(workspace), workspace, convo.pk)
    )


def _row_or_400(
    model: type[Seat] | type[Team], workspace_id: int, pk: int | None, field: str
) -> Any:
    if pk is None:
        return None
    row = scoped(model, workspace_id).filter(pk=pk).first()
    if row is None:
        raise ValidationError({field: "There is no such row in this workspace."})
    return row


class TagsChange(Schema):
    add: list[str] = Field([], description="Tag names to add; new names create the tag.")
    remove: list[str] = Field([], description="Tag names to remove.")


@router.get("/conversations/{int:conversation_id}/tags", response=responses(list[TagOut]))
def conversation_tags(request: HttpRequest, conversation_id: int) -> list[Tag]:
    workspace = reading(request)
    convo = get_scoped_or_404(scoped(Conversation, workspace), workspace, conversation_id)
    return list(convo.tags.order_by("name"))


@router.post("/conversations/{int:conversation_id}/tags", response=responses(list[TagOut]))
def tag_conversation(
    request: HttpRequest, conversation_id: int, payload: TagsChange
) -> Status[Any]:
    """Add and remove tags by name; returns the conversation's tags."""
    convo = _conversation_to_work(request, conversation_id)
    return Status(
        200,
        actions.do_tag(convo, add=payload.add, remove=payload.remove, actor=caller(request)),
    )


class NoteIn(Schema):
    text: str = Field(
        min_length=1,
        max_length=10000,
        description="The note; @DisplayName or @FirstName notifies that colleague.",
    )


@router.get("/conversations/{int:conversation_id}/notes", response=responses(PageOut[NoteOut]))
def list_notes(
    request: HttpRequest, conversation_id: int, page: Query[PageParams]
) -> Page[Message]:
    """The conversation's internal notes, newest first."""
    workspace = reading(request)
    convo = get_scoped_or_404(scoped(Conversation, workspace), workspace, conversation_id)
    return page_of(queries.notes(convo), queries.THREAD_ORDERING, page)


@router.post(
    "/conversations/{int:conversation_id}/notes", response={**responses(NoteOut), 201: NoteOut}
)
def add_note(request: HttpRequest, conversation_id: int, payload: NoteIn) -> Status[Any]:
    """An internal note, never sent to the person; mentioned colleagues are notified."""
    convo = _conversation_to_work(request, conversation_id)
    note = actions.do_add_note(convo, seat=caller(request), text=payload.text)
    return Status(201, note)


@router.get("/conversations/unhandled", response=responses(PageOut[ConversationOut]))
def list_unhandled(request: HttpRequest, page: Query[PageParams]) -> Page[Conversation]:
    """Conversations with an inbound message not yet answered, attached to a case or closed
    with a reason: the longest-waiting first."""
    workspace = reading(request)
    rows = queries.unhandled(workspace).prefetch_related("tags")
    return page_of(rows, queries.UNHANDLED_ORDERING, page)


# Tags and saved replies ----------------------------------------------------------------------


class TagIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    color: str = Field("", pattern=r"^(#[0-9a-fA-F]{6})?$")


@router.get("/tags", response=responses(PageOut[TagOut]))
def list_tags(request: HttpRequest, page: Query[PageParams]) -> Page[Tag]:
    """The workspace's tags, by name."""
    workspace = reading(request)
    return page_of(queries.tags(workspace), queries.NAME_ORDERING, page)


@router.post("/tags", response={**responses(TagOut), 201: TagOut})
def create_tag(request: HttpRequest, payload: TagIn) -> Status[Any]:
    """A new tag; an existing name (any case) returns that tag."""
    workspace = workspace_for(request, Capability.CONVERSE)
    tag = actions.do_create_tag(
        workspace, name=payload.name, color=payload.color, actor=caller(request)
    )
    return Status(201, tag)


class SavedReplyOut(Schema):
    id: int
    title: str
    language: Language
    body: str = Field(description="May hold {first_name}, {name} and {agent_name}.")
    created_by: SeatRef | None
    created_at: datetime


class SavedReplyIn(Schema):
    title: str = Field(min_length=1, max_length=120)
    language: Language
    body: str = Field(min_length=1, max_length=10000)


class SavedReplyPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=120)
    language: Language | None = None
    body: str | None = Field(None, min_length=1, max_length=10000)


@router.get("/saved-replies", response=responses(PageOut[SavedReplyOut]))
def list_saved_replies(request: HttpRequest, page: Query[PageParams]) -> Page[SavedReply]:
    workspace = reading(request)
    rows = queries.saved_replies(workspace).select_related("created_by")
    return page_of(rows, queries.SAVED_REPLY_ORDERING, page)


@router.post("/saved-replies", response={**responses(SavedReplyOut), 201: SavedReplyOut})
def create_saved_reply(request: HttpRequest, payload: SavedReplyIn) -> Status[Any]:
    workspace = workspace_for(request, Capability.CONVERSE)
    saved = actions.do_create_saved_reply(workspace, actor=caller(request), **payload.model_dump())
    return Status(201, saved)


@router.get("/saved-replies/{int:saved_reply_id}", response=responses(SavedReplyOut))
def get_saved_reply(request: HttpRequest, saved_reply_id: int) -> SavedReply:
    workspace = reading(request)
    return get_scoped_or_404(queries.saved_replies(workspace), workspace, saved_reply_id)


@router.patch("/saved-replies/{int:saved_reply_id}", response=responses(SavedReplyOut))
def update_saved_reply(
    request: HttpRequest, saved_reply_id: int, payload: SavedReplyPatch
) -> Status[Any]:
    workspace = workspace_for(request, Capability.CONVERSE)
    saved = get_scoped_or_404(queries.saved_replies(workspace), workspace, saved_reply_id)
    fields = payload.model_dump(exclude_none=True)
    return Status(200, actions.do_update_saved_reply(saved, actor=caller(request), **fields))


@router.delete("/saved-replies/{int:saved_reply_id}", response={**responses(None), 204: None})
def delete_saved_reply(request: HttpRequest, saved_reply_id: int) -> Status[None]:
    workspace = workspace_for(request, Capability.CONVERSE)
    saved = get_scoped_or_404(queries.saved_replies(workspace), workspace, saved_reply_id)
    actions.do_delete_saved_reply(saved, actor=caller(request))
    return Status(204, None)


# Notifications -------------------------------------------------------------------------------


class NotificationOut(Schema):
    id: int
    verb: str = Field(description='What happened: "note.mention", ...')
    subject_type: str
    subject_id: int
    text: str
    created_at: datetime
    read_at: datetime | None


class NotificationParams(Schema):
    unread: bool = Field(False, description="Only the unread ones.")


class NotificationsRead(Schema):
    ids: list[RowId] | None = Field(
        None, max_length=MAX_PAGE_SIZE, description="Those to mark read; null for all."
    )


class NotificationsReadOut(Schema):
    marked: int
    unread: int


@router.get("/notifications", response=responses(PageOut[NotificationOut]), tags=["notifications"])
def list_notifications(
    request: HttpRequest, params: Query[NotificationParams], page: Query[PageParams]
) -> Page[Notification]:
    """The token's seat's notifications (its @mentions, ...), newest first."""
    reading(request)
    rows = queries.notifications_of(caller(request), unread=params.unread)
    return page_of(rows, queries.NOTIFICATION_ORDERING, page)


@router.patch("/notifications", response=responses(NotificationsReadOut), tags=["notifications"])
def mark_notifications_read(request: HttpRequest, payload: NotificationsRead) -> dict[str, int]:
    """Mark notifications read: those named, or all."""
    reading(request)
    seat = caller(request)
    marked = actions.do_mark_notifications_read(seat, payload.ids)
    return {"marked": marked, "unread": queries.unread_count(seat)}
