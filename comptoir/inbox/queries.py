"""Reads about conversations and messages shared by the web UI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    Presence,
    SavedReply,
    Tag,
    Urgency,
)
from comptoir.people.models import Person
from comptoir.workspaces.models import Notification, Seat, Team, Workspace

CONVERSATION_ORDERING = ("-last_activity_at", "-id")
# Threads are fetched newest first (the latest 50, older on demand) and shown oldest first.
THREAD_ORDERING = ("-sent_at", "-id")
TIMELINE_ORDERING = ("-sent_at", "-id")
# The Unhandled view: the longest-waiting first (the partial index conversation_unhandled).
UNHANDLED_ORDERING = ("unhandled_since", "id")
NOTIFICATION_ORDERING = ("-created_at", "-id")
NAME_ORDERING = ("name", "id")
SAVED_REPLY_ORDERING = ("title", "language", "id")
UNASSIGNED = "none"
HIGH_OR_ABOVE = "high+"  # the urgency filter's "high or urgent"


@dataclass(frozen=True)
class ConversationFilter:
    status: str = ""
    channel_id: int | None = None
    assignee: str = ""  # a seat id, "none" for unassigned, or "" for anyone
    language: str = ""
    person_id: int | None = None
    sentiment: str = ""  # the conversation's rolled-up sentiment
    urgency: str = ""  # its highest urgency, or "high+" for high or urgent
    team_id: int | None = None
    tag_id: int | None = None
    priority: str = ""


def conversations(
    workspace: Workspace, flt: ConversationFilter | None = None
) -> QuerySet[Conversation]:
    """The inbox: conversations of the workspace, filtered, with each row's relations joined."""
    flt = flt or ConversationFilter()
    qs = Conversation.objects.filter(workspace=workspace)
    if flt.status:
        qs = qs.filter(status=flt.status)
    if flt.channel_id is not None:
        qs = qs.filter(channel_id=flt.channel_id)
    if flt.assignee == UNASSIGNED:
        qs = qs.filter(assignee__isnull=True, assignee_team__isnull=True)
    elif flt.assignee.isdigit():
        qs = qs.filter(assignee_id=int(flt.assignee))
    if flt.language:
        qs = qs.filter(language=flt.language)
    if flt.person_id is not None:
        qs = qs.filter(person_id=flt.person_id)
    if flt.sentiment:
        qs = qs.filter(sentiment=flt.sentiment)
    if flt.urgency == HIGH_OR_ABOVE:
        qs = qs.filter(urgency__in=(Urgency.HIGH, Urgency.URGENT))
    elif flt.urgency:
        qs = qs.filter(urgency=flt.urgency)
    if flt.team_id is not None:
        qs = qs.filter(assignee_team_id=flt.team_id)
    if flt.tag_id is not None:
        qs = qs.filter(tags=flt.tag_id)
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    return qs.select_related("channel", "person", "identity", "assignee", "assignee_team")


def conversation_detail(workspace: Workspace) -> QuerySet[Conversation]:
    return conversations(workspace).prefetch_related("tags")


def messages(workspace: Workspace) -> QuerySet[Message]:
    return Message.objects.filter(workspace=workspace).select_related(
        "author_identity", "author_seat", "channel"
    )


def thread(conversation: Conversation) -> QuerySet[Message]:
    """Messages of one conversation; paginate with THREAD_ORDERING (newest first)."""
    return Message.objects.filter(conversation=conversation).select_related(
        "author_identity", "author_seat"
    )


def person_timeline(person: Person) -> QuerySet[Message]:
    """Every message with this person, across all channels; paginate with TIMELINE_ORDERING."""
    return Message.objects.filter(
        workspace_id=person.workspace_id, conversation__person=person
    ).select_related("channel", "conversation", "author_identity", "author_seat")


def recent_conversations_of(
    person: Person, *, exclude: Conversation | None = None, limit: int = 5
) -> list[Conversation]:
    """The person's latest conversations on any channel, for the inbox sidebar."""
    qs = Conversation.objects.filter(workspace_id=person.workspace_id, person=person)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    # Ordered by the conversation_by_person index alone: with the id tie-break too, SQLite
    # prefers the workspace's inbox index and walks the whole inbox to find this person.
    return list(qs.select_related("channel").order_by("-last_activity_at")[:limit])


def thread_after(conversation: Conversation, sent_at: datetime, pk: int) -> QuerySet[Message]:
    """Messages shown after (sent_at, pk), oldest first: what a live thread appends. A range
    on the message_thread index, whatever the thread's length."""
    return (
        thread(conversation)
        .filter(Q(sent_at__gt=sent_at) | Q(sent_at=sent_at, pk__gt=pk))
        .order_by("sent_at", "id")
    )


def notes(conversation: Conversation) -> QuerySet[Message]:
    return thread(conversation).filter(direction=Direction.NOTE).prefetch_related("mentioned_seats")


def unhandled(workspace: Workspace | int) -> QuerySet[Conversation]:
    """Conversations with an inbound message nobody handled yet; paginate with
    UNHANDLED_ORDERING."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Conversation.objects.filter(
        workspace_id=workspace_id, unhandled_since__isnull=False
    ).select_related("channel", "person", "identity", "assignee", "assignee_team")


def unhandled_count(workspace: Workspace | int) -> int:
    """The navigation's count: a COUNT over the partial index, never over the history."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Conversation.objects.filter(
        workspace_id=workspace_id, unhandled_since__isnull=False
    ).count()


def has_activity_since(workspace: Workspace, flt: ConversationFilter, since: datetime) -> bool:
    """Whether the inbox, as filtered, has moved since ``since`` (the live list's poll)."""
    return conversations(workspace, flt).filter(last_activity_at__gt=since).exists()


def tags(workspace: Workspace | int) -> QuerySet[Tag]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Tag.objects.filter(workspace_id=workspace_id)


def teams(workspace: Workspace | int) -> QuerySet[Team]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Team.objects.filter(workspace_id=workspace_id).prefetch_related("members")


def saved_replies(workspace: Workspace | int) -> QuerySet[SavedReply]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return SavedReply.objects.filter(workspace_id=workspace_id)


def active_seats(workspace: Workspace | int) -> QuerySet[Seat]:
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Seat.objects.filter(workspace_id=workspace_id, is_active=True).order_by(
        "display_name", "id"
    )


def notifications_of(seat: Seat, *, unread: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(seat=seat)
    return rows.filter(read_at__isnull=True) if unread else rows


def unread_count(seat: Seat) -> int:
    return Notification.objects.filter(seat=seat, read_at__isnull=True).count()


def colleagues_replying(
    conversation: Conversation, seat: Seat, now: datetime | None = None
) -> list[str]:
    """Display names of the other seats typing a reply in this conversation right now."""
    return list(
        Presence.objects.filter(
            conversation=conversation, replying=True, expires_at__gt=now or timezone.now()
        )
        .exclude(seat=seat)
        .order_by("seat__display_name")
        .values_list("seat__display_name", flat=True)
    )


OPEN_STATUSES = (ConversationStatus.OPEN, ConversationStatus.PENDING)
