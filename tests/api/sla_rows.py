"""SLA settings rows for the endpoint tables: each workspace's default calendar and policy,
made on demand (each call returns the same rows), and the ids of those a workspace holds."""

from __future__ import annotations

from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import BusinessCalendar, SlaPolicy
from comptoir.workspaces.models import Workspace
from tests.api.conftest import Side


def policy_of(side: Side) -> SlaPolicy:
    workspace = Workspace.objects.get(pk=side.complaint.workspace_id)
    return ensure_default_policy(workspace)


def calendar_of(side: Side) -> BusinessCalendar:
    return policy_of(side).calendar


def policy_ids(side: Side) -> set[int]:
    """Whatever policies the workspace holds (a case opened there makes the default)."""
    rows = SlaPolicy.objects.filter(workspace_id=side.complaint.workspace_id)
    return set(rows.values_list("pk", flat=True))


def calendar_ids(side: Side) -> set[int]:
    rows = BusinessCalendar.objects.filter(workspace_id=side.complaint.workspace_id)
    return set(rows.values_list("pk", flat=True))
