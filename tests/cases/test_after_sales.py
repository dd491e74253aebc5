"""Nothing dropped: an after-sales request (lost item, refund, return) opens a case on its
own, once per conversation while that case is open."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.cases.actions import do_change_case_status, open_after_sales_cases
from comptoir.cases.defaults import ensure_default_policy
from comptoir.cases.models import Case, CaseCategory, CaseStatus
from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, Direction, Message
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate
from comptoir.people.models import Tier
from comptoir.workspaces.models import Event
from tests.conftest import Personas
from tests.factories import (
    ChannelFactory,
    ConversationFactory,
    MembershipFactory,
    MessageFactory,
    OrganizationFactory,
)

LOST_PARCEL = "J'ai perdu mon colis, je veux un remboursement"
FOLLOW_UP = "Toujours rien reçu, pouvez-vous me rembourser mon colis perdu ?"


def event(n: int, text: str, *, author: str = "marie", thread: str = "t1") -> Candidate:
    payload: dict[str, Any] = {
        "external_id": f"m{n}",
        "created_at": f"2026-11-20T10:{n:02d}:00+01:00",
        "text": text,
        "thread_id": thread,
        "author": {"kind": "x", "external_id": f"id-{author}", "handle": f"@{author}"},
    }
    return Candidate(location=f"event {n}", payload=payload)


@pytest.fixture
def channel(personas: Personas) -> Channel:
    return ChannelFactory.create(workspace=personas.workspace_a, kind="x")


def receive(personas: Personas, channel: Channel, *events: Candidate) -> list[int]:
    """Ingest the events (the pipeline opens the after-sales cases in the same transaction).
    Returns the new inbound messages' ids."""
    before = set(Message.objects.values_list("pk", flat=True))
    ingest(personas.workspace_a, channel, list(events))
    return list(
        Message.objects.filter(direction=Direction.INBOUND)
        .exclude(pk__in=before)
        .values_list("pk", flat=True)
    )


def test_a_lost_parcel_opens_one_case_and_a_follow_up_no_second(
    personas: Personas, channel: Channel
) -> None:
    receive(personas, channel, event(1, LOST_PARCEL))

    case = Case.objects.get()
    conversation = Conversation.objects.get()
    assert case.category == CaseCategory.AFTER_SALES
    assert case.title == LOST_PARCEL
    assert case.person_id == conversation.person_id is not None
    assert list(case.conversations.all()) == [conversation]
    assert case.status == CaseStatus.NEW
    assert case.resolution_due_at is not None  # under the workspace's default policy
    conversation.refresh_from_db()
    assert conversation.unhandled_since is None  # attached to a case: handled
    opened = Event.objects.get(subject_type="case", subject_id=case.pk)
    assert opened.verb == "case.opened"
    assert opened.payload["automatic"] is True

    receive(personas, channel, event(2, FOLLOW_UP))

    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 2
    assert Case.objects.count() == 1


def test_a_question_opens_nothing(personas: Personas, channel: Channel) -> None:
    receive(personas, channel, event(1, "Bonjour, quels sont vos horaires d'ouverture ?"))
    assert not Case.objects.exists()


def test_once_the_case_is_resolved_a_new_request_opens_a_new_one(
    personas: Personas, channel: Channel
) -> None:
    receive(personas, channel, event(1, LOST_PARCEL))
    first = Case.objects.get()
    do_change_case_status(first, CaseStatus.RESOLVED)

    receive(personas, channel, event(2, FOLLOW_UP))

    assert Case.objects.count() == 2
    assert sorted(Case.objects.values_list("number", flat=True)) == [1, 2]


def test_running_twice_over_the_same_messages_opens_nothing_more(
    personas: Personas, channel: Channel
) -> None:
    ids = receive(personas, channel, event(1, LOST_PARCEL))
    assert open_after_sales_cases(personas.workspace_a.pk, ids) == 0
    assert Case.objects.count() == 1


def test_a_batch_opens_one_case_per_conversation_in_a_fixed_number_of_queries(
    personas: Personas,
) -> None:
    a = personas.workspace_a
    key = OrganizationFactory.create(workspace=a, tier=Tier.KEY)
    conversations = ConversationFactory.create_batch(6, workspace=a, subject="")
    MembershipFactory.create(workspace=a, person=conversations[0].person, organization=key)
    ids = []
    for convo in conversations:
        for text in (LOST_PARCEL, "Et le retour ?"):
            ids.append(
                MessageFactory.create(
                    conversation=convo, text=text, intents={"after_sales": 0.9}
                ).pk
            )
    ids.append(MessageFactory.create(workspace=a, intents={"question": 0.9}).pk)
    # Another workspace's message named by mistake is left alone.
    ids.append(MessageFactory.create(intents={"after_sales": 0.9}).pk)
    ensure_default_policy(a)  # set up once, so that both calls below do the same work

    with CaptureQueriesContext(connection) as few:
        opened = open_after_sales_cases(a.pk, ids[:4])
    with CaptureQueriesContext(connection) as many:
        opened += open_after_sales_cases(a.pk, ids)

    assert opened == 6
    # The second call also reads the cases the first one opened: one query more, whatever
    # the number of messages.
    assert len(many.captured_queries) == len(few.captured_queries) + 1
    cases = Case.objects.filter(workspace=a).order_by("number")
    assert [c.number for c in cases] == [1, 2, 3, 4, 5, 6]
    # Without a subject (a social thread), the first after-sales message names the case.
    assert {c.title for c in cases} == {LOST_PARCEL}
    by_person = {c.person_id: c for c in cases}
    assert by_person[conversations[0].person_id].tier == Tier.KEY
    assert by_person[conversations[0].person_id].organization == key
    assert Event.objects.filter(verb="case.opened").count() == 6


def test_an_email_case_takes_its_subject_as_title(personas: Personas) -> None:
    a = personas.workspace_a
    convo = ConversationFactory.create(workspace=a, subject="Colis perdu, commande CMD-2026-1")
    message = MessageFactory.create(
        conversation=convo, text=LOST_PARCEL, intents={"after_sales": 1}
    )

    open_after_sales_cases(a.pk, [message.pk])

    assert Case.objects.get(workspace=a).title == "Colis perdu, commande CMD-2026-1"


def test_a_conversation_already_stored_is_handled_once_its_case_opens(
    personas: Personas, channel: Channel
) -> None:
    receive(personas, channel, event(1, "Bonjour, quels sont vos horaires d'ouverture ?"))
    conversation = Conversation.objects.get()
    assert conversation.unhandled_since is not None

    receive(personas, channel, event(2, LOST_PARCEL))

    conversation.refresh_from_db()
    assert list(conversation.cases.all()) == [Case.objects.get()]
    assert conversation.unhandled_since is None
    assert conversation.message_count == 2
