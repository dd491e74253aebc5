"""What each role may do. Views and API handlers ask ``can(seat, Capability.X)``."""

from __future__ import annotations

from enum import StrEnum

from comptoir.workspaces.models import Role, Seat


class Capability(StrEnum):
    READ = "read"
    CONVERSE = "converse"
    MANAGE_PEOPLE = "manage_people"
    MANAGE_CHANNELS = "manage_channels"
    MANAGE_WORKSPACE = "manage_workspace"
    ADVOCATE = "advocate"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OWNER: frozenset(Capability),
    Role.MANAGER: frozenset(
        {
            Capability.READ,
            Capability.CONVERSE,
            Capability.MANAGE_PEOPLE,
            Capability.MANAGE_CHANNELS,
            Capability.ADVOCATE,
        }
    ),
    Role.AGENT: frozenset({Capability.READ, Capability.CONVERSE, Capability.MANAGE_PEOPLE}),
    Role.ADVOCATE: frozenset({Capability.READ, Capability.ADVOCATE}),
    Role.VIEWER: frozenset({Capability.READ}),
}


def can(seat: Seat | None, capability: Capability) -> bool:
    if seat is None or not seat.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(seat.role, frozenset())
