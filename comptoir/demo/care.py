"""The customer-care side of a demo workspace: teams, saved replies, tags, the business
calendar and SLA policy, what still waits to be handled, the cases after-sales requests
opened, and the SLA clocks as they stand today.

It runs once the conversations and their readings are stored, through the same actions
and batch functions as real work, so the demo's cases, clocks and events are the ones a
team would see.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comptoir.cases import sla
from comptoir.cases.actions import do_change_case_status, do_open_case, open_after_sales_cases
from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import Case, CaseCategory, CaseStatus
from comptoir.demo.company import Company
from comptoir.inbox.actions import do_create_saved_reply, do_create_tag
from comptoir.inbox.models import Conversation, ConversationStatus, Direction, Message, Priority
from comptoir.understanding.intents import AFTER_SALES, COMPLAINT
from comptoir.workspaces.actions import do_create_team
from comptoir.workspaces.models import Role, Seat, Workspace

SAVED_REPLIES = {
    "fr": (
        (
            "Accusé de réception",
            (
                "Bonjour {first_name}, merci pour votre message. Je regarde cela tout de suite "
                "et je reviens vers vous dans la journée. {agent_name}"
            ),
        ),
        (
            "Colis en retard",
            (
                "Bonjour {first_name}, je suis désolée pour ce retard. J'ai ouvert une enquête "
                "auprès du transporteur et je vous tiens au courant d'ici 48 heures. {agent_name}"
            ),
        ),
        (
            "Remboursement lancé",
            (
                "Bonjour {first_name}, votre remboursement est lancé : il apparaîtra sur votre "
                "compte sous 5 à 7 jours ouvrés. Belle journée, {agent_name}"
            ),
        ),
    ),
    "en": (
        (
            "Acknowledgement",
            (
                "Hi {first_name}, thanks for reaching out. I'm looking into it now and will get "
                "back to you today. {agent_name}"
            ),
        ),
        (
            "Escalated to engineering",
            (
                "Hi {first_name}, I've passed this to our engineers with everything you sent; "
                "I'll update you as soon as they have a fix. {agent_name}"
            ),
        ),
        (
            "Refund issued",
            (
                "Hi {first_name}, your refund is on its way and should show within 5 to 7 "
                "business days. Best, {agent_name}"
            ),
        ),
    ),
}
TEAMS = {
    "fr": ("Service client", "Ventes"),
    "en": ("Support", "Sales"),
}
TAGS = {
    "fr": (("Après-vente", "#b45309"), ("Livraison", "#1d4ed8"), ("VIP", "#7c3aed")),
    "en": (("After-sales", "#b45309"), ("Billing", "#1d4ed8"), ("VIP", "#7c3aed")),
}
FINISHED = (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)


@transaction.atomic
def write_care(workspace: Workspace, company: Company, seats: dict[str, Seat]) -> None:
    language = "fr" if company.default_language == "fr" else "en"
    owner = seats[company.employees[0].email]
    care = _teams(workspace, language, list(seats.values()), owner)
    for title, body in SAVED_REPLIES["fr"] + SAVED_REPLIES["en"]:
        reply_language = "fr" if (title, body) in SAVED_REPLIES["fr"] else "en"
        do_create_saved_reply(
            workspace, title=title, language=reply_language, body=body, actor=owner
        )
    tags = [
        do_create_tag(workspace, name=name, color=color, actor=owner)
        for name, color in TAGS[language]
    ]
    ensure_default_policy(workspace)
    _unhandled_clocks(workspace)
    after_sales = list(
        Message.objects.filter(
            workspace=workspace, direction=Direction.INBOUND, intents__has_key=AFTER_SALES
        ).values_list("pk", flat=True)
    )
    open_after_sales_cases(workspace.pk, after_sales)
    _complaint_cases(workspace, owner)
    _cases_as_they_stand(workspace, care_owner=_first_agent(care, owner))
    _tag(workspace, tags[0])


def _teams(workspace: Workspace, language: str, seats: list[Seat], owner: Seat) -> list[Seat]:
    """The care team (agents and managers) and the sales team; returns the care team."""
    care = [s for s in seats if s.role in (Role.AGENT, Role.MANAGER)]
    sales = [s for s in seats if s.role in (Role.MANAGER, Role.OWNER)]
    care_name, sales_name = TEAMS[language]
    do_create_team(workspace, name=care_name, member_ids=[s.pk for s in care], actor=owner)
    do_create_team(workspace, name=sales_name, member_ids=[s.pk for s in sales], actor=owner)
    return care


def _first_agent(care: list[Seat], owner: Seat) -> Seat:
    agents = [s for s in care if s.role == Role.AGENT]
    return agents[0] if agents else owner


def _unhandled_clocks(workspace: Workspace) -> None:
    """What the pipeline keeps as messages arrive: since when the oldest inbound message
    after the last reply waits, for conversations nobody resolved or closed."""
    last_reply: dict[int, datetime] = {}
    inbound: dict[int, list[datetime]] = defaultdict(list)
    for conversation_id, direction, sent_at in (
        Message.objects.filter(workspace=workspace)
        .exclude(direction=Direction.NOTE)
        .values_list("conversation_id", "direction", "sent_at")
    ):
        if direction == Direction.OUTBOUND:
            if conversation_id not in last_reply or last_reply[conversation_id] < sent_at:
                last_reply[conversation_id] = sent_at
        else:
            inbound[conversation_id].append(sent_at)
    waiting = Conversation.objects.filter(workspace=workspace).exclude(status__in=FINISHED)
    changed = []
    for conversation in waiting.only("pk", "unhandled_since"):
        replied = last_reply.get(conversation.pk)
        pending = [t for t in inbound[conversation.pk] if replied is None or t > replied]
        if pending:
            conversation.unhandled_since = min(pending)
            changed.append(conversation)
    Conversation.objects.bulk_update(changed, ["unhandled_since"], batch_size=1000)


def _complaint_cases(workspace: Workspace, owner: Seat, count: int = 8) -> None:
    """The newest waiting complaints become cases too, as a team lead would file them: in
    B2B they are problems of an account (technical, billing), not lost parcels."""
    complaints = (
        Message.objects.filter(
            workspace=workspace,
            direction=Direction.INBOUND,
            intents__has_key=COMPLAINT,
            conversation__unhandled_since__isnull=False,
        )
        .select_related("conversation__person")
        .order_by("-sent_at", "-id")
    )
    opened: set[int] = set()
    for message in complaints[: count * 4]:
        conversation = message.conversation
        if conversation.pk in opened or len(opened) >= count:
            continue
        opened.add(conversation.pk)
        do_open_case(
            workspace,
            title=conversation.subject or message.text[:120],
            person=conversation.person,
            category=CaseCategory.TECHNICAL if len(opened) % 2 else CaseCategory.COMPLAINT,
            priority=Priority.HIGH if len(opened) % 3 == 0 else Priority.NORMAL,
            conversations=[conversation],
            actor=owner,
        )


def _cases_as_they_stand(workspace: Workspace, *, care_owner: Seat) -> None:
    """The after-sales cases opened when their first request came in, their clocks run
    from then, the finished conversations' cases resolved, then one SLA pass: so the list
    shows met, at-risk and breached clocks as a real week would leave them."""
    now = timezone.now()
    cases = list(
        Case.objects.filter(workspace=workspace)
        .select_related("policy__calendar")
        .prefetch_related("conversations")
    )
    for number, case in enumerate(cases):
        conversations = list(case.conversations.all())
        case.opened_at = min(
            (c.first_inbound_at or c.last_activity_at for c in conversations), default=now
        )
        sla.start_clocks(case, now)
        replies = [c.first_response_at for c in conversations if c.first_response_at]
        if replies:
            sla.record_first_response(case, min(replies))
        case.status = CaseStatus.OPEN
        if number % 3:
            case.owner = care_owner
    Case.objects.bulk_update(
        cases,
        [
            "opened_at",
            "first_response_due_at",
            "first_response_at",
            "resolution_due_at",
            "next_check_at",
            "status",
            "owner",
            "policy",
        ],
        batch_size=500,
    )
    for case in cases:
        statuses = {c.status for c in case.conversations.all()}
        if statuses and statuses <= set(FINISHED):
            do_change_case_status(case, CaseStatus.RESOLVED, actor=care_owner)
    sla.check_due_cases(now)


def _tag(workspace: Workspace, tag: object) -> None:
    """The after-sales tag on the conversations that opened a case."""
    through = Conversation.tags.through
    conversation_ids = set(
        Case.objects.filter(workspace=workspace).values_list("conversations", flat=True)
    )
    through.objects.bulk_create(
        [
            through(conversation_id=pk, tag_id=tag.pk)  # type: ignore[attr-defined]
            for pk in sorted(i for i in conversation_ids if i)
        ],
        ignore_conflicts=True,
    )
