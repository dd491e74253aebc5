"""Writes on cases: opening, linking conversations, status, owner, priority and notes.

Each action owns its transaction, keeps the SLA clocks right through ``comptoir.cases.sla``
and records one event per change; the case's timeline is built from those events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir import bulk
from comptoir.cases import sla
from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import (
    Case,
    CaseCategory,
    CaseConversation,
    CaseStatus,
    SlaPolicy,
)
from comptoir.inbox.models import Conversation, Direction, Message, Priority
from comptoir.people.models import Membership, Organization, Person, Tier
from comptoir.understanding.intents import AFTER_SALES
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Event, Seat, Team, Workspace

# Statuses in which a case is still being worked on.
OPEN_STATUSES = (
    CaseStatus.NEW,
    CaseStatus.OPEN,
    CaseStatus.WAITING_ON_CUSTOMER,
    CaseStatus.WAITING_ON_US,
)
FINISHED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
TITLE_LENGTH = 200
NOTE_LENGTH = 5000
NUMBER_ATTEMPTS = 3


class CaseError(ValidationError):
    """A change the case refuses; ``field`` names the input it is about."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__({field: [message]})
        self.field = field
        self.text = message


def title_from(text: str) -> str:
    """A case title from a subject or a message, flattened and cut to fit."""
    flat = " ".join(text.split())
    return flat if len(flat) <= TITLE_LENGTH else flat[: TITLE_LENGTH - 1] + "…"


def _locked_next_number(workspace_id: int) -> int:
    """The first free case number (the next ones are free too). The workspace row stays
    locked until the transaction ends, so that two openings cannot take the same number
    (PostgreSQL); SQLite serialises writers, and the unique constraint stops the rest."""
    list(Workspace.objects.select_for_update().filter(pk=workspace_id).values_list("pk"))
    top = Case.objects.filter(workspace_id=workspace_id).aggregate(top=Max("number"))["top"]
    return int(top or 0) + 1


def _organization_and_tier(
    person: Person | None, organization: Organization | None
) -> tuple[Organization | None, str]:
    """The organisation the case is for (given, or the person's main one) and its tier."""
    if organization is None and person is not None:
        membership = (
            Membership.objects.filter(workspace_id=person.workspace_id, person=person)
            .select_related("organization")
            .order_by("-is_primary_contact", "created_at", "id")
            .first()
        )
        organization = membership.organization if membership else None
    return organization, organization.tier if organization else Tier.STANDARD


def _check_same_workspace(workspace: Workspace, **objects: Any) -> None:
    for field, obj in objects.items():
        if obj is not None and obj.workspace_id != workspace.pk:
            raise CaseError(_("This belongs to another workspace."), field=field)


def _clear_unhandled(conversation_ids: Iterable[int]) -> None:
    """A conversation attached to a case is handled: it leaves the Unhandled view."""
    Conversation.objects.filter(pk__in=bulk.one_of(sorted(conversation_ids))).update(
        unhandled_since=None
    )


@transaction.atomic
def do_open_case(
    workspace: Workspace,
    *,
    title: str,
    person: Person | None = None,
    organization: Organization | None = None,
    category: str = CaseCategory.OTHER,
    priority: str = Priority.NORMAL,
    owner: Seat | None = None,
    team: Team | None = None,
    policy: SlaPolicy | None = None,
    conversations: Sequence[Conversation] = (),
    actor: Seat | None = None,
) -> Case:
    title = title.strip()
    if not title:
        raise CaseError(_("A case needs a title."), field="title")
    _check_same_workspace(
        workspace, person=person, organization=organization, owner=owner, team=team, policy=policy
    )
    for conversation in conversations:
        _check_same_workspace(workspace, conversations=conversation)
    organization, tier = _organization_and_tier(person, organization)
    now = timezone.now()
    case = Case(
        workspace=workspace,
        title=title[:TITLE_LENGTH],
        person=person,
        organization=organization,
        category=CaseCategory(category),
        priority=Priority(priority),
        tier=tier,
        status=CaseStatus.NEW,
        owner=owner,
        team=team,
        policy=policy or ensure_default_policy(workspace),
        opened_at=now,
        created_by=actor,
    )
    sla.start_clocks(case, now)
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        case.number = _locked_next_number(workspace.pk)
        try:
            with transaction.atomic():
                case.save()
            break
        except IntegrityError:
            case.pk = None
            if attempt == NUMBER_ATTEMPTS:
                raise
    conversation_ids = sorted({c.pk for c in conversations})
    CaseConversation.objects.bulk_create(
        [CaseConversation(case=case, conversation_id=pk, added_by=actor) for pk in conversation_ids]
    )
    _clear_unhandled(conversation_ids)
    record_event(
        workspace,
        "case.opened",
        "case",
        case.pk,
        actor=actor,
        payload={
            "number": case.number,
            "title": case.title,
            "category": case.category,
            "priority": case.priority,
            "person": case.person_id,
            "organization": case.organization_id,
            "conversations": conversation_ids,
        },
    )
    return case


@transaction.atomic
def do_attach_conversation(
    case: Case, conversation: Conversation, *, actor: Seat | None = None
) -> bool:
    """Link a conversation to the case; False when it already was."""
    if conversation.workspace_id != case.workspace_id:
        raise CaseError(_("This conversation belongs to another workspace."), field="conversation")
    _link, created = CaseConversation.objects.get_or_create(
        case=case, conversation=conversation, defaults={"added_by": actor}
    )
    if not created:
        return False
    _clear_unhandled([conversation.pk])
    if case.person_id is None and conversation.person_id is not None:
        case.person_id = conversation.person_id
        case.save(update_fields=["person", "updated_at"])
    record_event(
        case.workspace_id,
        "case.conversation_attached",
        "case",
        case.pk,
        actor=actor,
        payload={"conversation": conversation.pk},
    )
    return True


@transaction.atomic
def do_detach_conversation(
    case: Case, conversation: Conversation, *, actor: Seat | None = None
) -> bool:
    """Unlink a conversation from the case; False when it was not linked."""
    deleted, _rows = CaseConversation.objects.filter(case=case, conversation=conversation).delete()
    if not deleted:
        return False
    record_event(
        case.workspace_id,
        "case.conversation_detached",
        "case",
        case.pk,
        actor=actor,
        payload={"conversation": conversation.pk},
    )
    return True


@transaction.atomic
def do_change_case_status(
    case: Case, status: str, *, reason: str = "", actor: Seat | None = None
) -> Case:
    """Move the case to ``status``. Waiting on the customer pauses the SLA clocks and leaving
    it resumes them; resolving or closing stops them; reopening a finished case lets its
    resolution clock go on from where it stopped. Closing needs a reason."""
    new = CaseStatus(status)
    previous = CaseStatus(case.status)
    reason = reason.strip()
    if new == CaseStatus.CLOSED and not reason:
        raise CaseError(_("Say why the case is closed."), field="reason")
    if new == previous:
        return case
    now = timezone.now()
    was_finished = previous in FINISHED_STATUSES
    finished = new in FINISHED_STATUSES
    if was_finished and not finished:
        # The resolution clock goes on from where it stopped, as after a pause.
        sla.reopen(case, now)
        case.close_reason = ""
        if new == CaseStatus.WAITING_ON_CUSTOMER:
            sla.pause(case, now)
    elif not was_finished and finished:
        sla.stop(case, now)
    elif previous == CaseStatus.WAITING_ON_CUSTOMER:
        sla.resume(case, now)
    elif new == CaseStatus.WAITING_ON_CUSTOMER:
        sla.pause(case, now)
    if new == CaseStatus.RESOLVED:
        case.resolved_at = now
        case.closed_at = None
        case.close_reason = ""
    elif new == CaseStatus.CLOSED:
        case.closed_at = now
        case.close_reason = reason[:200]
    case.status = new
    case.save()
    payload = {"from": previous.value, "to": new.value, "reason": reason}
    record_event(
        case.workspace_id, "case.status_changed", "case", case.pk, actor=actor, payload=payload
    )
    if new == CaseStatus.RESOLVED:
        record_event(
            case.workspace_id,
            "case.resolved",
            "case",
            case.pk,
            actor=actor,
            payload={"number": case.number},
        )
    elif new == CaseStatus.CLOSED:
        record_event(
            case.workspace_id,
            "case.closed",
            "case",
            case.pk,
            actor=actor,
            payload={"number": case.number, "reason": case.close_reason},
        )
    return case


@transaction.atomic
def do_assign_case(
    case: Case, *, owner: Seat | None, team: Team | None = None, actor: Seat | None = None
) -> Case:
    workspace = case.workspace
    _check_same_workspace(workspace, owner=owner, team=team)
    if owner is not None and not owner.is_active:
        raise CaseError(_("This seat is not active."), field="owner")
    if case.owner_id == (owner.pk if owner else None) and case.team_id == (
        team.pk if team else None
    ):
        return case
    case.owner = owner
    case.team = team
    case.save(update_fields=["owner", "team", "updated_at"])
    record_event(
        case.workspace_id,
        "case.assigned",
        "case",
        case.pk,
        actor=actor,
        payload={"seat": owner.pk if owner else None, "team": team.pk if team else None},
    )
    return case


@transaction.atomic
def do_change_case_priority(case: Case, priority: str, *, actor: Seat | None = None) -> Case:
    """A new priority means new targets: the clocks are computed again from the opening."""
    new = Priority(priority)
    previous = case.priority
    if new == previous:
        return case
    case.priority = new
    sla.recompute(case, timezone.now())
    case.save()
    record_event(
        case.workspace_id,
        "case.priority_changed",
        "case",
        case.pk,
        actor=actor,
        payload={"from": previous, "to": new.value},
    )
    return case


@transaction.atomic
def do_add_case_note(case: Case, text: str, *, actor: Seat | None = None) -> Event:
    text = text.strip()
    if not text:
        raise CaseError(_("A note needs some text."), field="text")
    if len(text) > NOTE_LENGTH:
        raise CaseError(
            _("A note holds at most %(limit)d characters.") % {"limit": NOTE_LENGTH},
            field="text",
        )
    return record_event(
        case.workspace_id, "case.note", "case", case.pk, actor=actor, payload={"text": text}
    )


# Nothing dropped ----------------------------------------------------------------------------


def open_after_sales_cases(workspace_id: int, message_ids: Sequence[int]) -> int:
    """Open one after-sales case per conversation whose new inbound messages carry the
    after-sales intent, unless the conversation already has an open after-sales case.

    Batch-first: one query reads the messages with their conversations, one the open
    after-sales cases already linked to them, then the cases, links and events are
    written in bulk. Returns the number of cases opened.
    """
    if not message_ids:
        return 0
    rows = (
        Message.objects.filter(
            workspace_id=workspace_id,
            pk__in=list(message_ids),
            direction=Direction.INBOUND,
            intents__has_key=AFTER_SALES,
        )
        .select_related("conversation")
        .order_by("sent_at", "id")
    )
    return open_after_sales_cases_of(workspace_id, list(rows))


def open_after_sales_cases_of(workspace_id: int, messages: Sequence[Message]) -> int:
    """``open_after_sales_cases`` for messages already in memory with their conversation
    (the ingest pipeline's, just stored), in time order: no query to read them again."""
    # The first after-sales message of each conversation names its case.
    first_of: dict[int, Message] = {}
    for message in messages:
        if (
            message.workspace_id == workspace_id
            and message.direction == Direction.INBOUND
            and AFTER_SALES in (message.intents or {})
        ):
            first_of.setdefault(message.conversation_id, message)
    if not first_of:
        return 0
    for attempt in range(1, NUMBER_ATTEMPTS + 1):
        try:
            return _open_uncovered(workspace_id, first_of)
        except IntegrityError:
            # Another opening took the same numbers; read again and retry.
            if attempt == NUMBER_ATTEMPTS:
                raise
    return 0


@transaction.atomic
def _open_uncovered(workspace_id: int, first_of: dict[int, Message]) -> int:
    # Two lookups driven by the conversations' own index: a join lets the planner start
    # from the workspace's open cases instead, whose number grows with its history.
    links: dict[int, list[int]] = {}
    for conversation_id, case_id in CaseConversation.objects.filter(
        conversation_id__in=bulk.one_of(list(first_of))
    ).values_list("conversation_id", "case_id"):
        links.setdefault(case_id, []).append(conversation_id)
    covered: set[int] = set()
    if links:
        for case_id in Case.objects.filter(
            pk__in=bulk.one_of(list(links)),
            workspace_id=workspace_id,
            category=CaseCategory.AFTER_SALES,
            status__in=OPEN_STATUSES,
        ).values_list("pk", flat=True):
            covered.update(links[case_id])
    todo = [m for pk, m in first_of.items() if pk not in covered]
    return _open_cases_for(workspace_id, todo) if todo else 0


def _open_cases_for(workspace_id: int, messages: list[Message]) -> int:
    workspace = Workspace.objects.get(pk=workspace_id)
    policy = ensure_default_policy(workspace)
    person_ids = {m.conversation.person_id for m in messages if m.conversation.person_id}
    organizations = _main_organizations(workspace_id, person_ids)
    now = timezone.now()
    first = _locked_next_number(workspace_id)
    cases: list[Case] = []
    clocks: dict[tuple[str, str], Case] = {}
    for offset, message in enumerate(messages):
        person_id = message.conversation.person_id
        organization = organizations.get(person_id) if person_id else None
        case = bulk.new(
            Case,
            workspace_id=workspace_id,
            number=first + offset,
            title=title_from(message.conversation.subject or message.text)
            or _("After-sales request"),
            person_id=person_id,
            organization=organization,
            category=CaseCategory.AFTER_SALES,
            priority=Priority(message.conversation.priority),
            tier=organization.tier if organization else Tier.STANDARD,
            status=CaseStatus.NEW,
            policy=policy,
            opened_at=now,
        )
        # Cases opened at the same moment with the same priority and tier share their due
        # times: the business-time arithmetic runs once for each such pair.
        twin = clocks.get((case.priority, case.tier))
        if twin is None:
            sla.start_clocks(case, now)
            clocks[case.priority, case.tier] = case
        else:
            case.first_response_due_at = twin.first_response_due_at
            case.resolution_due_at = twin.resolution_due_at
            case.next_check_at = twin.next_check_at
        cases.append(case)
    # Inside the transaction (``_open_uncovered``): the fast writer of the ingest path.
    bulk.insert(Case, cases)
    bulk.insert(
        CaseConversation,
        [
            bulk.new(
                CaseConversation,
                case_id=case.pk,
                conversation_id=message.conversation_id,
                added_by_id=None,
            )
            for case, message in zip(cases, messages, strict=True)
        ],
    )
    _clear_unhandled(m.conversation_id for m in messages)
    events = [
        bulk.new(
            Event,
            workspace_id=workspace_id,
            actor_id=None,
            verb="case.opened",
            subject_type="case",
            subject_id=case.pk,
            payload={
                "number": case.number,
                "title": case.title,
                "category": case.category,
                "priority": case.priority,
                "person": case.person_id,
                "organization": case.organization_id,
                "conversations": [message.conversation_id],
                "message": message.pk,
                "automatic": True,
            },
        )
        for case, message in zip(cases, messages, strict=True)
    ]
    bulk.insert(Event, events)
    return len(cases)


def _main_organizations(workspace_id: int, person_ids: set[int]) -> dict[int, Organization]:
    """Each person's main organisation (the primary-contact membership first), in one query."""
    if not person_ids:
        return {}
    found: dict[int, Organization] = {}
    for membership in (
        Membership.objects.filter(workspace_id=workspace_id, person_id__in=person_ids)
        .select_related("organization")
        .order_by("person_id", "-is_primary_contact", "created_at", "id")
    ):
        found.setdefault(membership.person_id, membership.organization)
    return found
