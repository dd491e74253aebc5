"""Writes on workspaces and seats, and the one way to record an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from comptoir.workspaces.models import Event, Language, Role, Seat, Team, Workspace


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


def _check_team_name(workspace_id: int, name: str, *, exclude: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("A team needs a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("Keep the name under 120 characters.")})
    clash = Team.objects.filter(workspace_id=workspace_id, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError({"name": _("A team with this name exists already.")})
    return name


def _members_of(workspace_id: int, seat_ids: Iterable[int]) -> list[Seat]:
    wanted = set(seat_ids)
    seats = list(Seat.objects.filter(workspace_id=workspace_id, pk__in=wanted))
    if len(seats) != len(wanted):
        raise ValidationError({"members": _("Some of these seats are not in this workspace.")})
    return seats


@transaction.atomic
def do_create_team(
    workspace: Workspace,
    *,
    name: str,
    member_ids: Iterable[int] = (),
    actor: Seat | None = None,
) -> Team:
    team = Team.objects.create(workspace=workspace, name=_check_team_name(workspace.pk, name))
    members = _members_of(workspace.pk, member_ids)
    team.members.add(*members)
    record_event(
        workspace,
        "team.created",
        "team",
        team.pk,
        actor=actor,
        payload={"name": team.name, "members": sorted(s.pk for s in members)},
    )
    return team


@transaction.atomic
def do_rename_team(team: Team, name: str, *, actor: Seat | None = None) -> Team:
    previous = team.name
    team.name = _check_team_name(team.workspace_id, name, exclude=team.pk)
    team.save(update_fields=["name"])
    record_event(
        team.workspace_id,
        "team.renamed",
        "team",
        team.pk,
        actor=actor,
        payload={"from": previous, "to": team.name},
    )
    return team


@transaction.atomic
def do_change_team_members(
    team: Team,
    *,
    add: Iterable[int] = (),
    remove: Iterable[int] = (),
    actor: Seat | None = None,
) -> Team:
    """Add and remove members by seat id; seats of another workspace are refused."""
    added = _members_of(team.workspace_id, add)
    removed = _members_of(team.workspace_id, remove)
    team.members.add(*added)
    team.members.remove(*removed)
    record_event(
        team.workspace_id,
        "team.members_changed",
        "team",
        team.pk,
        actor=actor,
        payload={"added": sorted(s.pk for s in added), "removed": sorted(s.pk for s in removed)},
    )
    return team


@transaction.atomic
def do_delete_team(team: Team, *, actor: Seat | None = None) -> None:
    """Delete the team; conversations assigned to it keep their seat, if any."""
    pk, name = team.pk, team.name
    team.delete()
    record_event(team.workspace_id, "team.deleted", "team", pk, actor=actor, payload={"name": name})
