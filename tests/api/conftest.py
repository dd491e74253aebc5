"""API fixtures: a token per persona, a client that sends it, and a small world in A and B.

Workspace A (Alice's) holds two people in one organisation, two channels (one with
secrets) and two conversations; workspace B (Charlie's) holds the same shape, smaller, so
that every list has something of B's to show and every test can check A's rows stay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.api.actions import do_create_token
from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel
from comptoir.inbox.actions import do_add_message, do_start_conversation
from comptoir.inbox.models import Conversation, Direction, Message, MessageKind, Visibility
from comptoir.ingest.models import RejectedEvent, Source
from comptoir.listening.actions import do_create_rule
from comptoir.listening.matching import mentions_in
from comptoir.listening.models import ListeningRule, Mention
from comptoir.people.actions import (
    do_add_identity,
    do_add_membership,
    do_create_organization,
    do_create_person,
)
from comptoir.people.merging import do_merge_people
from comptoir.people.models import (
    CommitteeRole,
    Identity,
    IdentityKind,
    LifecycleStage,
    Membership,
    MergeSuggestion,
    Organization,
    Person,
    PersonMerge,
    Stance,
)
from comptoir.workspaces.models import Seat
from tests.conftest import Personas
from tests.factories import BASE_TIME

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

CHANNEL_SECRET = "imap-pa55word-never-shown"


@dataclass
class ApiClient:
    """A test client that sends one bearer token (or none) on every call."""

    token: str | None

    def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        return Client().get(f"/api/v1{path}", params or {}, headers=headers)

    def ok(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """The JSON body of a call that must succeed."""
        response = self.get(path, params)
        assert response.status_code == 200, response.content
        return response.json()

    def queries_for(self, path: str, rows: int) -> int:
        """How many SQL queries a list call costs, once it has listed ``rows`` rows."""
        self.ok(path)  # a token's first use of the minute writes last_used_at; not counted
        with CaptureQueriesContext(connection) as queries:
            body = self.ok(path)
        assert len(body["items"]) == rows
        return len(queries)

    def walk(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Every item of a list, following next_cursor page after page."""
        items: list[dict[str, Any]] = []
        query = dict(params or {})
        while True:
            body = self.ok(path, query)
            items.extend(body["items"])
            if body["next_cursor"] is None:
                return items
            query["cursor"] = body["next_cursor"]


def token_for(seat: Seat) -> str:
    return do_create_token(seat, name="tests").secret


@pytest.fixture
def alice_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.alice))


@pytest.fixture
def charlie_api(personas: Personas) -> ApiClient:
    return ApiClient(token_for(personas.charlie))


@dataclass
class Side:
    """One workspace's rows, as the tests name them."""

    email: Channel
    x: Channel
    marie: Person
    jean: Person
    marie_email: Identity
    marie_x: Identity
    jean_linkedin: Identity
    acme: Organization
    marie_at_acme: Membership
    jean_at_acme: Membership
    complaint: Conversation
    question: Conversation
    inbound: Message
    reply: Message
    note: Message
    suggestion: MergeSuggestion  # Marie ~ Jean, pending
    merge: PersonMerge  # an empty duplicate merged into Jean
    rejected: RejectedEvent  # an invalid webhook event, pending
    rule: ListeningRule  # "ship OR livraison"
    mention: Mention  # the rule's catch: the public question on X


@dataclass
class World:
    a: Side
    b: Side


def _side(personas: Personas, *, of_a: bool) -> Side:
    ws = personas.workspace_a if of_a else personas.workspace_b
    agent = personas.alice if of_a else personas.charlie
    tag = "a" if of_a else "b"
    email = do_create_channel(
        ws,
        kind="email",
        name=f"Service client {tag}",
        settings={"address": f"service@{tag}.example.com", "imap_host": "127.0.0.1"},
        secrets={"imap_password": CHANNEL_SECRET, "smtp_password": CHANNEL_SECRET},
    )
    x = do_create_channel(ws, kind="x", name=f"X {tag}", settings={"handle": f"brand_{tag}"})
    marie = do_create_person(
        ws,
        display_name=f"Marie Dupont {tag.upper()}",
        preferred_language="fr",
        lifecycle_stage=LifecycleStage.CUSTOMER,
        relationship_owner=agent,
        first_seen_at=BASE_TIME,
    )
    jean = do_create_person(
        ws,
        display_name=f"Jean Martin {tag.upper()}",
        lifecycle_stage=LifecycleStage.PROSPECT,
        first_seen_at=BASE_TIME,
    )
    marie_email = do_add_identity(
        marie, kind=IdentityKind.EMAIL, external_id=f"Marie.Dupont@{tag}.example.org"
    )
    marie_x = do_add_identity(
        marie, kind=IdentityKind.X, external_id=f"{tag}-42", handle="@mdupont"
    )
    jean_linkedin = do_add_identity(
        jean, kind=IdentityKind.LINKEDIN, external_id=f"{tag}-jm", handle="jean-martin"
    )
    acme = do_create_organization(ws, name=f"Acme {tag.upper()}", domains=["acme.example"])
    marie_at_acme = do_add_membership(
        marie,
        acme,
        title="CFO",
        committee_role=CommitteeRole.DECISION_MAKER,
        stance=Stance.SUPPORTER,
        is_primary_contact=True,
    )
    jean_at_acme = do_add_membership(jean, acme, title="Engineer")
    complaint = do_start_conversation(
        email,
        identity=marie_email,
        subject="Colis perdu",
        language="fr",
        started_at=BASE_TIME,
    )
    complaint.assignee = agent
    complaint.save(update_fields=["assignee"])
    inbound = do_add_message(
        complaint,
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Mon colis est perdu.",
        sent_at=BASE_TIME + timedelta(minutes=1),
        author_identity=marie_email,
        external_id=f"<lost-{tag}@example.org>",
    )
    reply = do_add_message(
        complaint,
        direction=Direction.OUTBOUND,
        kind=MessageKind.EMAIL,
        text="Nous le retrouvons.",
        sent_at=BASE_TIME + timedelta(minutes=5),
        author_seat=agent,
        in_reply_to=inbound,
    )
    note = do_add_message(
        complaint,
        direction=Direction.NOTE,
        kind=MessageKind.DIRECT,
        text="Check with the carrier.",
        sent_at=BASE_TIME + timedelta(minutes=6),
        author_seat=agent,
    )
    question = do_start_conversation(
        x, identity=marie_x, subject="", language="en", started_at=BASE_TIME + timedelta(hours=1)
    )
    public_post = do_add_message(
        question,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        visibility=Visibility.PUBLIC,
        text="Do you ship to Canada?",
        sent_at=BASE_TIME + timedelta(hours=1),
        author_identity=marie_x,
        external_id=f"tweet-{tag}",
    )
    complaint.refresh_from_db()
    question.refresh_from_db()
    rule = do_create_rule(ws, name=f"Shipping {tag}", query="ship OR livraison")
    [mention] = Mention.objects.bulk_create(mentions_in(ws, x, [public_post]))
    suggestion = MergeSuggestion.objects.create(
        workspace=ws,
        person=marie,
        other=jean,
        score=0.6,
        reasons=[{"signal": "same_thread", "detail": "Colis perdu", "weight": 0.2}],
    )
    duplicate = do_create_person(
        ws, display_name=f"J. Martin {tag.upper()}", first_seen_at=BASE_TIME
    )
    merge = do_merge_people(jean, duplicate, reason="Same person", actor=agent)
    jean.refresh_from_db()
    rejected = RejectedEvent.objects.create(
        workspace=ws,
        channel=x,
        source=Source.WEBHOOK,
        location="event 0",
        raw='{"external_id": "1"}',
        reason="created_at: Field required",
    )
    return Side(
        email=email,
        x=x,
        marie=marie,
        jean=jean,
        marie_email=marie_email,
        marie_x=marie_x,
        jean_linkedin=jean_linkedin,
        acme=acme,
        marie_at_acme=marie_at_acme,
        jean_at_acme=jean_at_acme,
        complaint=complaint,
        question=question,
        inbound=inbound,
        reply=reply,
        note=note,
        suggestion=suggestion,
        merge=merge,
        rejected=rejected,
        rule=rule,
        mention=mention,
    )


@pytest.fixture
def world(personas: Personas) -> World:
    return World(a=_side(personas, of_a=True), b=_side(personas, of_a=False))


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]
