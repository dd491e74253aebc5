"""Factories for test data. Each builds rows through the same fields the actions write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model

from comptoir.channels.models import Channel, ChannelKind
from comptoir.inbox.models import (
    Conversation,
    Direction,
    Message,
    MessageKind,
    Visibility,
)
from comptoir.people.models import (
    CommitteeRole,
    Identity,
    IdentityKind,
    Membership,
    Organization,
    Person,
    Stance,
)
from comptoir.workspaces.models import Role, Seat, Workspace

BASE_TIME = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)


class UserFactory(factory.django.DjangoModelFactory[Any]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.test")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("correct horse battery staple")


class WorkspaceFactory(factory.django.DjangoModelFactory[Workspace]):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class SeatFactory(factory.django.DjangoModelFactory[Seat]):
    class Meta:
        model = Seat

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.AGENT
    display_name = factory.Sequence(lambda n: f"Agent {n}")


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    workspace = factory.SubFactory(WorkspaceFactory)
    display_name = factory.Sequence(lambda n: f"Person {n}")
    first_seen_at = BASE_TIME


class IdentityFactory(factory.django.DjangoModelFactory[Identity]):
    class Meta:
        model = Identity

    person = factory.SubFactory(PersonFactory)
    workspace = factory.LazyAttribute(lambda o: o.person.workspace)
    kind = IdentityKind.X
    external_id = factory.Sequence(lambda n: f"{1000 + n}")
    handle = factory.Sequence(lambda n: f"@handle{n}")


class OrganizationFactory(factory.django.DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")
    domains: Any = factory.LazyAttribute(lambda o: [f"{o.name.lower().replace(' ', '')}.test"])


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    workspace = factory.LazyAttribute(lambda o: o.person.workspace)
    organization = factory.SubFactory(
        OrganizationFactory, workspace=factory.SelfAttribute("..workspace")
    )
    committee_role = CommitteeRole.CHAMPION
    stance = Stance.SUPPORTER


class ChannelFactory(factory.django.DjangoModelFactory[Channel]):
    class Meta:
        model = Channel

    workspace = factory.SubFactory(WorkspaceFactory)
    kind = ChannelKind.X
    name = factory.Sequence(lambda n: f"Channel {n}")
    config: Any = factory.LazyFunction(lambda: {"handle": "brand", "user_id": ""})


class ConversationFactory(factory.django.DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    workspace = factory.SubFactory(WorkspaceFactory)
    channel = factory.SubFactory(ChannelFactory, workspace=factory.SelfAttribute("..workspace"))
    person = factory.SubFactory(PersonFactory, workspace=factory.SelfAttribute("..workspace"))
    identity = factory.SubFactory(
        IdentityFactory,
        person=factory.SelfAttribute("..person"),
        workspace=factory.SelfAttribute("..workspace"),
    )
    subject = factory.Sequence(lambda n: f"Conversation {n}")
    last_activity_at = factory.Sequence(lambda n: BASE_TIME + timedelta(minutes=n))
    first_inbound_at = factory.SelfAttribute("last_activity_at")


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    workspace = factory.LazyAttribute(lambda o: o.conversation.workspace)
    channel = factory.LazyAttribute(lambda o: o.conversation.channel)
    direction = Direction.INBOUND
    visibility = Visibility.PUBLIC
    kind = MessageKind.POST
    author_identity = factory.LazyAttribute(lambda o: o.conversation.identity)
    external_id = factory.Sequence(lambda n: f"msg-{n}")
    text = factory.Sequence(lambda n: f"Message number {n}")
    sent_at = factory.Sequence(lambda n: BASE_TIME + timedelta(minutes=n))
