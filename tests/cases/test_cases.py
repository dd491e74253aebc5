"""Cases: opening (numbers, tier, clocks, conversations), status, owner, priority, notes,
and the timeline that merges the case's events with its conversations' messages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comptoir.cases import queries
from comptoir.cases.actions import (
    CaseError,
    do_add_case_note,
    do_assign_case,
    do_attach_conversation,
    do_change_case_priority,
    do_change_case_status,
    do_detach_conversation,
    do_open_case,
)
from comptoir.cases.models import Case, CaseCategory, CaseConversation, CaseStatus
from comptoir.inbox.models import Direction, Priority
from comptoir.pagination import InvalidCursorError
from comptoir.people.models import Tier
from comptoir.workspaces.models import Event, Team
from tests.conftest import Personas
from tests.factories import (
    ConversationFactory,
    MembershipFactory,
    MessageFactory,
    OrganizationFactory,
    PersonFactory,
)


def verbs(case: Case) -> list[str]:
    return list(
        Event.objects.filter(subject_type="case", subject_id=case.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_opening_numbers_cases_per_workspace(personas: Personas) -> None:
    a1 = do_open_case(personas.workspace_a, title="Colis perdu", actor=personas.alice)
    a2 = do_open_case(personas.workspace_a, title="Facture", actor=personas.bob)
    b1 = do_open_case(personas.workspace_b, title="Other", actor=personas.charlie)

    assert (a1.number, a2.number, b1.number) == (1, 2, 1)
    assert a1.status == CaseStatus.NEW
    assert a1.created_by == personas.alice
    assert verbs(a1) == ["case.opened"]


def test_opening_starts_the_clocks_under_the_default_policy(personas: Personas) -> None:
    case = do_open_case(
        personas.workspace_a, title="Panne", priority=Priority.URGENT, actor=personas.alice
    )

    case.refresh_from_db()
    assert case.policy is not None
    assert case.policy.is_default
    assert case.first_response_due_at is not None
    assert case.resolution_due_at is not None
    assert case.opened_at < case.first_response_due_at <= case.resolution_due_at
    assert case.next_check_at is not None


def test_the_tier_comes_from_the_organisation_or_the_persons_main_one(
    personas: Personas,
) -> None:
    a = personas.workspace_a
    key = OrganizationFactory.create(workspace=a, name="Acme", tier=Tier.KEY)
    strategic = OrganizationFactory.create(workspace=a, name="Big", tier=Tier.STRATEGIC)
    marie = PersonFactory.create(workspace=a, display_name="Marie")
    MembershipFactory.create(workspace=a, person=marie, organization=key)
    MembershipFactory.create(
        workspace=a, person=marie, organization=strategic, is_primary_contact=True
    )
    loner = PersonFactory.create(workspace=a, display_name="Solo")

    given = do_open_case(a, title="x", person=marie, organization=key, actor=personas.alice)
    from_person = do_open_case(a, title="y", person=marie, actor=personas.alice)
    standard = do_open_case(a, title="z", person=loner, actor=personas.alice)

    assert (given.organization, given.tier) == (key, Tier.KEY)
    assert (from_person.organization, from_person.tier) == (strategic, Tier.STRATEGIC)
    assert (standard.organization, standard.tier) == (None, Tier.STANDARD)


def test_opening_with_conversations_handles_them(personas: Personas) -> None:
    a = personas.workspace_a
    convo = ConversationFactory.create(workspace=a, unhandled_since=timezone.now())

    case = do_open_case(a, title="Colis", conversations=[convo], actor=personas.alice)

    assert list(case.conversations.all()) == [convo]
    convo.refresh_from_db()
    assert convo.unhandled_since is None
    opened = Event.objects.get(subject_type="case", subject_id=case.pk)
    assert opened.payload["conversations"] == [convo.pk]


def test_opening_refuses_another_workspaces_rows(personas: Personas) -> None:
    theirs = ConversationFactory.create(workspace=personas.workspace_b)
    with pytest.raises(CaseError) as error:
        do_open_case(personas.workspace_a, title="x", conversations=[theirs])
    assert error.value.field == "conversations"
    with pytest.raises(CaseError):
        do_open_case(personas.workspace_a, title="x", owner=personas.charlie)
    with pytest.raises(CaseError) as blank:
        do_open_case(personas.workspace_a, title="  ")
    assert blank.value.field == "title"
    assert not Case.objects.exists()


def test_waiting_on_the_customer_pauses_and_the_answer_resumes(personas: Personas) -> None:
    case = do_open_case(personas.workspace_a, title="x", actor=personas.alice)
    due = case.resolution_due_at

    do_change_case_status(case, CaseStatus.WAITING_ON_CUSTOMER, actor=personas.alice)
    case.refresh_from_db()
    assert case.paused_at is not None
    assert case.next_check_at is None

    do_change_case_status(case, CaseStatus.WAITING_ON_US, actor=personas.alice)
    case.refresh_from_db()
    assert case.paused_at is None
    assert case.resolution_due_at is not None
    assert due is not None
    assert case.resolution_due_at >= due
    assert case.next_check_at is not None


def test_resolving_stops_the_clocks_and_reopening_starts_them(personas: Personas) -> None:
    case = do_open_case(personas.workspace_a, title="x", actor=personas.alice)

    do_change_case_status(case, CaseStatus.RESOLVED, actor=personas.bob)
    case.refresh_from_db()
    assert case.resolved_at is not None
    assert case.next_check_at is None

    do_change_case_status(case, CaseStatus.OPEN, actor=personas.bob)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert case.resolved_at is None
    assert case.closed_at is None
    assert case.next_check_at is not None
    assert verbs(case) == [
        "case.opened",
        "case.status_changed",
        "case.resolved",
        "case.status_changed",
    ]


def test_closing_needs_a_reason(personas: Personas) -> None:
    case = do_open_case(personas.workspace_a, title="x", actor=personas.alice)

    with pytest.raises(CaseError) as error:
        do_change_case_status(case, CaseStatus.CLOSED, reason=" ", actor=personas.alice)
    assert error.value.field == "reason"

    do_change_case_status(case, CaseStatus.CLOSED, reason="Duplicate", actor=personas.alice)
    case.refresh_from_db()
    assert (case.status, case.close_reason) == (CaseStatus.CLOSED, "Duplicate")
    assert case.closed_at is not None
    closed = Event.objects.get(subject_id=case.pk, verb="case.closed")
    assert closed.payload == {"number": case.number, "reason": "Duplicate"}
    changed = Event.objects.get(subject_id=case.pk, verb="case.status_changed")
    assert changed.payload == {"from": "new", "to": "closed", "reason": "Duplicate"}


def test_assigning_and_priority(personas: Personas) -> None:
    a = personas.workspace_a
    team = Team.objects.create(workspace=a, name="SAV")
    case = do_open_case(a, title="x", actor=personas.alice)
    due = case.first_response_due_at

    do_assign_case(case, owner=personas.bob, team=team, actor=personas.alice)
    do_change_case_priority(case, Priority.URGENT, actor=personas.alice)

    case.refresh_from_db()
    assert (case.owner, case.team, case.priority) == (personas.bob, team, Priority.URGENT)
    assert case.first_response_due_at is not None
    assert due is not None
    assert case.first_response_due_at < due  # urgent targets are shorter
    assigned = Event.objects.get(subject_id=case.pk, verb="case.assigned")
    assert assigned.payload == {"seat": personas.bob.pk, "team": team.pk}
    with pytest.raises(CaseError):
        do_assign_case(case, owner=personas.charlie, actor=personas.alice)


def test_attaching_and_detaching(personas: Personas) -> None:
    a = personas.workspace_a
    case = do_open_case(a, title="x", actor=personas.alice)
    convo = ConversationFactory.create(workspace=a, unhandled_since=timezone.now())

    assert do_attach_conversation(case, convo, actor=personas.alice)
    assert not do_attach_conversation(case, convo, actor=personas.alice)
    convo.refresh_from_db()
    case.refresh_from_db()
    assert convo.unhandled_since is None
    assert case.person_id == convo.person_id  # a case without a person takes the first one
    assert queries.cases_of_conversation(convo) == [case]

    assert do_detach_conversation(case, convo, actor=personas.alice)
    assert not do_detach_conversation(case, convo, actor=personas.alice)
    assert not CaseConversation.objects.exists()
    assert verbs(case) == [
        "case.opened",
        "case.conversation_attached",
        "case.conversation_detached",
    ]


def test_a_note_is_an_event_with_its_text(personas: Personas) -> None:
    case = do_open_case(personas.workspace_a, title="x", actor=personas.alice)

    note = do_add_case_note(case, "  Client rappelé.  ", actor=personas.bob)

    assert (note.verb, note.payload, note.actor) == (
        "case.note",
        {"text": "Client rappelé."},
        personas.bob,
    )
    with pytest.raises(CaseError):
        do_add_case_note(case, "   ", actor=personas.bob)


def test_the_timeline_merges_events_and_messages_newest_first(personas: Personas) -> None:
    a = personas.workspace_a
    convo = ConversationFactory.create(workspace=a)
    start = timezone.now() - timedelta(days=1)
    inbound = MessageFactory.create(conversation=convo, sent_at=start, text="Mon colis ?")
    case = do_open_case(a, title="Colis", conversations=[convo], actor=personas.alice)
    reply = MessageFactory.create(
        conversation=convo,
        direction=Direction.OUTBOUND,
        author_identity=None,
        author_seat=personas.alice,
        sent_at=timezone.now() + timedelta(seconds=1),
        text="Nous cherchons.",
    )
    other = ConversationFactory.create(workspace=a)
    MessageFactory.create(conversation=other, sent_at=start, text="not in the case")

    page = queries.timeline(case)

    kinds = [(e.kind, e.pk) for e in page.items]
    opened = Event.objects.get(subject_id=case.pk, verb="case.opened")
    assert kinds == [("message", reply.pk), ("event", opened.pk), ("message", inbound.pk)]
    assert page.next_cursor is None


def test_the_timeline_pages_through_everything_once(personas: Personas) -> None:
    a = personas.workspace_a
    convo = ConversationFactory.create(workspace=a)
    case = do_open_case(a, title="Colis", conversations=[convo], actor=personas.alice)
    when = case.opened_at
    # Messages at the same instant as each other, and as events, must neither repeat nor skip.
    for n in range(5):
        MessageFactory.create(conversation=convo, sent_at=when, text=f"same {n}")
    for n in range(4):
        do_add_case_note(case, f"note {n}", actor=personas.alice)
    Event.objects.filter(subject_id=case.pk).update(created_at=when)

    seen: list[tuple[str, int]] = []
    cursor = None
    pages = 0
    while True:
        page = queries.timeline(case, cursor=cursor, size=2)
        seen += [(e.kind, e.pk) for e in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break

    assert len(seen) == len(set(seen)) == 10  # 5 messages, 1 opening, 4 notes
    assert pages == 5
    with pytest.raises(InvalidCursorError):
        queries.timeline(case, cursor="bm90IG1pbmU")


def test_a_timeline_page_costs_the_same_whatever_the_history(personas: Personas) -> None:
    a = personas.workspace_a
    convo = ConversationFactory.create(workspace=a)
    case = do_open_case(a, title="x", conversations=[convo], actor=personas.alice)
    MessageFactory.create_batch(30, conversation=convo)
    for n in range(30):
        do_add_case_note(case, f"n{n}", actor=personas.alice)

    with CaptureQueriesContext(connection) as ctx:
        page = queries.timeline(case, size=10)
        [(e.event.actor if e.event else e.message) for e in page.items]

    assert len(page.items) == 10
    assert len(ctx.captured_queries) == 2


def test_the_list_filters(personas: Personas) -> None:
    a = personas.workspace_a
    do_open_case(a, title="mine", owner=personas.alice, category=CaseCategory.BILLING)
    nobody = do_open_case(a, title="nobody", priority=Priority.HIGH)
    done = do_open_case(a, title="done", owner=personas.bob)
    do_change_case_status(done, CaseStatus.RESOLVED)
    late = do_open_case(a, title="late")
    Case.objects.filter(pk=late.pk).update(resolution_breached_at=timezone.now())
    risky = do_open_case(a, title="risky")
    Case.objects.filter(pk=risky.pk).update(first_response_warned_at=timezone.now())
    do_open_case(personas.workspace_b, title="theirs")

    def titles(**kwargs: Any) -> list[str]:
        return [c.title for c in queries.cases(a, queries.CaseFilter(**kwargs))]

    assert set(titles()) == {"mine", "nobody", "done", "late", "risky"}
    assert titles(owner=str(personas.alice.pk)) == ["mine"]
    assert set(titles(owner="none")) == {"nobody", "late", "risky"}
    assert titles(status="resolved") == ["done"]
    assert "done" not in titles(status="active")
    assert titles(category="billing") == ["mine"]
    assert titles(priority="high") == [nobody.title]
    assert titles(sla="breached") == ["late"]
    assert titles(sla="at_risk") == ["risky"]
    assert queries.open_case_count(a) == 4
