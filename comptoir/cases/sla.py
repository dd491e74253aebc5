"""The SLA clocks of a case: due times in business time, pauses, warnings, breaches and
escalations.

The functions that take a case change the instance only; the caller saves it inside its
own transaction. ``check_due_cases`` is the worker's pass: it reads only the cases whose
``next_check_at`` has come, records each warning and breach once, and runs the policy's
escalation rules.

The clock pauses while the case waits on the customer. No column keeps the time spent
paused: ``resume`` moves the due times not yet met by the business time the pause took,
so a due time always reads "opened at + target + business time paused". ``recompute``
recovers that paused time from the stored due time and target before applying new ones.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Min
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from comptoir import bulk
from comptoir.cases.calendar import MAX_DAYS, BusinessHours
from comptoir.cases.models import (
    BusinessCalendar,
    Case,
    EscalationAction,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
    SlaTarget,
)
from comptoir.inbox.models import DeliveryStatus, Direction, Message, Priority
from comptoir.people.models import Tier
from comptoir.workspaces.actions import record_events
from comptoir.workspaces.models import Event, Notification, Role, Seat

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
PRIORITY_STEPS = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
CLOCKS = ("first_response", "resolution")


class ClockState(models.TextChoices):
    NONE = "none", pgettext_lazy("sla clock", "No target")
    OK = "ok", pgettext_lazy("sla clock", "On time")
    WARNING = "warning", pgettext_lazy("sla clock", "Due soon")
    BREACHED = "breached", pgettext_lazy("sla clock", "Breached")
    MET = "met", pgettext_lazy("sla clock", "Met")
    PAUSED = "paused", pgettext_lazy("sla clock", "Paused")


CLOCK_LABELS = {"first_response": _("First response"), "resolution": _("Resolution")}


@dataclass(frozen=True)
class Clock:
    """One clock of a case as the case page draws it (a bar filling up to its due time)."""

    kind: str
    label: str
    state: ClockState
    due_at: datetime | None
    met_at: datetime | None
    remaining_minutes: float | None  # business minutes; negative once overdue
    percent_used: int  # 0 to 100, for the bar's width
    late: bool  # met, but after the due time


@dataclass(frozen=True)
class CaseClocks:
    first_response: Clock
    resolution: Clock
    paused_at: datetime | None

    def __iter__(self) -> Any:
        return iter((self.first_response, self.resolution))


# Policies and targets -------------------------------------------------------------------------


def default_policy(workspace_id: int) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.filter(workspace_id=workspace_id, is_default=True)
        .select_related("calendar")
        .first()
    )


def target_for(policy: SlaPolicy, priority: str, tier: str) -> SlaTarget | None:
    """The policy's target for the priority and tier; without one for that tier, the same
    priority's standard-tier target, then its target for any tier; else None (no clock)."""
    targets = [t for t in policy.targets.all() if t.priority == priority]
    for wanted in (tier, Tier.STANDARD):
        for target in targets:
            if target.tier == wanted:
                return target
    return min(targets, key=lambda t: t.resolution_minutes, default=None)


def _hours(calendar: BusinessCalendar) -> BusinessHours:
    """The calendar's business hours, built once per version of the calendar."""
    key = (
        calendar.pk,
        calendar.timezone,
        json.dumps(calendar.schedule, sort_keys=True),
        json.dumps(calendar.holidays),
        calendar.holiday_country,
    )
    hours = _HOURS.get(key)
    if hours is None:
        if len(_HOURS) > 256:
            _HOURS.clear()
        hours = _HOURS[key] = BusinessHours.of(calendar)
    return hours


_HOURS: dict[tuple[Any, ...], BusinessHours] = {}


def _policy_hours(case: Case) -> BusinessHours | None:
    return _hours(case.policy.calendar) if case.policy is not None else None


# The clocks of one case -----------------------------------------------------------------------


def start_clocks(case: Case, now: datetime) -> None:
    """Start both clocks from ``case.opened_at`` under the case's policy (the workspace's
    default when it has none) and its target for the case's priority and tier."""
    if case.opened_at is None:
        case.opened_at = now
    if case.policy_id is None:
        case.policy = default_policy(case.workspace_id)
    for kind in CLOCKS:
        setattr(case, f"{kind}_warned_at", None)
        setattr(case, f"{kind}_breached_at", None)
    case.paused_at = None
    _apply_targets(case, paused_minutes=0.0, keep_met=False)
    case.next_check_at = next_check(case)


def record_first_response(case: Case, at: datetime) -> None:
    """The first reply to the customer: the first-response clock stops (met or late)."""
    if at < case.opened_at:
        return
    if case.first_response_at is None or at < case.first_response_at:
        case.first_response_at = at
    case.next_check_at = next_check(case)


def pause(case: Case, at: datetime) -> None:
    """Waiting on the customer: the clocks stop until ``resume``."""
    if case.paused_at is None and not _stopped(case):
        case.paused_at = at
    case.next_check_at = None


def resume(case: Case, at: datetime) -> None:
    """The customer answered: each due time not yet met moves later by the business time
    the pause took. A clock already overdue when it paused stays where it was."""
    paused_at = case.paused_at
    case.paused_at = None
    hours = _policy_hours(case)
    if paused_at is None or hours is None or at <= paused_at:
        case.next_check_at = next_check(case)
        return
    for kind in CLOCKS:
        due = getattr(case, f"{kind}_due_at")
        if due is None or _met_at(case, kind) is not None or due <= paused_at:
            continue
        left = hours.minutes_between(paused_at, due)
        setattr(case, f"{kind}_due_at", _due(hours, at, left) or due)
    case.next_check_at = next_check(case, hours)


def stop(case: Case, at: datetime) -> None:
    """Resolved or closed: no clock runs any more (the caller sets resolved_at/closed_at).
    A pause in progress ends first, so that the time waiting on the customer is not
    counted against the team."""
    if case.paused_at is not None:
        resume(case, at)
    case.paused_at = None
    case.next_check_at = None


def reopen(case: Case, at: datetime) -> None:
    """A resolved or closed case reopens: the resolution clock goes on from where it
    stopped, as after a pause. Clears resolved_at and closed_at."""
    stopped_at = case.closed_at or case.resolved_at
    case.resolved_at = None
    case.closed_at = None
    case.paused_at = stopped_at
    resume(case, at)


def recompute(case: Case, now: datetime) -> None:
    """The priority, tier or policy changed: due times from the new target, counted from
    ``opened_at`` plus the business time paused so far. Clocks already met keep theirs.

    Call it before saving the changed fields: the paused time is read from the stored row
    (its due time against its target)."""
    paused = _paused_so_far(case)
    if case.policy_id is None:
        case.policy = default_policy(case.workspace_id)
    before = {kind: getattr(case, f"{kind}_due_at") for kind in CLOCKS}
    _apply_targets(case, paused_minutes=paused, keep_met=True)
    hours = _policy_hours(case)
    for kind in CLOCKS:
        due = getattr(case, f"{kind}_due_at")
        if due == before[kind] or due is None or hours is None:
            continue
        # A due time moved into the future can warn and breach again.
        if _warn_at(case, hours, due) > now:
            setattr(case, f"{kind}_warned_at", None)
        if due > now:
            setattr(case, f"{kind}_breached_at", None)
    case.next_check_at = None if case.paused_at else next_check(case, hours)


def _apply_targets(case: Case, *, paused_minutes: float, keep_met: bool) -> None:
    policy = case.policy
    target = target_for(policy, case.priority, case.tier) if policy is not None else None
    if policy is None or target is None:
        if not keep_met or _met_at(case, "first_response") is None:
            case.first_response_due_at = None
        if not keep_met or _met_at(case, "resolution") is None:
            case.resolution_due_at = None
        return
    hours = _hours(policy.calendar)
    minutes = {
        "first_response": target.first_response_minutes,
        "resolution": target.resolution_minutes,
    }
    for kind in CLOCKS:
        if keep_met and _met_at(case, kind) is not None:
            continue
        setattr(case, f"{kind}_due_at", _due(hours, case.opened_at, minutes[kind] + paused_minutes))


def _due(hours: BusinessHours, start: datetime, minutes: float) -> datetime | None:
    """``start`` plus ``minutes`` of business time; None for a calendar so rarely open that
    the target lies years away (no clock rather than a failed case)."""
    try:
        return hours.add(start, minutes)
    except ValidationError:
        logger.warning("no due time within %s days of %s", MAX_DAYS, start)
        return None


def _paused_so_far(case: Case) -> float:
    """Business minutes the stored case's clocks spent paused: the stored due time's
    distance from opened_at, less the stored target. A clock that was met stopped moving,
    so the resolution clock is read first."""
    if case.pk is None:
        return 0.0
    row = (
        Case.objects.filter(pk=case.pk)
        .values(
            "priority",
            "tier",
            "policy_id",
            "opened_at",
            "first_response_at",
            "first_response_due_at",
            "resolution_due_at",
            "resolved_at",
            "closed_at",
        )
        .first()
    )
    if row is None or row["policy_id"] is None:
        return 0.0
    policy = SlaPolicy.objects.filter(pk=row["policy_id"]).select_related("calendar").first()
    target = target_for(policy, row["priority"], row["tier"]) if policy else None
    if policy is None or target is None:
        return 0.0
    hours = _hours(policy.calendar)
    if row["resolution_due_at"] and not (row["resolved_at"] or row["closed_at"]):
        spent = hours.minutes_between(row["opened_at"], row["resolution_due_at"])
        return max(0.0, spent - target.resolution_minutes)
    if row["first_response_due_at"] and row["first_response_at"] is None:
        spent = hours.minutes_between(row["opened_at"], row["first_response_due_at"])
        return max(0.0, spent - target.first_response_minutes)
    return 0.0


def _stopped(case: Case) -> bool:
    return case.resolved_at is not None or case.closed_at is not None


def _met_at(case: Case, kind: str) -> datetime | None:
    if kind == "first_response":
        return case.first_response_at
    return case.resolved_at or case.closed_at


def _warn_at(case: Case, hours: BusinessHours, due: datetime) -> datetime:
    warn = case.policy.warn_before_minutes if case.policy is not None else 0
    return max(hours.subtract(due, warn), case.opened_at) if warn else due


def next_check(case: Case, hours: BusinessHours | None = None) -> datetime | None:
    """The next moment a clock of the case warns or breaches; None when none runs."""
    hours = hours or _policy_hours(case)
    if hours is None or case.paused_at is not None or _stopped(case):
        return None
    moments = []
    for kind in CLOCKS:
        due = getattr(case, f"{kind}_due_at")
        if due is None or _met_at(case, kind) or getattr(case, f"{kind}_breached_at"):
            continue
        warned = getattr(case, f"{kind}_warned_at")
        moments.append(due if warned else _warn_at(case, hours, due))
    return min(moments, default=None)


# What the case page shows ---------------------------------------------------------------------


def clock(case: Case, now: datetime) -> CaseClocks:
    """Both clocks of the case at ``now``, for the case page's bars."""
    hours = _policy_hours(case)
    clocks = [_one_clock(case, kind, now, hours) for kind in CLOCKS]
    return CaseClocks(clocks[0], clocks[1], case.paused_at)


def _one_clock(case: Case, kind: str, now: datetime, hours: BusinessHours | None) -> Clock:
    due = getattr(case, f"{kind}_due_at")
    met = _met_at(case, kind)
    label = str(CLOCK_LABELS[kind])
    if due is None or hours is None:
        return Clock(kind, label, ClockState.NONE, None, met, None, 0, False)
    # While paused, time stands still at the moment the pause began; once the case is
    # finished, at the moment it finished.
    at = met or case.paused_at or case.resolved_at or case.closed_at or now
    total = hours.minutes_between(case.opened_at, due)
    remaining = hours.minutes_between(at, due)
    used = total - remaining
    percent = 100 if total <= 0 else max(0, min(100, round(used / total * 100)))
    if met is not None:
        state = ClockState.MET
    elif case.paused_at is not None:
        state = ClockState.PAUSED
    elif at >= due:
        state = ClockState.BREACHED
    elif at >= _warn_at(case, hours, due):
        state = ClockState.WARNING
    else:
        state = ClockState.OK
    return Clock(kind, label, state, due, met, remaining, percent, met is not None and met > due)


# The worker's pass ----------------------------------------------------------------------------


def check_due_cases(now: datetime) -> int:
    """Record the warnings and breaches that have come, run the escalations, and set each
    case's next check. Returns the number of cases looked at. Running it twice with the same
    ``now`` changes nothing the second time.

    Rows are read through the partial index on ``next_check_at``, oldest first, in batches;
    a case looked at leaves the set (its next check is later than ``now``, or none)."""
    seen: set[int] = set()
    while True:
        with transaction.atomic():
            batch = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now)
                .select_related("policy__calendar", "workspace")
                .order_by("next_check_at", "pk")[:BATCH_SIZE]
            )
            if not batch or any(case.pk in seen for case in batch):
                return len(seen)
            _check_batch(batch, now)
        seen.update(case.pk for case in batch)


def _check_batch(cases: list[Case], now: datetime) -> None:
    _sync_first_responses(cases)
    policy_ids = {case.policy_id for case in cases if case.policy_id is not None}
    rules: dict[int, list[EscalationRule]] = {}
    for rule in EscalationRule.objects.filter(policy_id__in=policy_ids).select_related(
        "target_seat", "target_team"
    ):
        rules.setdefault(rule.policy_id, []).append(rule)
    escalator = _Escalator(rules)
    for case in cases:
        try:
            hours = _hours(case.policy.calendar) if case.policy is not None else None
        except ValidationError:
            # A calendar damaged outside the settings pages: this case waits, the rest go on.
            logger.exception("case %s: its policy's calendar is not valid", case.pk)
            hours = None
        if hours is not None and case.paused_at is None and not _stopped(case):
            _record_due(case, now, hours, escalator)
        case.next_check_at = next_check(case, hours) if hours is not None else None
        if case.next_check_at is not None and case.next_check_at <= now:
            # Never hand the next pass a case it would find unchanged.
            logger.warning("case %s: next check %s not after %s", case.pk, case.next_check_at, now)
            case.next_check_at = None
        case.updated_at = timezone.now()
    # The whole batch in one statement, its events and notifications in one more each.
    bulk.update(Case, cases, CHECKED_FIELDS)
    escalator.flush()


# What a pass over a case may change.
CHECKED_FIELDS = (
    "first_response_at",
    "first_response_warned_at",
    "first_response_breached_at",
    "resolution_warned_at",
    "resolution_breached_at",
    "owner",
    "team",
    "priority",
    "next_check_at",
    "updated_at",
)


def _sync_first_responses(cases: Iterable[Case]) -> None:
    """The first reply sent to the customer on any conversation of the case, after it
    opened: one query for the whole batch."""
    waiting = {case.pk: case for case in cases if case.first_response_at is None}
    if not waiting:
        return
    firsts = (
        Message.objects.filter(
            conversation__case_links__case_id__in=waiting,
            direction=Direction.OUTBOUND,
            delivery_status__in=(DeliveryStatus.SENT, ""),
            sent_at__gte=F("conversation__case_links__case__opened_at"),
        )
        .values("conversation__case_links__case_id")
        .annotate(first=Min("sent_at"))
        .order_by()
    )
    for row in firsts:
        record_first_response(waiting[row["conversation__case_links__case_id"]], row["first"])


def _record_due(case: Case, now: datetime, hours: BusinessHours, escalator: _Escalator) -> None:
    for kind in CLOCKS:
        due = getattr(case, f"{kind}_due_at")
        if due is None or _met_at(case, kind) or getattr(case, f"{kind}_breached_at"):
            continue
        payload = {"number": case.number, "clock": kind, "due_at": due.isoformat()}
        if now >= due:
            if getattr(case, f"{kind}_warned_at") is None:
                # Found already overdue: the warning is past, the breach says it all.
                setattr(case, f"{kind}_warned_at", now)
            setattr(case, f"{kind}_breached_at", now)
            escalator.record(case, "case.sla_breached", payload)
            escalator.run(case, f"{kind}_breach")
        elif getattr(case, f"{kind}_warned_at") is None and now >= _warn_at(case, hours, due):
            setattr(case, f"{kind}_warned_at", now)
            escalator.record(case, "case.sla_warning", payload)
            escalator.run(case, f"{kind}_warning")


class _Escalator:
    """Runs the escalation rules of a batch, loading the managers to notify once per
    workspace, and writes the batch's events and notifications in one statement each."""

    def __init__(self, rules: dict[int, list[EscalationRule]]) -> None:
        self.rules = rules
        self.managers: dict[int, list[Seat]] = {}
        self.notifications: list[Notification] = []
        self.events: list[Event] = []

    def record(self, case: Case, verb: str, payload: dict[str, Any]) -> None:
        self.events.append(
            Event(
                workspace_id=case.workspace_id,
                verb=verb,
                subject_type="case",
                subject_id=case.pk,
                payload=payload,
            )
        )

    def run(self, case: Case, trigger: str) -> None:
        for rule in self.rules.get(case.policy_id or 0, []):
            if rule.trigger != trigger:
                continue
            payload: dict[str, Any] = {"trigger": trigger, "action": rule.action}
            if rule.action == EscalationAction.REASSIGN:
                if not self._reassign(case, rule, payload):
                    continue
            elif rule.action == EscalationAction.RAISE_PRIORITY:
                if not self._raise_priority(case, payload):
                    continue
            elif rule.action == EscalationAction.NOTIFY_MANAGER:
                payload["seats"] = self._notify(case, trigger)
            self.record(case, "case.escalated", payload)

    def _reassign(self, case: Case, rule: EscalationRule, payload: dict[str, Any]) -> bool:
        seat, team = rule.target_seat, rule.target_team
        changed = False
        if seat is not None and seat.is_active and seat.workspace_id == case.workspace_id:
            payload |= {"from_seat": case.owner_id, "seat": seat.pk}
            changed |= case.owner_id != seat.pk
            case.owner = seat
        if team is not None and team.workspace_id == case.workspace_id:
            payload |= {"from_team": case.team_id, "team": team.pk}
            changed |= case.team_id != team.pk
            case.team = team
        return changed

    def _raise_priority(self, case: Case, payload: dict[str, Any]) -> bool:
        # The due times stay: raising the priority makes the case stand out, it does not
        # move a deadline that is already close.
        steps = [str(p) for p in PRIORITY_STEPS]
        index = steps.index(case.priority) if case.priority in steps else 0
        if index + 1 >= len(steps):
            return False
        payload |= {"from": case.priority, "to": steps[index + 1]}
        case.priority = steps[index + 1]
        return True

    def _notify(self, case: Case, trigger: str) -> list[int]:
        managers = self.managers.get(case.workspace_id)
        if managers is None:
            managers = self.managers[case.workspace_id] = list(
                Seat.objects.filter(
                    workspace_id=case.workspace_id,
                    role__in=(Role.OWNER, Role.MANAGER),
                    is_active=True,
                ).order_by("pk")
            )
        with translation.override(case.workspace.default_language):
            text = gettext("Case #%(number)s “%(title)s”: %(what)s.") % {
                "number": case.number,
                "title": case.title[:150],
                "what": str(EscalationTrigger(trigger).label).lower(),
            }
        self.notifications.extend(
            Notification(
                workspace_id=case.workspace_id,
                seat=seat,
                verb="case.escalated",
                subject_type="case",
                subject_id=case.pk,
                text=text[:300],
            )
            for seat in managers
        )
        return [seat.pk for seat in managers]

    def flush(self) -> None:
        record_events(self.events)
        self.events = []
        if self.notifications:
            Notification.objects.bulk_create(self.notifications)
            self.notifications = []
