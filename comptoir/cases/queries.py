"""Reads about cases shared by the web UI and the API: the list, one case, its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db.models import Q, QuerySet

from comptoir.cases.actions import OPEN_STATUSES
from comptoir.cases.models import Case, CaseConversation
from comptoir.inbox.models import Conversation, Direction, Message
from comptoir.pagination import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    InvalidCursorError,
    decode_cursor,
    encode_cursor,
)
from comptoir.understanding.intents import AFTER_SALES
from comptoir.workspaces.models import Event, Workspace

CASE_ORDERING = ("-opened_at", "-id")
UNASSIGNED = "none"
BREACHED = "breached"
AT_RISK = "at_risk"


@dataclass(frozen=True)
class CaseFilter:
    status: str = ""  # a CaseStatus, "active" for any unfinished one, or ""
    owner: str = ""  # a seat id, "none" for unassigned, or "" for anyone
    category: str = ""
    priority: str = ""
    sla: str = ""  # "breached", "at_risk" (warned, not breached yet), or ""
    person_id: int | None = None
    conversation_id: int | None = None


ACTIVE = "active"


def cases(workspace: Workspace | int, flt: CaseFilter | None = None) -> QuerySet[Case]:
    """The cases list, filtered, with each row's relations joined. Paginate with
    CASE_ORDERING: the case_list indexes serve the status and owner filters."""
    flt = flt or CaseFilter()
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    qs = Case.objects.filter(workspace_id=workspace_id)
    if flt.status == ACTIVE:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif flt.status:
        qs = qs.filter(status=flt.status)
    if flt.owner == UNASSIGNED:
        qs = qs.filter(owner__isnull=True)
    elif flt.owner.isdigit():
        qs = qs.filter(owner_id=int(flt.owner))
    if flt.category:
        qs = qs.filter(category=flt.category)
    if flt.priority:
        qs = qs.filter(priority=flt.priority)
    if flt.sla == BREACHED:
        qs = qs.filter(
            Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False),
            status__in=OPEN_STATUSES,
        )
    elif flt.sla == AT_RISK:
        qs = qs.filter(
            Q(first_response_warned_at__isnull=False, first_response_breached_at__isnull=True)
            | Q(resolution_warned_at__isnull=False, resolution_breached_at__isnull=True),
            status__in=OPEN_STATUSES,
        )
    if flt.person_id is not None:
        qs = qs.filter(person_id=flt.person_id)
    if flt.conversation_id is not None:
        qs = qs.filter(links__conversation_id=flt.conversation_id)
    return qs.select_related("person", "organization", "owner", "team", "policy")


def open_case_count(workspace: Workspace | int) -> int:
    """How many cases are still being worked on: read on the case_list_status index."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Case.objects.filter(workspace_id=workspace_id, status__in=OPEN_STATUSES).count()


def cases_of_conversation(conversation: Conversation) -> list[Case]:
    """The cases a conversation belongs to, newest first."""
    return list(
        cases(conversation.workspace_id, CaseFilter(conversation_id=conversation.pk)).order_by(
            *CASE_ORDERING
        )
    )


def linked_conversations(case: Case) -> QuerySet[Conversation]:
    return (
        Conversation.objects.filter(workspace_id=case.workspace_id, case_links__case=case)
        .select_related("channel", "person", "identity")
        .order_by("-last_activity_at", "-id")
    )


def conversation_link(case: Case, conversation_id: int) -> CaseConversation | None:
    return (
        CaseConversation.objects.filter(case=case, conversation_id=conversation_id)
        .select_related("conversation__channel", "added_by")
        .first()
    )


def attachable_conversations(
    workspace: Workspace, case: Case, search: str, *, limit: int = 10
) -> list[Conversation]:
    """Conversations to attach, found by id, subject or person's name; the case's own
    person's come first when the search is empty."""
    qs = Conversation.objects.filter(workspace=workspace).exclude(case_links__case=case)
    search = search.strip().lstrip("#")
    if search.isdigit():
        qs = qs.filter(pk=int(search))
    elif search:
        qs = qs.filter(
            Q(subject__icontains=search)
            | Q(person__display_name__icontains=search)
            | Q(identity__handle__icontains=search)
        )
    elif case.person_id is not None:
        qs = qs.filter(person_id=case.person_id)
    else:
        return []
    return list(qs.select_related("channel", "person").order_by("-last_activity_at", "-id")[:limit])


def asks_for_after_sales(conversation: Conversation) -> bool:
    """Whether an inbound message of the conversation carries the after-sales intent."""
    return Message.objects.filter(
        conversation=conversation, direction=Direction.INBOUND, intents__has_key=AFTER_SALES
    ).exists()


# The timeline -------------------------------------------------------------------------------

EVENT, MESSAGE = 0, 1  # at equal times, messages come before events (newest first)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline: an event of the case or a message of its conversations."""

    kind: Literal["event", "message"]
    at: datetime
    pk: int
    event: Event | None = None
    message: Message | None = None

    @property
    def rank(self) -> int:
        return EVENT if self.kind == "event" else MESSAGE


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineEntry]
    next_cursor: str | None


def _encode(entry: TimelineEntry) -> str:
    return encode_cursor([entry.at, entry.rank, entry.pk])


def _decode(cursor: str) -> tuple[datetime, int, int]:
    try:
        at, rank, pk = decode_cursor(cursor)
        when = datetime.fromisoformat(at)
    except (ValueError, TypeError) as exc:
        raise InvalidCursorError("cursor is not valid") from exc
    if (
        when.tzinfo is None
        or rank not in (EVENT, MESSAGE)
        or not isinstance(pk, int)
        or isinstance(pk, bool)
    ):
        raise InvalidCursorError("cursor does not belong to this list")
    return when, rank, pk


def case_events(case: Case) -> QuerySet[Event]:
    return Event.objects.filter(
        workspace_id=case.workspace_id, subject_type="case", subject_id=case.pk
    ).select_related("actor")


def case_messages(case: Case) -> QuerySet[Message]:
    return Message.objects.filter(
        workspace_id=case.workspace_id, conversation__case_links__case=case
    ).select_related("author_identity", "author_seat", "channel", "conversation")


def timeline(
    case: Case, *, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> TimelinePage:
    """The case's events merged with the messages of its conversations, newest first.

    Keyset-paginated on (time, kind, id) over both sources: each page reads at most
    ``size + 1`` rows of each, whatever the length of the history.
    """
    size = max(1, min(size, MAX_PAGE_SIZE))
    events = case_events(case)
    messages = case_messages(case)
    if cursor:
        at, rank, pk = _decode(cursor)
        if rank == MESSAGE:
            events = events.filter(created_at__lte=at)
            messages = messages.filter(Q(sent_at__lt=at) | Q(sent_at=at, id__lt=pk))
        else:
            events = events.filter(Q(created_at__lt=at) | Q(created_at=at, id__lt=pk))
            messages = messages.filter(sent_at__lt=at)
    entries = [
        TimelineEntry("event", e.created_at, e.pk, event=e)
        for e in events.order_by("-created_at", "-id")[: size + 1]
    ] + [
        TimelineEntry("message", m.sent_at, m.pk, message=m)
        for m in messages.order_by("-sent_at", "-id")[: size + 1]
    ]
    entries.sort(key=lambda e: (e.at, e.rank, e.pk), reverse=True)
    page = entries[:size]
    next_cursor = _encode(page[-1]) if len(entries) > size and page else None
    return TimelinePage(items=page, next_cursor=next_cursor)
