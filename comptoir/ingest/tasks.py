"""Background work of the pipeline: polling channels, scoring merge suggestions and
refining readings with the optional strong analyzer."""

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


@db_task()  # type: ignore[untyped-decorator]  # huey is untyped
def refine_readings_task(workspace_id: int, message_ids: list[int]) -> int:
    """Refine stored inbound messages' sentiment with the strong analyzer, if configured."""
    from comptoir.ingest.reanalysis import refine

    return refine(workspace_id, message_ids)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def poll_channels_task() -> int:
    """Poll every active channel that can poll and whose interval has elapsed."""
    return poll_due_channels()
