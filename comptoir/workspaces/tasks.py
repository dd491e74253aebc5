"""Worker liveness: a periodic heartbeat, so the UI and CLI can tell whether a worker runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, periodic_task

HEARTBEAT_KEY = "comptoir:worker-heartbeat"
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


@periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def record_worker_heartbeat() -> str:
    """Store the time of this run in the queue's own storage (SQLite or Redis)."""
    now = timezone.now().isoformat()
    HUEY.put(HEARTBEAT_KEY, now)
    return now


def worker_last_seen() -> datetime | None:
    raw = HUEY.get(HEARTBEAT_KEY, peek=True)
    return datetime.fromisoformat(raw) if raw else None


def worker_seems_alive() -> bool:
    seen = worker_last_seen()
    return seen is not None and timezone.now() - seen < HEARTBEAT_STALE_AFTER
