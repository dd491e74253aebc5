"""The SLA settings a new workspace starts with."""

from __future__ import annotations

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from comptoir.cases.models import EscalationAction, EscalationTrigger, SlaPolicy
from comptoir.cases.policies import (
    EscalationSpec,
    TargetSpec,
    calendars,
    do_save_calendar,
    do_save_policy,
    policies,
)
from comptoir.inbox.models import Priority
from comptoir.people.models import Tier
from comptoir.workspaces.models import Language, Workspace

WEEKDAY_SCHEDULE = {str(day): [["09:00", "18:00"]] for day in range(1, 6)}

# Business minutes of a 9-hour day.
_HOUR, _DAY = 60, 9 * 60
DEFAULT_TARGETS = {  # priority: (first response, resolution) for the standard tier
    Priority.URGENT: (1 * _HOUR, 8 * _HOUR),
    Priority.HIGH: (4 * _HOUR, 2 * _DAY),
    Priority.NORMAL: (1 * _DAY, 3 * _DAY),
    Priority.LOW: (2 * _DAY, 5 * _DAY),
}
TIER_FACTOR = {Tier.STRATEGIC: 0.5, Tier.KEY: 0.75, Tier.STANDARD: 1.0}


def default_targets() -> list[TargetSpec]:
    """Every priority and tier: strategic accounts get half the time, key accounts three
    quarters."""
    return [
        TargetSpec(
            priority,
            tier,
            max(1, round(first * factor)),
            max(1, round(resolution * factor)),
        )
        for priority, (first, resolution) in DEFAULT_TARGETS.items()
        for tier, factor in TIER_FACTOR.items()
    ]


@transaction.atomic
def ensure_default_policy(workspace: Workspace) -> SlaPolicy:
    """The workspace's default policy, created when it has none: Monday to Friday
    09:00-18:00 in the workspace's time zone (with French public holidays when the
    workspace speaks French), targets for every priority and tier, and managers notified
    of every breach."""
    existing = policies(workspace).filter(is_default=True).first()
    if existing is not None:
        return existing
    with translation.override(workspace.default_language):
        calendar_name = gettext("Business hours")
        policy_name = gettext("Standard")
    calendar = calendars(workspace).filter(name=calendar_name).first() or do_save_calendar(
        workspace,
        actor=None,
        name=calendar_name,
        timezone=workspace.timezone,
        schedule=WEEKDAY_SCHEDULE,
        holidays=[],
        holiday_country="FR" if workspace.default_language == Language.FRENCH else "",
    )
    taken = SlaPolicy.objects.filter(workspace=workspace, name=policy_name).first()
    return do_save_policy(
        workspace,
        actor=None,
        policy=taken,
        name=policy_name,
        calendar_id=calendar.pk,
        is_default=True,
        warn_before_minutes=30,
        targets=default_targets(),
        escalations=[
            EscalationSpec(
                EscalationTrigger.FIRST_RESPONSE_BREACH, EscalationAction.NOTIFY_MANAGER
            ),
            EscalationSpec(EscalationTrigger.RESOLUTION_BREACH, EscalationAction.NOTIFY_MANAGER),
        ],
    )
