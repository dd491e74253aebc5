"""Background work of outbound webhooks: reading the event log and sending deliveries.

Huey's periodic tasks run at most once a minute; the minute task schedules six passes ten
seconds apart, so an event waits about ten seconds before its delivery is made. Actions
that enqueue a delivery themselves (ping, redelivery, ingested messages) kick
``deliver_task`` after their commit instead of waiting for the next pass.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from comptoir.webhooks.dispatch import deliver_due, dispatch_events

PASSES_PER_MINUTE = 6


@db_task()  # type: ignore[untyped-decorator]  # huey is untyped
def deliver_task() -> int:
    """Send what is due now (idempotent: each delivery is claimed before it is sent)."""
    return int(deliver_due())


@db_task()  # type: ignore[untyped-decorator]  # huey is untyped
def dispatch_task() -> int:
    """Turn new events into deliveries, then send what is due."""
    dispatch_events()
    return int(deliver_due())


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def dispatch_every_ten_seconds() -> None:
    dispatch_task()
    interval = 60 // PASSES_PER_MINUTE
    for step in range(1, PASSES_PER_MINUTE):
        dispatch_task.schedule(delay=step * interval)
