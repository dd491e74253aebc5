"""SLA clocks of cases: due times in business time, pauses, warnings, breaches, escalations."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from comptoir.cases import sla
from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import (
    BusinessCalendar,
    Case,
    CaseConversation,
    EscalationAction,
    EscalationRule,
    EscalationTrigger,
    SlaPolicy,
    SlaTarget,
)
from comptoir.cases.sla import ClockState
from comptoir.inbox.models import DeliveryStatus, Direction, Priority
from comptoir.people.models import Tier
from comptoir.workspaces.models import Event, Notification, Role, Seat, Team, Workspace
from tests.conftest import Personas
from tests.factories import ConversationFactory, MessageFactory, SeatFactory

PARIS = ZoneInfo("Europe/Paris")
NUMBERS = count(1)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def policy(personas: Personas) -> SlaPolicy:
    calendar = BusinessCalendar.objects.create(
        workspace=personas.workspace_a,
        name="Paris office",
        timezone="Europe/Paris",
        schedule={str(d): [["09:00", "18:00"]] for d in range(1, 6)},
        holiday_country="FR",
    )
    policy = SlaPolicy.objects.create(
        workspace=personas.workspace_a,
        name="Standard",
        calendar=calendar,
        is_default=True,
        warn_before_minutes=30,
    )
    for priority, first, resolution in (
        (Priority.NORMAL, 120, 1080),
        (Priority.HIGH, 60, 480),
    ):
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            tier=Tier.STANDARD,
            first_response_minutes=first,
            resolution_minutes=resolution,
        )
    SlaTarget.objects.create(
        policy=policy,
        priority=Priority.NORMAL,
        tier=Tier.STRATEGIC,
        first_response_minutes=30,
        resolution_minutes=240,
    )
    return policy


def open_case(workspace: Workspace, opened_at: datetime, **fields: Any) -> Case:
    case = Case(
        workspace=workspace,
        number=next(NUMBERS),
        title="Lost parcel",
        opened_at=opened_at,
        **fields,
    )
    sla.start_clocks(case, opened_at)
    case.save()
    return case


def events(case: Case, verb: str) -> list[Event]:
    return list(
        Event.objects.filter(subject_type="case", subject_id=case.pk, verb=verb).order_by("id")
    )


def test_friday_evening_case_is_due_monday(personas: Personas, policy: SlaPolicy) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 20, 17, 30), policy=policy)
    assert case.first_response_due_at == paris(2026, 11, 23, 10, 30)
    # 18 business hours: half an hour on Friday, nine on Monday, eight and a half Tuesday.
    assert case.resolution_due_at == paris(2026, 11, 24, 17, 30)
    # The first check is the first-response warning, 30 business minutes before.
    assert case.next_check_at == paris(2026, 11, 23, 10, 0)


def test_due_times_across_the_spring_change_and_a_holiday(
    personas: Personas, policy: SlaPolicy
) -> None:
    # Clocks go forward on Sunday 29 March 2026: Monday 10:30 is 08:30 UTC, not 09:30.
    case = open_case(personas.workspace_a, paris(2026, 3, 27, 17, 30), policy=policy)
    assert case.first_response_due_at == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)
    # Monday 13 July 17:00, Tuesday 14 July is a holiday: due Wednesday 10:00.
    july = open_case(personas.workspace_a, paris(2026, 7, 13, 17, 0), policy=policy)
    assert july.first_response_due_at == paris(2026, 7, 15, 10, 0)
    # Wednesday before Ascension (Thursday 14 May 2026): due Friday.
    may = open_case(personas.workspace_a, paris(2026, 5, 13, 17, 0), policy=policy)
    assert may.first_response_due_at == paris(2026, 5, 15, 10, 0)


def test_targets_by_tier_fall_back_to_the_standard_tier(
    personas: Personas, policy: SlaPolicy
) -> None:
    monday = paris(2026, 11, 23, 9, 0)
    strategic = open_case(personas.workspace_a, monday, policy=policy, tier=Tier.STRATEGIC)
    assert strategic.first_response_due_at == paris(2026, 11, 23, 9, 30)
    key = open_case(personas.workspace_a, monday, policy=policy, tier=Tier.KEY)
    assert key.first_response_due_at == paris(2026, 11, 23, 11, 0)
    # No target at all for this priority: no clock, nothing to check.
    low = open_case(personas.workspace_a, monday, policy=policy, priority=Priority.LOW)
    assert (low.first_response_due_at, low.resolution_due_at, low.next_check_at) == (
        None,
        None,
        None,
    )


def test_the_workspace_default_policy_applies_when_none_is_chosen(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0))
    assert case.policy == policy
    assert case.first_response_due_at == paris(2026, 11, 23, 11, 0)


def test_a_pause_over_the_weekend_moves_due_times_by_the_business_time_it_took(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 20, 10, 0), policy=policy)
    assert case.first_response_due_at == paris(2026, 11, 20, 12, 0)
    sla.pause(case, paris(2026, 11, 20, 11, 0))
    assert case.next_check_at is None
    assert sla.clock(case, paris(2026, 11, 22, 12, 0)).first_response.state == ClockState.PAUSED
    sla.resume(case, paris(2026, 11, 23, 10, 0))
    # One business hour was left; the pause took Friday 11:00-18:00 and Monday 09:00-10:00.
    assert case.first_response_due_at == paris(2026, 11, 23, 11, 0)
    assert case.resolution_due_at == paris(2026, 11, 24, 18, 0)
    assert case.paused_at is None
    assert case.next_check_at == paris(2026, 11, 23, 10, 30)


def test_a_pause_outside_business_hours_moves_nothing(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 20, 17, 30), policy=policy)
    sla.pause(case, paris(2026, 11, 21, 10, 0))
    sla.resume(case, paris(2026, 11, 22, 20, 0))
    assert case.first_response_due_at == paris(2026, 11, 23, 10, 30)


def test_a_priority_change_keeps_the_time_paused_so_far(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.pause(case, paris(2026, 11, 23, 10, 0))
    sla.resume(case, paris(2026, 11, 24, 10, 0))  # nine business hours paused
    case.save()
    case.priority = Priority.HIGH
    sla.recompute(case, paris(2026, 11, 24, 10, 5))
    # High: 60 and 480 minutes, plus the 540 paused, from Monday 09:00.
    assert case.first_response_due_at == paris(2026, 11, 24, 10, 0)
    assert case.resolution_due_at == paris(2026, 11, 24, 17, 0)
    # Its warning time has passed: the next pass records it.
    assert case.next_check_at == paris(2026, 11, 24, 9, 30)


def test_first_response_stops_its_clock(personas: Personas, policy: SlaPolicy) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.record_first_response(case, paris(2026, 11, 23, 11, 30))
    clocks = sla.clock(case, paris(2026, 11, 23, 12, 0))
    assert clocks.first_response.state == ClockState.MET
    assert clocks.first_response.late is True
    assert clocks.resolution.state == ClockState.OK
    assert clocks.resolution.remaining_minutes == 1080 - 180
    assert clocks.resolution.percent_used == 17
    # Only the resolution clock is left to watch.
    assert case.next_check_at == paris(2026, 11, 24, 17, 30)


def test_clock_states_through_a_day(personas: Personas, policy: SlaPolicy) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    first = [
        sla.clock(case, paris(2026, 11, 23, h, m)).first_response
        for h, m in ((9, 0), (10, 0), (10, 40), (11, 0), (14, 0))
    ]
    assert [c.state for c in first] == [
        ClockState.OK,
        ClockState.OK,
        ClockState.WARNING,
        ClockState.BREACHED,
        ClockState.BREACHED,
    ]
    assert [c.percent_used for c in first] == [0, 50, 83, 100, 100]
    assert first[-1].remaining_minutes == -180
    sla.stop(case, paris(2026, 11, 23, 15, 0))
    case.resolved_at = paris(2026, 11, 23, 15, 0)
    assert sla.clock(case, paris(2026, 11, 23, 16, 0)).resolution.state == ClockState.MET
    assert case.next_check_at is None


def test_warning_then_breach_are_recorded_once(personas: Personas, policy: SlaPolicy) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 29)) == 0
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 31)) == 1
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 31)) == 0
    case.refresh_from_db()
    assert case.first_response_warned_at == paris(2026, 11, 23, 10, 31)
    assert case.next_check_at == paris(2026, 11, 23, 11, 0)
    [warning] = events(case, "case.sla_warning")
    assert warning.payload == {
        "number": case.number,
        "clock": "first_response",
        "due_at": paris(2026, 11, 23, 11, 0).astimezone(UTC).isoformat(),
    }
    assert sla.check_due_cases(paris(2026, 11, 23, 11, 1)) == 1
    assert sla.check_due_cases(paris(2026, 11, 23, 11, 2)) == 0
    case.refresh_from_db()
    assert case.first_response_breached_at == paris(2026, 11, 23, 11, 1)
    assert [e.payload["clock"] for e in events(case, "case.sla_breached")] == ["first_response"]
    # Next: the resolution warning, 30 minutes before Tuesday 17:00... 18 hours from Monday 9:00.
    assert case.resolution_due_at == paris(2026, 11, 24, 18, 0)
    assert case.next_check_at == paris(2026, 11, 24, 17, 30)
    # Days later, the resolution breach comes alone: no late warning event.
    assert sla.check_due_cases(paris(2026, 11, 27, 9, 0)) == 1
    assert sla.check_due_cases(paris(2026, 11, 27, 9, 0)) == 0
    case.refresh_from_db()
    assert len(events(case, "case.sla_warning")) == 1
    assert [e.payload["clock"] for e in events(case, "case.sla_breached")] == [
        "first_response",
        "resolution",
    ]
    assert case.next_check_at is None


def test_the_worker_finds_the_reply_sent_on_a_linked_conversation(
    personas: Personas, policy: SlaPolicy
) -> None:
    workspace = personas.workspace_a
    case = open_case(workspace, paris(2026, 11, 23, 9, 0), policy=policy)
    other = open_case(workspace, paris(2026, 11, 23, 9, 0), policy=policy)
    conversation = ConversationFactory.create(workspace=workspace)
    CaseConversation.objects.create(case=case, conversation=conversation)
    CaseConversation.objects.create(case=other, conversation=conversation)
    for sent_at, status in (
        (paris(2026, 11, 23, 8, 0), DeliveryStatus.SENT),  # before the case opened
        (paris(2026, 11, 23, 9, 10), DeliveryStatus.FAILED),  # never left
        (paris(2026, 11, 23, 9, 50), DeliveryStatus.SENT),
        (paris(2026, 11, 23, 10, 5), DeliveryStatus.SENT),
    ):
        MessageFactory.create(
            conversation=conversation,
            direction=Direction.OUTBOUND,
            delivery_status=status,
            sent_at=sent_at,
        )
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 35)) == 2
    for row in (case, other):
        row.refresh_from_db()
        assert row.first_response_at == paris(2026, 11, 23, 9, 50)
        assert row.first_response_warned_at is None
        assert events(row, "case.sla_warning") == []
        assert row.next_check_at == paris(2026, 11, 24, 17, 30)


def test_paused_and_finished_cases_are_not_checked(personas: Personas, policy: SlaPolicy) -> None:
    paused = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.pause(paused, paris(2026, 11, 23, 9, 30))
    paused.save()
    finished = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.stop(finished, paris(2026, 11, 23, 9, 30))
    finished.save()
    assert sla.check_due_cases(paris(2026, 11, 30, 9, 0)) == 0
    assert Event.objects.filter(verb__startswith="case.sla").count() == 0


@pytest.fixture
def rules(personas: Personas, policy: SlaPolicy) -> Team:
    team = Team.objects.create(workspace=personas.workspace_a, name="Escalations")
    for trigger, action in (
        (EscalationTrigger.FIRST_RESPONSE_WARNING, EscalationAction.NOTIFY_MANAGER),
        (EscalationTrigger.FIRST_RESPONSE_BREACH, EscalationAction.REASSIGN),
        (EscalationTrigger.FIRST_RESPONSE_BREACH, EscalationAction.RAISE_PRIORITY),
        (EscalationTrigger.RESOLUTION_BREACH, EscalationAction.RAISE_PRIORITY),
    ):
        EscalationRule.objects.create(
            policy=policy,
            trigger=trigger,
            action=action,
            target_seat=personas.bob if action == EscalationAction.REASSIGN else None,
            target_team=team if action == EscalationAction.REASSIGN else None,
        )
    return team


def test_escalations_notify_reassign_and_raise_priority(
    personas: Personas, policy: SlaPolicy, rules: Team
) -> None:
    owner = SeatFactory.create(workspace=personas.workspace_a, role=Role.OWNER)
    SeatFactory.create(workspace=personas.workspace_a, role=Role.MANAGER, is_active=False)
    SeatFactory.create(workspace=personas.workspace_b, role=Role.MANAGER)
    case = open_case(
        personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy, owner=personas.alice
    )
    sla.check_due_cases(paris(2026, 11, 23, 10, 31))
    notified = Notification.objects.filter(subject_type="case", subject_id=case.pk)
    assert sorted(n.seat_id for n in notified) == sorted([personas.bob.pk, owner.pk])
    assert {n.verb for n in notified} == {"case.escalated"}
    [text] = {n.text for n in notified}
    assert f"n° {case.number}" in text  # in the workspace's language, French

    sla.check_due_cases(paris(2026, 11, 23, 11, 1))
    case.refresh_from_db()
    assert (case.owner, case.team, case.priority) == (personas.bob, rules, Priority.HIGH)
    # Raising the priority leaves the due times where they were.
    assert case.resolution_due_at == paris(2026, 11, 24, 18, 0)
    escalated = [
        (e.payload["trigger"], e.payload["action"]) for e in events(case, "case.escalated")
    ]
    assert escalated == [
        ("first_response_warning", "notify_manager"),
        ("first_response_breach", "reassign"),
        ("first_response_breach", "raise_priority"),
    ]
    assert events(case, "case.escalated")[1].payload == {
        "trigger": "first_response_breach",
        "action": "reassign",
        "from_seat": personas.alice.pk,
        "seat": personas.bob.pk,
        "from_team": None,
        "team": rules.pk,
    }
    assert events(case, "case.escalated")[2].payload["to"] == Priority.HIGH

    sla.check_due_cases(paris(2026, 11, 25, 9, 0))
    case.refresh_from_db()
    assert case.priority == Priority.URGENT
    # Running again changes nothing: every escalation ran once.
    sla.check_due_cases(paris(2026, 11, 25, 9, 0))
    assert len(events(case, "case.escalated")) == 4
    assert Notification.objects.filter(subject_id=case.pk).count() == 2


def test_the_worker_reads_cases_in_batches(
    personas: Personas, policy: SlaPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sla, "BATCH_SIZE", 3)
    cases = [
        open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy) for _ in range(7)
    ]
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 31)) == 7
    assert Event.objects.filter(verb="case.sla_warning").count() == 7
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 31)) == 0
    assert {c.pk for c in cases} == set(
        Case.objects.filter(first_response_warned_at__isnull=False).values_list("pk", flat=True)
    )


def test_the_worker_pass_costs_a_fixed_number_of_queries(
    personas: Personas, policy: SlaPolicy, rules: Team
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def one_pass(cases: int, day: int) -> int:
        for _ in range(cases):
            open_case(personas.workspace_a, paris(2026, 11, day, 9, 0), policy=policy)
        with CaptureQueriesContext(connection) as queries:
            # Both clocks warned and the escalation rules run for every case.
            assert sla.check_due_cases(paris(2026, 11, day, 10, 31)) == cases
        return len(queries)

    # The larger pass first: its cases are not due yet at the earlier day's check.
    many = one_pass(20, 24)
    few = one_pass(2, 23)
    assert many == few
    assert Event.objects.filter(verb="case.sla_warning").count() == 22


def test_the_default_policy_covers_every_priority_and_tier(personas: Personas) -> None:
    workspace = personas.workspace_a
    policy = ensure_default_policy(workspace)
    assert ensure_default_policy(workspace) == policy
    assert policy.is_default
    assert policy.calendar.timezone == workspace.timezone
    assert policy.calendar.holiday_country == "FR"
    assert policy.calendar.schedule == {str(d): [["09:00", "18:00"]] for d in range(1, 6)}
    assert policy.targets.count() == len(Priority) * len(Tier)
    urgent = policy.targets.get(priority=Priority.URGENT, tier=Tier.STANDARD)
    assert (urgent.first_response_minutes, urgent.resolution_minutes) == (60, 480)
    assert set(policy.escalations.values_list("trigger", "action")) == {
        ("first_response_breach", "notify_manager"),
        ("resolution_breach", "notify_manager"),
    }
    english = personas.workspace_b
    english.default_language = "en"
    english.timezone = "America/New_York"
    english.save()
    other = ensure_default_policy(english)
    assert (other.calendar.holiday_country, other.calendar.timezone) == ("", "America/New_York")


def test_check_due_cases_runs_as_a_periodic_task(db: None) -> None:
    from comptoir.cases.tasks import check_sla_task

    assert check_sla_task.call_local() == 0


def test_seat_owner_is_untouched_when_rule_targets_another_workspace(
    personas: Personas, policy: SlaPolicy
) -> None:
    stranger: Seat = personas.charlie
    EscalationRule.objects.create(
        policy=policy,
        trigger=EscalationTrigger.FIRST_RESPONSE_BREACH,
        action=EscalationAction.REASSIGN,
        target_seat=stranger,
    )
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.check_due_cases(paris(2026, 11, 23, 11, 1))
    case.refresh_from_db()
    assert case.owner is None
    assert events(case, "case.escalated") == []


def test_a_damaged_calendar_stops_only_its_own_cases(personas: Personas, policy: SlaPolicy) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    other_calendar = BusinessCalendar.objects.create(
        workspace=personas.workspace_a, name="Broken", timezone="Europe/Paris", schedule={}
    )
    broken = SlaPolicy.objects.create(
        workspace=personas.workspace_a, name="Broken", calendar=other_calendar
    )
    stuck = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    Case.objects.filter(pk=stuck.pk).update(policy=broken)
    assert sla.check_due_cases(paris(2026, 11, 23, 10, 31)) == 2
    case.refresh_from_db()
    stuck.refresh_from_db()
    assert case.first_response_warned_at is not None
    assert (stuck.first_response_warned_at, stuck.next_check_at) == (None, None)


def test_resolving_while_waiting_on_the_customer_ends_the_pause_first(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.pause(case, paris(2026, 11, 23, 10, 0))
    sla.stop(case, paris(2026, 11, 24, 10, 0))
    case.resolved_at = paris(2026, 11, 24, 10, 0)
    # Nine business hours waiting on the customer do not count: due Wednesday 18:00.
    assert case.resolution_due_at == paris(2026, 11, 25, 18, 0)
    assert (case.paused_at, case.next_check_at) == (None, None)
    clocks = sla.clock(case, paris(2026, 12, 1, 9, 0))
    assert (clocks.resolution.state, clocks.resolution.late) == (ClockState.MET, False)
    # No reply was needed in the end: that clock stands where the case was resolved, with
    # the hour it had left (its due time moved with the pause too).
    assert clocks.first_response.due_at == paris(2026, 11, 24, 11, 0)
    assert clocks.first_response.state == ClockState.OK
    assert clocks.first_response.remaining_minutes == 60


def test_reopening_goes_on_from_where_the_clock_stopped(
    personas: Personas, policy: SlaPolicy
) -> None:
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    sla.record_first_response(case, paris(2026, 11, 23, 9, 30))
    sla.stop(case, paris(2026, 11, 23, 12, 0))
    case.resolved_at = paris(2026, 11, 23, 12, 0)
    sla.reopen(case, paris(2026, 11, 25, 12, 0))
    assert case.resolved_at is None
    # 15 business hours were left at noon on Monday; from Wednesday noon: Thursday 18:00.
    assert case.resolution_due_at == paris(2026, 11, 26, 18, 0)
    assert case.next_check_at == paris(2026, 11, 26, 17, 30)


def test_a_target_beyond_the_calendars_reach_gives_no_clock(personas: Personas) -> None:
    calendar = BusinessCalendar.objects.create(
        workspace=personas.workspace_a,
        name="Sundays at noon",
        timezone="Europe/Paris",
        schedule={"7": [["12:00", "12:01"]]},
    )
    policy = SlaPolicy.objects.create(
        workspace=personas.workspace_a, name="Rare", calendar=calendar
    )
    SlaTarget.objects.create(
        policy=policy,
        priority=Priority.NORMAL,
        tier=Tier.STANDARD,
        first_response_minutes=10,
        resolution_minutes=100_000,
    )
    case = open_case(personas.workspace_a, paris(2026, 11, 23, 9, 0), policy=policy)
    assert case.first_response_due_at == paris(2027, 1, 31, 12, 1)
    assert case.resolution_due_at is None
