"""Background work of the pipeline: polling channels and scoring merge suggestions."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from comptoir.ingest.polling import poll_due_channels


@db_task()  # type: ignore[untyped-decorator]  # huey is untyped
def suggest_merges_task(workspace_id: int, person_ids: list[int]) -> int:
    """Score weak signals for people a batch created or touched (idempotent)."""
    from comptoir.people.resolution import suggest_merges
    from comptoir.workspaces.models import Workspace

    workspace = Workspace.objects.filter(pk=workspace_id).first()
    if workspace is None:
        return 0
    return suggest_merges(workspace, person_ids)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def poll_channels_task() -> int:
    """Poll every active channel that can poll and whose interval has elapsed."""
    return poll_due_channels()
