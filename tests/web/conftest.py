"""Data for the web tests: a small, lifelike workspace A and one secret row set in B.

Workspace A (Alice and Bob) has two channels, three people, one organisation and three
conversations that differ in status, channel, assignee and language, so that each filter
selects a known subset. Workspace B (Charlie) has its own rows, named so that a leak
into A's pages, or of A's into B's, is easy to spot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from comptoir.channels.models import Channel, ChannelKind
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    MessageKind,
    Visibility,
)
from comptoir.people.models import (
    CommitteeRole,
    IdentityKind,
    LifecycleStage,
    Organization,
    Person,
    Stance,
)
from tests.conftest import Personas
from tests.factories import (
    BASE_TIME,
    ChannelFactory,
    ConversationFactory,
    IdentityFactory,
    MembershipFactory,
    MessageFactory,
    OrganizationFactory,
    PersonFactory,
)


@dataclass
class WebData:
    personas: Personas
    mail: Channel
    x: Channel
    marie: Person
    paul: Person
    lea: Person
    lumiere: Organization
    lost_parcel: Conversation  # Marie on X, open, Alice's, French
    refund: Conversation  # Marie by email, resolved, unassigned, English
    pricing: Conversation  # Paul by email, pending, Bob's, English
    secret_person: Person
    secret_org: Organization
    secret_conversation: Conversation

    @property
    def slug_a(self) -> str:
        return self.personas.workspace_a.slug

    @property
    def slug_b(self) -> str:
        return self.personas.workspace_b.slug


@pytest.fixture
def web_data(personas: Personas) -> WebData:
    a, b = personas.workspace_a, personas.workspace_b
    mail = ChannelFactory.create(workspace=a, kind=ChannelKind.EMAIL, name="Support mailbox")
    x = ChannelFactory.create(workspace=a, kind=ChannelKind.X, name="@maisonlumiere")

    marie = PersonFactory.create(
        workspace=a,
        display_name="Marie Dupont",
        lifecycle_stage=LifecycleStage.CUSTOMER,
        relationship_owner=personas.alice,
        last_inbound_at=BASE_TIME,
    )
    marie_x = IdentityFactory.create(person=marie, kind=IdentityKind.X, handle="@mariedupont")
    marie_mail = IdentityFactory.create(
        person=marie,
        kind=IdentityKind.EMAIL,
        external_id="marie.dupont@example.fr",
        handle="",
    )
    paul = PersonFactory.create(
        workspace=a, display_name="Paul Martin", lifecycle_stage=LifecycleStage.PROSPECT
    )
    paul_mail = IdentityFactory.create(
        person=paul,
        kind=IdentityKind.EMAIL,
        external_id="paul@lumiere-distribution.test",
        handle="",
    )
    lea = PersonFactory.create(
        workspace=a, display_name="Léa Bernard", lifecycle_stage=LifecycleStage.FOLLOWER
    )
    IdentityFactory.create(person=lea, kind=IdentityKind.MASTODON, handle="@lea@mastodon.social")

    lumiere = OrganizationFactory.create(
        workspace=a, name="Lumière Distribution", industry="Retail", tier="key"
    )
    MembershipFactory.create(
        person=marie,
        organization=lumiere,
        title="Head of purchasing",
        committee_role=CommitteeRole.DECISION_MAKER,
        stance=Stance.SUPPORTER,
        is_primary_contact=True,
    )
    MembershipFactory.create(
        person=paul,
        organization=lumiere,
        title="IT manager",
        committee_role=CommitteeRole.INFLUENCER,
        stance=Stance.OPPONENT,
    )

    lost_parcel = ConversationFactory.create(
        workspace=a,
        channel=x,
        person=marie,
        identity=marie_x,
        subject="Colis perdu",
        status=ConversationStatus.OPEN,
        assignee=personas.alice,
        language="fr",
        last_activity_at=BASE_TIME + timedelta(hours=3),
        message_count=3,
        last_message_preview="Merci, je regarde tout de suite.",
    )
    MessageFactory.create(
        conversation=lost_parcel,
        text="Mon colis n'est jamais arrivé.",
        sent_at=BASE_TIME + timedelta(hours=1),
    )
    MessageFactory.create(
        conversation=lost_parcel,
        direction=Direction.OUTBOUND,
        author_identity=None,
        author_seat=personas.alice,
        text="Merci, je regarde tout de suite.",
        sent_at=BASE_TIME + timedelta(hours=2),
    )
    MessageFactory.create(
        conversation=lost_parcel,
        direction=Direction.NOTE,
        visibility=Visibility.PRIVATE,
        kind=MessageKind.DIRECT,
        author_identity=None,
        author_seat=personas.bob,
        external_id=None,
        text="Carrier says the parcel is stuck in Lyon.",
        sent_at=BASE_TIME + timedelta(hours=3),
    )
    refund = ConversationFactory.create(
        workspace=a,
        channel=mail,
        person=marie,
        identity=marie_mail,
        subject="Refund request",
        status=ConversationStatus.RESOLVED,
        language="en",
        last_activity_at=BASE_TIME + timedelta(hours=2),
    )
    MessageFactory.create(
        conversation=refund,
        kind=MessageKind.EMAIL,
        visibility=Visibility.PRIVATE,
        text="Could I get my money back?",
        sent_at=BASE_TIME,
    )
    pricing = ConversationFactory.create(
        workspace=a,
        channel=mail,
        person=paul,
        identity=paul_mail,
        subject="Pricing question",
        status=ConversationStatus.PENDING,
        assignee=personas.bob,
        language="en",
        last_activity_at=BASE_TIME + timedelta(hours=1),
    )

    secret_channel = ChannelFactory.create(workspace=b, kind=ChannelKind.EMAIL, name="B inbox")
    secret_person = PersonFactory.create(workspace=b, display_name="Zoé Secrète")
    secret_identity = IdentityFactory.create(person=secret_person, handle="@zoesecrete")
    secret_org = OrganizationFactory.create(workspace=b, name="Secret Holdings")
    MembershipFactory.create(person=secret_person, organization=secret_org)
    secret_conversation = ConversationFactory.create(
        workspace=b,
        channel=secret_channel,
        person=secret_person,
        identity=secret_identity,
        subject="Secret negotiation",
    )
    MessageFactory.create(conversation=secret_conversation, text="Confidential figures")

    return WebData(
        personas=personas,
        mail=mail,
        x=x,
        marie=marie,
        paul=paul,
        lea=lea,
        lumiere=lumiere,
        lost_parcel=lost_parcel,
        refund=refund,
        pricing=pricing,
        secret_person=secret_person,
        secret_org=secret_org,
        secret_conversation=secret_conversation,
    )
