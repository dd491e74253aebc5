"""Writes on workspaces and seats, and the one way to record an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from comptoir.workspaces.models import Event, Language, Role, Seat, Workspace


def record_event(
    workspace: Workspace | int,
    verb: str,
    subject_type: str,
    subject_id: int,
    *,
    actor: Seat | None = None,
    payload: dict[str, Any] | None = None,
) -> Event:
    """Append one event. Called inside the action's transaction so both land or neither."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return Event.objects.create(
        workspace_id=workspace_id,
        actor=actor,
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        payload=payload or {},
    )


def record_events(events: Iterable[Event]) -> list[Event]:
    """Append many events in one statement (batch actions, demo building)."""
    return Event.objects.bulk_create(list(events), batch_size=1000)


@transaction.atomic
def do_create_workspace(
    *,
    name: str,
    slug: str,
    owner: User,
    owner_name: str,
    timezone: str = "Europe/Paris",
    default_language: str = Language.FRENCH,
) -> Workspace:
    workspace = Workspace(
        name=name, slug=slug, timezone=timezone, default_language=default_language
    )
    workspace.full_clean()
    workspace.save()
    seat = Seat.objects.create(
        workspace=workspace, user=owner, role=Role.OWNER, display_name=owner_name
    )
    record_event(
        workspace,
        "workspace.created",
        "workspace",
        workspace.pk,
        actor=seat,
        payload={"name": name, "slug": slug},
    )
    return workspace


@transaction.atomic
def do_add_seat(
    workspace: Workspace,
    user: User,
    *,
    role: str,
    display_name: str,
    languages: list[str] | None = None,
    actor: Seat | None = None,
) -> Seat:
    seat = Seat.objects.create(
        workspace=workspace,
        user=user,
        role=Role(role),
        display_name=display_name,
        languages=languages or [],
    )
    record_event(
        workspace,
        "seat.added",
        "seat",
        seat.pk,
        actor=actor,
        payload={"role": seat.role, "display_name": display_name},
    )
    return seat


@transaction.atomic
def do_change_role(seat: Seat, role: str, *, actor: Seat | None = None) -> Seat:
    previous = seat.role
    seat.role = Role(role)
    seat.save(update_fields=["role"])
    record_event(
        seat.workspace_id,
        "seat.role_changed",
        "seat",
        seat.pk,
        actor=actor,
        payload={"from": previous, "to": seat.role},
    )
    return seat
