"""Background work of the inbox: sending replies, retrying them, waking snoozed
conversations. Each task is safe to run twice: a reply is claimed before it is sent."""

from __future__ import annotations

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from comptoir.inbox.actions import wake_snoozed_conversations
from comptoir.inbox.replies import deliver, retry_due_deliveries


@db_task()  # type: ignore[untyped-decorator]  # huey is untyped
def send_message_task(message_id: int) -> str:
    """Send one stored reply (enqueued when its transaction commits)."""
    return deliver(message_id)


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def retry_deliveries_task() -> int:
    """Send the replies that are due: failed ones after their backoff, pending ones a task
    missed; settle the ones a stopped worker left in sending."""
    return retry_due_deliveries()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def wake_snoozed_task() -> int:
    """Reopen the snoozed conversations whose time has come."""
    return wake_snoozed_conversations(timezone.now())
