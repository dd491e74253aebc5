"""SLA settings: the workspace's business calendars and SLA policies, read and written.

Owners and managers edit them (``Capability.MANAGE_CHANNELS``). A change applies to the
clocks started or recomputed after it; running clocks keep their due times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from comptoir.cases.calendar import BusinessHours
from comptoir.cases.models import (
    BusinessCalendar,
    EscalationAction,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
    SlaTarget,
)
from comptoir.inbox.models import Priority
from comptoir.people.models import Tier
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat, Team, Workspace

CALENDAR_ORDERING = ("name", "id")
POLICY_ORDERING = ("name", "id")


@dataclass(frozen=True)
class TargetSpec:
    priority: str
    tier: str
    first_response_minutes: int
    resolution_minutes: int


@dataclass(frozen=True)
class EscalationSpec:
    trigger: str
    action: str
    target_seat_id: int | None = None
    target_team_id: int | None = None


def calendars(workspace: Workspace) -> QuerySet[BusinessCalendar]:
    return BusinessCalendar.objects.filter(workspace=workspace)


def policies(workspace: Workspace) -> QuerySet[SlaPolicy]:
    return (
        SlaPolicy.objects.filter(workspace=workspace)
        .select_related("calendar")
        .prefetch_related("targets", "escalations")
    )


# Calendars ------------------------------------------------------------------------------------


@transaction.atomic
def do_save_calendar(
    workspace: Workspace,
    *,
    actor: Seat | None,
    calendar: BusinessCalendar | None = None,
    **fields: Any,
) -> BusinessCalendar:
    """Create a calendar, or change the given fields of ``calendar``. ValidationError names
    the field at fault (time zone, schedule, holidays, holiday country, name)."""
    created = calendar is None
    calendar = calendar or BusinessCalendar(workspace=workspace)
    for name in ("name", "timezone", "schedule", "holidays", "holiday_country"):
        if name in fields and fields[name] is not None:
            setattr(calendar, name, fields[name])
    calendar.name = _name(calendar.name, gettext("A calendar needs a name."))
    hours = BusinessHours.of(calendar)  # raises ValidationError naming the field
    calendar.holiday_country = hours.country
    calendar.holidays = sorted(day.isoformat() for day in hours.closed)
    calendar.schedule = {
        str(day): [[_clock(start), _clock(end)] for start, end in spans]
        for day, spans in hours.week.items()
        if spans
    }
    taken = calendars(workspace).filter(name=calendar.name).exclude(pk=calendar.pk).exists()
    if taken:
        raise ValidationError({"name": [gettext("Another calendar has this name.")]})
    calendar.save()
    record_event(
        workspace,
        "sla.calendar_created" if created else "sla.calendar_updated",
        "business_calendar",
        calendar.pk,
        actor=actor,
        payload={"name": calendar.name, "timezone": calendar.timezone},
    )
    return calendar


def _name(value: str | None, missing: str) -> str:
    name = (value or "").strip()
    if not name:
        raise ValidationError({"name": [missing]})
    if "\x00" in name:
        raise ValidationError({"name": [gettext("Null characters are not allowed.")]})
    return name


def _clock(value: Any) -> str:
    return "24:00" if value is None else value.strftime("%H:%M")


# Policies -------------------------------------------------------------------------------------


@transaction.atomic
def do_save_policy(
    workspace: Workspace,
    *,
    actor: Seat | None,
    policy: SlaPolicy | None = None,
    name: str | None = None,
    calendar_id: int | None = None,
    is_default: bool | None = None,
    warn_before_minutes: int | None = None,
    targets: Sequence[TargetSpec] | None = None,
    escalations: Sequence[EscalationSpec] | None = None,
) -> SlaPolicy:
    """Create a policy, or change the given parts of ``policy``. ``targets`` and
    ``escalations``, when given, replace the policy's."""
    created = policy is None
    policy = policy or SlaPolicy(workspace=workspace)
    if name is not None:
        policy.name = name
    policy.name = _name(policy.name, gettext("A policy needs a name."))
    if calendar_id is not None:
        found = calendars(workspace).filter(pk=calendar_id).first()
        if found is None:
            raise ValidationError({"calendar": [gettext("No such calendar in this workspace.")]})
        policy.calendar = found
    if policy.calendar_id is None:
        raise ValidationError({"calendar": [gettext("Choose a business calendar.")]})
    if warn_before_minutes is not None:
        if warn_before_minutes < 0:
            raise ValidationError({"warn_before_minutes": [gettext("Not below zero.")]})
        policy.warn_before_minutes = warn_before_minutes
    if (
        SlaPolicy.objects.filter(workspace=workspace, name=policy.name)
        .exclude(pk=policy.pk)
        .exists()
    ):
        raise ValidationError({"name": [gettext("Another policy has this name.")]})
    checked_targets = _checked_targets(targets) if targets is not None else None
    checked_rules = (
        _checked_escalations(workspace, escalations) if escalations is not None else None
    )
    if is_default is not None:
        policy.is_default = is_default
    if policy.is_default:
        SlaPolicy.objects.filter(workspace=workspace, is_default=True).exclude(pk=policy.pk).update(
            is_default=False
        )
    policy.save()
    if checked_targets is not None:
        policy.targets.all().delete()
        SlaTarget.objects.bulk_create(
            SlaTarget(
                policy=policy,
                priority=t.priority,
                tier=t.tier,
                first_response_minutes=t.first_response_minutes,
                resolution_minutes=t.resolution_minutes,
            )
            for t in checked_targets
        )
    if checked_rules is not None:
        policy.escalations.all().delete()
        EscalationRule.objects.bulk_create(
            EscalationRule(
                policy=policy,
                trigger=r.trigger,
                action=r.action,
                target_seat_id=r.target_seat_id,
                target_team_id=r.target_team_id,
            )
            for r in checked_rules
        )
    record_event(
        workspace,
        "sla.policy_created" if created else "sla.policy_updated",
        "sla_policy",
        policy.pk,
        actor=actor,
        payload={"name": policy.name, "is_default": policy.is_default},
    )
    return policies(workspace).get(pk=policy.pk)


def _checked_targets(targets: Sequence[TargetSpec]) -> list[TargetSpec]:
    seen: set[tuple[str, str]] = set()
    for target in targets:
        if target.priority not in Priority.values or target.tier not in Tier.values:
            raise ValidationError(
                {
                    "targets": [
                        gettext("Unknown priority or tier: %(p)s/%(t)s.")
                        % {"p": target.priority, "t": target.tier}
                    ]
                }
            )
        if (target.priority, target.tier) in seen:
            raise ValidationError(
                {
                    "targets": [
                        gettext("Two targets for %(p)s/%(t)s.")
                        % {"p": target.priority, "t": target.tier}
                    ]
                }
            )
        seen.add((target.priority, target.tier))
        if target.first_response_minutes < 1 or target.resolution_minutes < 1:
            raise ValidationError({"targets": [gettext("Targets are at least one minute.")]})
        if target.first_response_minutes > target.resolution_minutes:
            raise ValidationError(
                {"targets": [gettext("The first response cannot be due after the resolution.")]}
            )
    return list(targets)


def _checked_escalations(
    workspace: Workspace, rules: Sequence[EscalationSpec]
) -> list[EscalationSpec]:
    for rule in rules:
        if (
            rule.trigger not in EscalationTrigger.values
            or rule.action not in EscalationAction.values
        ):
            raise ValidationError({"escalations": [gettext("Unknown trigger or action.")]})
        if (
            rule.target_seat_id is not None
            and not Seat.objects.filter(workspace=workspace, pk=rule.target_seat_id).exists()
        ):
            raise ValidationError({"escalations": [gettext("No such seat in this workspace.")]})
        if (
            rule.target_team_id is not None
            and not Team.objects.filter(workspace=workspace, pk=rule.target_team_id).exists()
        ):
            raise ValidationError({"escalations": [gettext("No such team in this workspace.")]})
        if rule.action == EscalationAction.REASSIGN and not (
            rule.target_seat_id or rule.target_team_id
        ):
            raise ValidationError(
                {"escalations": [gettext("Reassigning needs a seat or a team to go to.")]}
            )
    return list(rules)
