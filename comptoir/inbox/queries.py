"""Reads about conversations and messages shared by the web UI and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from comptoir.inbox.models import Conversation, Message, Urgency
from comptoir.people.models import Person
from comptoir.workspaces.models import Workspace

CONVERSATION_ORDERING = ("-last_activity_at", "-id")
# Threads are fetched newest first (the latest 50, older on demand) and shown oldest first.
THREAD_ORDERING = ("-sent_at", "-id")
TIMELINE_ORDERING = ("-sent_at", "-id")
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
        qs = qs.filter(assignee__isnull=True)
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
    return qs.select_related("channel", "person", "identity", "assignee")


def conversation_detail(workspace: Workspace) -> QuerySet[Conversation]:
    return conversations(workspace)


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
    return list(qs.select_related("channel").order_by(*CONVERSATION_ORDERING)[:limit])
