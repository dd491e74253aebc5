"""The REST router of cases: the list, one case, its conversations, notes and timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, TypeVar

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from comptoir.cases import queries
from comptoir.cases.actions import (
    CaseError,
    do_add_case_note,
    do_assign_case,
    do_attach_conversation,
    do_change_case_priority,
    do_change_case_status,
    do_detach_conversation,
    do_open_case,
)
from comptoir.cases.models import Case, CaseCategory, CaseConversation, CaseStatus, SlaPolicy
from comptoir.inbox.api import ConversationOut, ThreadMessageOut
from comptoir.inbox.models import Conversation, Priority
from comptoir.pagination import Page, paginate
from comptoir.people.api import OrganizationRef, PersonRef
from comptoir.people.models import Organization, Person, Tier
from comptoir.rest import (
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
from comptoir.workspaces.models import Event, Seat, Team, Workspace
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability

router = Router(tags=["cases"])

_M = TypeVar("_M", bound=models.Model)
NOTE_ORDERING = ("-created_at", "-id")


class TeamRef(Schema):
    id: int
    name: str


class PolicyRef(Schema):
    id: int
    name: str


class CaseOut(Schema):
    id: int
    number: int
    title: str
    person: PersonRef | None
    organization: OrganizationRef | None
    category: CaseCategory
    priority: Priority
    tier: Tier
    status: CaseStatus
    owner: SeatRef | None
    team: TeamRef | None
    policy: PolicyRef | None
    opened_at: datetime
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    resolution_due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    close_reason: str
    paused_at: datetime | None = Field(description="Set while the SLA clocks are paused.")
    first_response_breached_at: datetime | None
    resolution_breached_at: datetime | None
    updated_at: datetime


class CaseParams(Schema):
    status: CaseStatus | Literal["active"] | None = Field(
        None, description='A status, or "active" for any case not resolved or closed.'
    )
    owner: str | None = Field(
        None, pattern=r"^(none|[1-9]\d{0,17})$", description='A seat id, or "none" for unowned.'
    )
    category: CaseCategory | None = None
    priority: Priority | None = None
    sla: Literal["breached", "at_risk"] | None = Field(
        None, description="Cases past a due time, or warned and not past it yet."
    )
    person: RowId | None = None
    conversation: RowId | None = None

    def to_filter(self) -> queries.CaseFilter:
        return queries.CaseFilter(
            status=self.status or "",
            owner=self.owner or "",
            category=self.category or "",
            priority=self.priority or "",
            sla=self.sla or "",
            person_id=self.person,
            conversation_id=self.conversation,
        )


class CaseIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    person_id: RowId | None = None
    organization_id: RowId | None = None
    category: CaseCategory = CaseCategory.OTHER
    priority: Priority = Priority.NORMAL
    owner_id: RowId | None = None
    team_id: RowId | None = None
    policy_id: RowId | None = Field(None, description="The workspace's default when left out.")
    conversation_ids: list[RowId] = Field(default_factory=list, max_length=50)


class CasePatch(Schema):
    """The fields given change; ``owner_id`` or ``team_id`` sent as null unassigns."""

    status: CaseStatus | None = None
    reason: str = Field("", max_length=200, description="Required when closing.")
    priority: Priority | None = None
    owner_id: RowId | None = None
    team_id: RowId | None = None


class AttachIn(Schema):
    conversation_id: RowId


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=5000)


class NoteOut(Schema):
    id: int
    actor: SeatRef | None
    text: str
    created_at: datetime

    @staticmethod
    def resolve_text(event: Event) -> str:
        return str(event.payload.get("text", ""))


class LinkOut(Schema):
    conversation: ConversationOut
    added_at: datetime
    added_by: SeatRef | None


class TimelineEventOut(Schema):
    id: int
    verb: str
    actor: SeatRef | None
    payload: dict[str, Any]
    created_at: datetime


class TimelineEntryOut(Schema):
    kind: Literal["event", "message"]
    at: datetime
    event: TimelineEventOut | None
    message: ThreadMessageOut | None


class TimelineOut(Schema):
    """One page of the timeline, newest first; pass ``next_cursor`` back as ``cursor``."""

    items: list[TimelineEntryOut]
    next_cursor: str | None


def _error(exc: CaseError) -> Status[Any]:
    body = {"code": "invalid", "message": exc.text, "details": {exc.field: [exc.text]}}
    return Status(400, {"error": body})


def _done(action: Callable[[], Any]) -> Status[Any]:
    try:
        return Status(200, action())
    except CaseError as exc:
        return _error(exc)


def _found(model: type[_M], workspace: Workspace, pk: int, field: str) -> _M:
    """The workspace's row named by a body field; missing and foreign read alike."""
    row = scoped(model, workspace).filter(pk=pk).first()
    if row is None:
        raise CaseError(_("Nothing with this id in this workspace."), field=field)
    return row


def _row(model: type[_M], workspace: Workspace, pk: int | None, field: str) -> _M | None:
    return None if pk is None else _found(model, workspace, pk, field)


def _case(workspace: Workspace, case_id: int) -> Case:
    return get_scoped_or_404(queries.cases(workspace), workspace, case_id)


@router.get("/cases", response=responses(PageOut[CaseOut]))
def list_cases(
    request: HttpRequest, filters: Query[CaseParams], page: Query[PageParams]
) -> Page[Case]:
    """Cases, most recently opened first."""
    workspace = reading(request)
    return page_of(queries.cases(workspace, filters.to_filter()), queries.CASE_ORDERING, page)


@router.post("/cases", response={**responses(CaseOut), 201: CaseOut})
def create_case(request: HttpRequest, payload: CaseIn) -> Status[Any]:
    """Open a case; its SLA clocks start now."""
    workspace = workspace_for(request, Capability.CONVERSE)
    try:
        conversations = [
            _found(Conversation, workspace, pk, "conversation_ids")
            for pk in dict.fromkeys(payload.conversation_ids)
        ]
        case = do_open_case(
            workspace,
            title=payload.title,
            person=_row(Person, workspace, payload.person_id, "person_id"),
            organization=_row(Organization, workspace, payload.organization_id, "organization_id"),
            category=payload.category,
            priority=payload.priority,
            owner=_row(Seat, workspace, payload.owner_id, "owner_id"),
            team=_row(Team, workspace, payload.team_id, "team_id"),
            policy=_row(SlaPolicy, workspace, payload.policy_id, "policy_id"),
            conversations=conversations,
            actor=caller(request),
        )
    except CaseError as exc:
        return _error(exc)
    return Status(201, _case(workspace, case.pk))


@router.get("/cases/{int:case_id}", response=responses(CaseOut))
def get_case(request: HttpRequest, case_id: int) -> Case:
    workspace = reading(request)
    return _case(workspace, case_id)


@router.patch("/cases/{int:case_id}", response=responses(CaseOut))
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> Status[Any]:
    """Change the status (a reason is required to close), the priority or the owner."""
    workspace = workspace_for(request, Capability.CONVERSE)
    case = _case(workspace, case_id)
    actor = caller(request)
    given = payload.model_fields_set
    try:
        if "owner_id" in given or "team_id" in given:
            owner = (
                _row(Seat, workspace, payload.owner_id, "owner_id")
                if "owner_id" in given
                else case.owner
            )
            team = (
                _row(Team, workspace, payload.team_id, "team_id")
                if "team_id" in given
                else case.team
            )
            do_assign_case(case, owner=owner, team=team, actor=actor)
        if payload.priority is not None:
            do_change_case_priority(case, payload.priority, actor=actor)
        if payload.status is not None:
            do_change_case_status(case, payload.status, reason=payload.reason, actor=actor)
    except CaseError as exc:
        return _error(exc)
    return Status(200, _case(workspace, case.pk))


@router.get("/cases/{int:case_id}/timeline", response=responses(TimelineOut))
def case_timeline(
    request: HttpRequest, case_id: int, page: Query[PageParams]
) -> queries.TimelinePage:
    """Events of the case and messages of its conversations, newest first."""
    workspace = reading(request)
    case = _case(workspace, case_id)
    return queries.timeline(case, cursor=page.cursor, size=page.limit)


@router.get("/cases/{int:case_id}/conversations", response=responses(PageOut[LinkOut]))
def list_case_conversations(
    request: HttpRequest, case_id: int, page: Query[PageParams]
) -> Page[CaseConversation]:
    """The conversations of the case, most recently attached first."""
    workspace = reading(request)
    case = _case(workspace, case_id)
    links = CaseConversation.objects.filter(case=case).select_related(
        "conversation__channel",
        "conversation__person",
        "conversation__identity",
        "conversation__assignee",
        "added_by",
    )
    return paginate(links, ("-added_at", "-id"), cursor=page.cursor, size=page.limit)


@router.post("/cases/{int:case_id}/conversations", response=responses(LinkOut))
def attach_conversation(request: HttpRequest, case_id: int, payload: AttachIn) -> Status[Any]:
    """Attach a conversation: it counts as handled and its messages join the timeline."""
    workspace = workspace_for(request, Capability.CONVERSE)
    case = _case(workspace, case_id)

    def attach() -> CaseConversation | None:
        conversation = _found(Conversation, workspace, payload.conversation_id, "conversation_id")
        do_attach_conversation(case, conversation, actor=caller(request))
        return queries.conversation_link(case, conversation.pk)

    return _done(attach)


class DetachParams(Schema):
    conversation_id: RowId


@router.delete("/cases/{int:case_id}/conversations", response={**responses(None), 204: None})
def detach_conversation(
    request: HttpRequest, case_id: int, params: Query[DetachParams]
) -> Status[None]:
    """Detach the conversation ``conversation_id`` from the case; the conversation stays."""
    workspace = workspace_for(request, Capability.CONVERSE)
    case = _case(workspace, case_id)
    conversation = get_scoped_or_404(
        scoped(Conversation, workspace), workspace, params.conversation_id
    )
    if not do_detach_conversation(case, conversation, actor=caller(request)):
        raise Http404("not linked")
    return Status(204, None)


@router.get("/cases/{int:case_id}/notes", response=responses(PageOut[NoteOut]))
def list_case_notes(request: HttpRequest, case_id: int, page: Query[PageParams]) -> Page[Event]:
    """The internal notes of the case, newest first."""
    workspace = reading(request)
    case = _case(workspace, case_id)
    return page_of(queries.case_events(case).filter(verb="case.note"), NOTE_ORDERING, page)


@router.post("/cases/{int:case_id}/notes", response={**responses(NoteOut), 201: NoteOut})
def add_case_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Status[Any]:
    """An internal note on the case, for colleagues only."""
    workspace = workspace_for(request, Capability.CONVERSE)
    case = _case(workspace, case_id)
    try:
        note = do_add_case_note(case, payload.text, actor=caller(request))
    except CaseError as exc:
        return _error(exc)
    return Status(201, note)
