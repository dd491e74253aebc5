"""Background work of cases: the SLA worker's pass, every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from comptoir.cases.sla import check_due_cases


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]  # huey is untyped
def check_sla_task() -> int:
    """Record the SLA warnings and breaches that have come and run the escalations."""
    from django.utils import timezone

    return check_due_cases(timezone.now())
