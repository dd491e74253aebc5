"""The REST router of tenancy: who the token speaks for."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from comptoir.rest import caller, reading, responses
from comptoir.workspaces.models import Language, Role, Seat
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
