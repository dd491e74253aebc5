"""Rows of the inbox work that the API world does not build, made on demand for the
endpoint tables (each call returns the same row)."""

from __future__ import annotations

from comptoir.inbox.models import SavedReply, Tag
from comptoir.workspaces.models import Notification, Team
from tests.api.conftest import Side


def _workspace_id(side: Side) -> int:
    return side.complaint.workspace_id


def tag_ids(side: Side) -> set[int]:
    return set(Tag.objects.filter(workspace_id=_workspace_id(side)).values_list("pk", flat=True))


def saved_reply_ids(side: Side) -> set[int]:
    rows = SavedReply.objects.filter(workspace_id=_workspace_id(side))
    return set(rows.values_list("pk", flat=True))


def team_ids(side: Side) -> set[int]:
    return set(Team.objects.filter(workspace_id=_workspace_id(side)).values_list("pk", flat=True))


def notification_ids(side: Side) -> set[int]:
    rows = Notification.objects.filter(seat=side.complaint.assignee)
    return set(rows.values_list("pk", flat=True))


def saved_reply_of(side: Side) -> SavedReply:
    reply, _created = SavedReply.objects.get_or_create(
        workspace_id=_workspace_id(side),
        title="Lost parcel",
        language="fr",
        defaults={"body": "Bonjour {first_name}, {agent_name} s'en occupe."},
    )
    return reply


def team_of(side: Side) -> Team:
    team, _created = Team.objects.get_or_create(workspace_id=_workspace_id(side), name="Care")
    return team
