"""The REST router of SLA settings: business calendars and SLA policies (with their targets
and escalation rules). Everyone reads them; owners and managers write them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from comptoir.cases import policies as queries
from comptoir.cases.models import (
    BusinessCalendar,
    EscalationAction,
    EscalationTrigger,
    SlaPolicy,
)
from comptoir.cases.policies import (
    EscalationSpec,
    TargetSpec,
    do_save_calendar,
    do_save_policy,
)
from comptoir.inbox.models import Priority
from comptoir.pagination import Page
from comptoir.people.models import Tier
from comptoir.rest import PageOut, PageParams, caller, page_of, reading, responses, workspace_for
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability

router = Router(tags=["sla"])

# SLA settings are edited by those who manage the workspace's channels: owners and managers.
EDIT = Capability.MANAGE_CHANNELS
MAX_MINUTES = 366 * 24 * 60

SCHEDULE_HELP = (
    'ISO weekday ("1" Monday .. "7" Sunday) to a list of ["HH:MM", "HH:MM"] opening spans in '
    'local time; "24:00" closes the day; a span past midnight is two spans.'
)

Schedule = dict[str, list[list[str]]]


class CalendarRef(Schema):
    id: int
    name: str


class CalendarOut(Schema):
    id: int
    name: str
    timezone: str = Field(description="An IANA time zone, e.g. Europe/Paris.")
    schedule: Schedule = Field(description=SCHEDULE_HELP)
    holidays: list[str] = Field(description="Extra closed dates, YYYY-MM-DD.")
    holiday_country: str = Field(description='Public holidays of this country ("FR"), or "".')
    created_at: datetime


class CalendarIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    timezone: str = Field("Europe/Paris", max_length=64)
    schedule: Schedule = Field(description=SCHEDULE_HELP)
    holidays: list[str] = Field([], max_length=1000)
    holiday_country: str = Field("", max_length=8)


class CalendarPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    timezone: str | None = Field(None, max_length=64)
    schedule: Schedule | None = Field(None, description=SCHEDULE_HELP)
    holidays: list[str] | None = Field(None, max_length=1000)
    holiday_country: str | None = Field(None, max_length=8)


class TargetIO(Schema):
    priority: Priority
    tier: Tier
    first_response_minutes: int = Field(ge=1, le=MAX_MINUTES, description="Business minutes.")
    resolution_minutes: int = Field(ge=1, le=MAX_MINUTES, description="Business minutes.")


class EscalationIO(Schema):
    trigger: EscalationTrigger
    action: EscalationAction
    target_seat_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For reassign.")
    target_team_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For reassign.")


class PolicyOut(Schema):
    id: int
    name: str
    calendar: CalendarRef
    is_default: bool = Field(description="New cases without a policy get this one.")
    warn_before_minutes: int = Field(description="Business minutes before a due time.")
    targets: list[TargetIO]
    escalations: list[EscalationIO]
    created_at: datetime

    @staticmethod
    def resolve_targets(policy: SlaPolicy) -> list[Any]:
        return list(policy.targets.all())

    @staticmethod
    def resolve_escalations(policy: SlaPolicy) -> list[Any]:
        return list(policy.escalations.all())


class PolicyIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    calendar_id: int = Field(ge=1, le=2**63 - 1)
    is_default: bool = False
    warn_before_minutes: int = Field(30, ge=0, le=MAX_MINUTES)
    targets: list[TargetIO] = Field([], max_length=100)
    escalations: list[EscalationIO] = Field([], max_length=100)


class PolicyPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    calendar_id: int | None = Field(None, ge=1, le=2**63 - 1)
    is_default: bool | None = None
    warn_before_minutes: int | None = Field(None, ge=0, le=MAX_MINUTES)
    targets: list[TargetIO] | None = Field(None, max_length=100, description="Replaces them.")
    escalations: list[EscalationIO] | None = Field(
        None, max_length=100, description="Replaces them."
    )


@router.get("/sla/calendars", response=responses(PageOut[CalendarOut]))
def list_calendars(request: HttpRequest, page: Query[PageParams]) -> Page[BusinessCalendar]:
    """The workspace's business calendars, by name."""
    workspace = reading(request)
    return page_of(queries.calendars(workspace), queries.CALENDAR_ORDERING, page)


@router.post("/sla/calendars", response={**responses(CalendarOut), 201: CalendarOut})
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Status[Any]:
    workspace = workspace_for(request, EDIT)
    fields = payload.model_dump()
    return _saved(lambda: do_save_calendar(workspace, actor=caller(request), **fields), 201)


@router.get("/sla/calendars/{int:calendar_id}", response=responses(CalendarOut))
def get_calendar(request: HttpRequest, calendar_id: int) -> BusinessCalendar:
    workspace = reading(request)
    return get_scoped_or_404(queries.calendars(workspace), workspace, calendar_id)


@router.patch("/sla/calendars/{int:calendar_id}", response=responses(CalendarOut))
def update_calendar(request: HttpRequest, calendar_id: int, payload: CalendarPatch) -> Status[Any]:
    """Change the fields given. Running clocks keep their due times."""
    workspace = workspace_for(request, EDIT)
    calendar = get_scoped_or_404(queries.calendars(workspace), workspace, calendar_id)
    fields = payload.model_dump(exclude_none=True)
    return _saved(
        lambda: do_save_calendar(workspace, actor=caller(request), calendar=calendar, **fields)
    )


@router.get("/sla/policies", response=responses(PageOut[PolicyOut]))
def list_policies(request: HttpRequest, page: Query[PageParams]) -> Page[SlaPolicy]:
    """The workspace's SLA policies with their targets and escalation rules, by name."""
    workspace = reading(request)
    return page_of(queries.policies(workspace), queries.POLICY_ORDERING, page)


@router.post("/sla/policies", response={**responses(PolicyOut), 201: PolicyOut})
def create_policy(request: HttpRequest, payload: PolicyIn) -> Status[Any]:
    workspace = workspace_for(request, EDIT)
    fields = _policy_fields(payload.model_dump())
    return _saved(lambda: do_save_policy(workspace, actor=caller(request), **fields), 201)


@router.get("/sla/policies/{int:policy_id}", response=responses(PolicyOut))
def get_policy(request: HttpRequest, policy_id: int) -> SlaPolicy:
    workspace = reading(request)
    return get_scoped_or_404(queries.policies(workspace), workspace, policy_id)


@router.patch("/sla/policies/{int:policy_id}", response=responses(PolicyOut))
def update_policy(request: HttpRequest, policy_id: int, payload: PolicyPatch) -> Status[Any]:
    """Change the parts given; ``targets`` and ``escalations`` replace the policy's. Running
    clocks keep their due times until the case's priority, tier or policy changes."""
    workspace = workspace_for(request, EDIT)
    policy = get_scoped_or_404(queries.policies(workspace), workspace, policy_id)
    fields = _policy_fields(payload.model_dump(exclude_none=True))
    return _saved(lambda: do_save_policy(workspace, actor=caller(request), policy=policy, **fields))


def _policy_fields(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("targets") is not None:
        data["targets"] = [TargetSpec(**target) for target in data["targets"]]
    if data.get("escalations") is not None:
        data["escalations"] = [EscalationSpec(**rule) for rule in data["escalations"]]
    return data


def _saved(action: Callable[[], Any], status: int = 200) -> Status[Any]:
    """Run a settings action: the row (a refusal is the API's 400, see api.errors)."""
    return Status(status, action())
