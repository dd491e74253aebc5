"""The REST router of tenancy: who the token speaks for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.pagination import MAX_PAGE_SIZE, Page
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
from comptoir.workspaces.actions import (
    do_change_team_members,
    do_create_team,
    do_delete_team,
    do_rename_team,
)
from comptoir.workspaces.models import Language, Role, Seat, Team, Workspace
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import ROLE_CAPABILITIES, Capability

router = Router(tags=["workspace"])


class SeatRef(Schema):
    id: int
    display_name: str


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    timezone: str
    default_language: Language


class UserOut(Schema):
    id: int
    username: str
    email: str


class MeOut(Schema):
    """The seat an API token is tied to: every call acts as this seat, in this workspace."""

    id: int
    display_name: str
    role: Role
    languages: list[str]
    capabilities: list[Capability]
    user: UserOut
    workspace: WorkspaceOut

    @staticmethod
    def resolve_capabilities(seat: Seat) -> list[Capability]:
        return sorted(ROLE_CAPABILITIES.get(seat.role, frozenset()))


@router.get("/me", response=responses(MeOut))
def me(request: HttpRequest) -> Seat:
    """The token's seat: its user, role and workspace."""
    reading(request)
    return caller(request)


# Teams -------------------------------------------------------------------------------------

TEAM_ORDERING = ("name", "id")


class TeamOut(Schema):
    id: int
    name: str
    members: list[SeatRef]
    created_at: datetime

    @staticmethod
    def resolve_members(team: Team) -> list[Seat]:
        return list(team.members.all())


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    member_ids: list[RowId] = Field([], max_length=MAX_PAGE_SIZE)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    add_member_ids: list[RowId] = Field([], max_length=MAX_PAGE_SIZE)
    remove_member_ids: list[RowId] = Field([], max_length=MAX_PAGE_SIZE)


def _teams(workspace: Workspace) -> QuerySet[Team]:
    return scoped(Team, workspace).prefetch_related("members")


def _managing_teams(request: HttpRequest) -> Workspace:
    """Owners and managers shape the teams (their role may manage channels)."""
    return workspace_for(request, Capability.MANAGE_CHANNELS)


@router.get("/teams", response=responses(PageOut[TeamOut]), tags=["teams"])
def list_teams(request: HttpRequest, page: Query[PageParams]) -> Page[Team]:
    """The workspace's teams, by name, with their members."""
    return page_of(_teams(reading(request)), TEAM_ORDERING, page)


@router.post("/teams", response={**responses(TeamOut), 201: TeamOut}, tags=["teams"])
def create_team(request: HttpRequest, payload: TeamIn) -> Status[Any]:
    workspace = _managing_teams(request)
    team = do_create_team(
        workspace, name=payload.name, member_ids=payload.member_ids, actor=caller(request)
    )
    return Status(201, team)


@router.get("/teams/{int:team_id}", response=responses(TeamOut), tags=["teams"])
def get_team(request: HttpRequest, team_id: int) -> Team:
    workspace = reading(request)
    return get_scoped_or_404(_teams(workspace), workspace, team_id)


@router.patch("/teams/{int:team_id}", response=responses(TeamOut), tags=["teams"])
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch) -> Status[Any]:
    """Rename the team, add and remove members (seat ids)."""
    workspace = _managing_teams(request)
    team = get_scoped_or_404(_teams(workspace), workspace, team_id)
    actor = caller(request)
    with transaction.atomic():
        if payload.name is not None:
            do_rename_team(team, payload.name, actor=actor)
        if payload.add_member_ids or payload.remove_member_ids:
            do_change_team_members(
                team,
                add=payload.add_member_ids,
                remove=payload.remove_member_ids,
                actor=actor,
            )
    return Status(200, get_scoped_or_404(_teams(workspace), workspace, team_id))


@router.delete("/teams/{int:team_id}", response={**responses(None), 204: None}, tags=["teams"])
def delete_team(request: HttpRequest, team_id: int) -> Status[None]:
    """Delete the team; its conversations keep their seat, if any."""
    workspace = _managing_teams(request)
    do_delete_team(get_scoped_or_404(_teams(workspace), workspace, team_id), actor=caller(request))
    return Status(204, None)
