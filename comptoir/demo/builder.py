"""Builds the demo workspaces in the database, removes them, and counts what is there.

The plan (``comptoir.demo.plan``) is made in memory first; this module writes it in bulk,
in one transaction, with one insert per batch of rows rather than per row. The few rows
that have an action of their own (workspaces, seats, channels) go through it, so they
carry their validation and their events like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel, ChannelStatus
from comptoir.demo.care import write_care
from comptoir.demo.company import DEMO_PASSWORD, Company
from comptoir.demo.maison_lumiere import MAISON_LUMIERE
from comptoir.demo.nordlys import NORDLYS
from comptoir.demo.plan import Plan, first_seen, plan_company
from comptoir.demo.threads import ANCHOR
from comptoir.inbox.models import Conversation, Direction, Message
from comptoir.ingest.reanalysis import reanalyze, roll_up
from comptoir.people.models import Identity, Membership, Organization, Person
from comptoir.people.resolution import suggest_merges
from comptoir.workspaces.actions import do_add_seat, do_create_workspace, record_events
from comptoir.workspaces.models import Event, Seat, Workspace

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_SLUGS",
    "DEMO_URL",
    "DemoConflictError",
    "DemoSummary",
    "build_demo",
    "remove_demo",
    "summarize",
]

COMPANIES: tuple[Company, ...] = (MAISON_LUMIERE, NORDLYS)
DEMO_SLUGS = tuple(company.slug for company in COMPANIES)
DEMO_LOGINS = tuple(dict.fromkeys(e.email for c in COMPANIES for e in c.employees))
DEMO_URL = "http://127.0.0.1:8000/"
# The event that marks a workspace as the demo's: only those are ever reset or deleted.
BUILT = "demo.built"
BATCH = 1000


class DemoConflictError(Exception):
    """A workspace that the demo did not build holds one of the demo's slugs."""


@dataclass(frozen=True)
class ChannelCount:
    name: str
    kind: str
    messages: int


@dataclass(frozen=True)
class WorkspaceSummary:
    slug: str
    name: str
    people: int
    multichannel_people: int  # with identities on two networks or more
    organizations: int
    committees: int  # organisations with at least one buying-committee role filled
    memberships: int
    employees: int
    conversations: int
    messages: int
    channels: tuple[ChannelCount, ...]

    @property
    def multichannel_share(self) -> float:
        return self.multichannel_people / self.people if self.people else 0.0


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    workspace: str


@dataclass(frozen=True)
class DemoSummary:
    built: bool  # False when the demo was already there and left as it was
    workspaces: tuple[WorkspaceSummary, ...]
    logins: tuple[Login, ...]
    password: str = DEMO_PASSWORD
    url: str = DEMO_URL

    def total(self, field: str) -> int:
        """The sum of one WorkspaceSummary count across both workspaces."""
        return sum(int(getattr(workspace, field)) for workspace in self.workspaces)


def _weeks_since_anchor() -> timedelta:
    """Whole weeks from the plan's fixed clock to today, so the newest activity is always
    within the past week while weekdays and business hours stay as planned."""
    days = (timezone.now() - ANCHOR).days
    return timedelta(weeks=max(0, days // 7))


def _moved(moment: datetime | None, shift: timedelta) -> datetime | None:
    return None if moment is None else moment + shift


def build_demo(*, reset: bool = False) -> DemoSummary:
    """Build the demo unless it is there; with ``reset``, remove it first and rebuild."""
    with transaction.atomic():
        exists = _demo_workspaces().exists()
        if exists and not reset:
            return summarize(built=False)
        if exists:
            remove_demo()
        taken = list(Workspace.objects.filter(slug__in=DEMO_SLUGS).values_list("slug", flat=True))
        if taken:
            raise DemoConflictError(
                f"the workspace slug {', '.join(taken)} is taken by a workspace that is not "
                "the demo's; rename that workspace or use another database"
            )
        users = _users()
        shift = _weeks_since_anchor()
        for company in COMPANIES:
            _write(plan_company(company), users, shift)
        return summarize(built=True)


@transaction.atomic
def remove_demo() -> None:
    """Delete the demo workspaces with all their rows, and the demo users left seatless."""
    workspaces = Workspace.objects.filter(pk__in=_demo_workspaces().values("pk"))
    # Channels are protected while messages and conversations point at them.
    Message.objects.filter(workspace__in=workspaces).delete()
    Conversation.objects.filter(workspace__in=workspaces).delete()
    workspaces.delete()
    User.objects.filter(username__in=DEMO_LOGINS, seats__isnull=True).delete()


def _demo_workspaces() -> QuerySet[Workspace]:
    return Workspace.objects.filter(slug__in=DEMO_SLUGS, events__verb=BUILT).distinct()


def _users() -> dict[str, User]:
    """The demo logins, created or brought back to their demo names and password."""
    employees = {e.email: e for c in COMPANIES for e in c.employees}
    # One hash for all: the password is the same, and hashing is deliberately slow.
    password = make_password(DEMO_PASSWORD)
    users = {u.username: u for u in User.objects.filter(username__in=employees)}
    for email, employee in employees.items():
        user = users.get(email) or User(username=email)
        user.email, user.password = email, password
        user.first_name, user.last_name = employee.first_name, employee.last_name
        users[email] = user
    User.objects.bulk_update(
        [u for u in users.values() if u.pk is not None],
        ["email", "password", "first_name", "last_name"],
    )
    # bulk_create gives primary keys back on PostgreSQL and on SQLite >= 3.35 alike.
    User.objects.bulk_create([u for u in users.values() if u.pk is None])
    return users


def _write(plan: Plan, users: dict[str, User], shift: timedelta) -> None:
    company = plan.company
    owner = company.employees[0]
    workspace = do_create_workspace(
        name=company.name,
        slug=company.slug,
        owner=users[owner.email],
        owner_name=owner.full_name,
        timezone=company.timezone,
        default_language=company.default_language,
    )
    owner_seat = Seat.objects.get(workspace=workspace, user=users[owner.email])
    owner_seat.languages = list(owner.languages)
    owner_seat.save(update_fields=["languages"])
    seats = {owner.email: owner_seat}
    for employee in company.employees[1:]:
        seats[employee.email] = do_add_seat(
            workspace,
            users[employee.email],
            role=employee.role,
            display_name=employee.full_name,
            languages=list(employee.languages),
            actor=owner_seat,
        )
    channels = [
        do_create_channel(
            workspace,
            kind=spec.kind,
            name=spec.name,
            settings=dict(spec.settings),
            actor=owner_seat,
        )
        for spec in company.channels
    ]
    organizations = Organization.objects.bulk_create(
        [
            Organization(
                workspace=workspace,
                name=spec.name,
                domains=[spec.domain],
                industry=spec.industry,
                size=spec.size,
                tier=spec.tier,
            )
            for spec in company.organizations
        ]
    )
    people = Person.objects.bulk_create(
        [
            Person(
                workspace=workspace,
                display_name=planned.display_name,
                preferred_language=planned.language,
                lifecycle_stage=planned.lifecycle_stage,
                relationship_owner=seats[planned.owner] if planned.owner else None,
                first_seen_at=first_seen(planned) + shift,
                last_inbound_at=_moved(planned.last_inbound_at, shift),
                last_outbound_at=_moved(planned.last_outbound_at, shift),
            )
            for planned in plan.people
        ],
        batch_size=BATCH,
    )
    identities = {
        (person_index, identity_index): Identity(
            workspace=workspace,
            person=people[person_index],
            kind=planned.kind,
            external_id=planned.external_id,
            handle=planned.handle,
            display_name=planned.display_name,
            profile_url=planned.profile_url,
            verified=planned.verified,
        )
        for person_index, person in enumerate(plan.people)
        for identity_index, planned in enumerate(person.identities)
    }
    Identity.objects.bulk_create(identities.values(), batch_size=BATCH)
    Membership.objects.bulk_create(
        [
            Membership(
                workspace=workspace,
                person=people[index],
                organization=organizations[person.membership.organization],
                title=person.membership.title,
                committee_role=person.membership.committee_role,
                stance=person.membership.stance,
                is_primary_contact=person.membership.is_primary_contact,
            )
            for index, person in enumerate(plan.people)
            if person.membership is not None
        ],
        batch_size=BATCH,
    )
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                workspace=workspace,
                channel=channels[planned.channel],
                identity=identities[planned.person, planned.identity],
                person=people[planned.person],
                subject=planned.subject,
                status=planned.status,
                assignee=seats[planned.assignee] if planned.assignee else None,
                priority=planned.priority,
                language=planned.language,
                first_inbound_at=_moved(planned.first_inbound_at, shift),
                first_response_at=_moved(planned.first_response_at, shift),
                last_activity_at=planned.last_activity_at + shift,
                message_count=len(planned.messages),
                last_message_preview=planned.last_message_preview,
            )
            for planned in plan.conversations
        ],
        batch_size=BATCH,
    )
    messages = _write_messages(plan, workspace, channels, conversations, seats, shift)
    # What the pipeline reads in each message, so the inbox shows its badges: one analyzer
    # call over the workspace's messages, one bulk update, then the conversations' roll-ups.
    reanalyze(messages)
    roll_up(Conversation.objects.filter(workspace=workspace), len(conversations) or 1)
    # What the pipeline does after each batch: score weak signals, so the duplicates
    # queue holds what a real workspace would show.
    suggest_merges(workspace, [person.pk for person in people])
    # Each channel last received its newest inbound message. The demo's accounts have no
    # credentials, so they are disconnected: the worker leaves them alone and the Channels
    # page says what a person would have to do (connect them) rather than flag them silent.
    newest_inbound = (
        Message.objects.filter(channel=OuterRef("pk"), direction=Direction.INBOUND)
        .order_by("-sent_at")
        .values("sent_at")[:1]
    )
    Channel.objects.filter(workspace=workspace).update(
        last_received_at=Subquery(newest_inbound), status=ChannelStatus.DISCONNECTED
    )
    write_care(workspace, company, seats)
    record_events(
        [
            Event(
                workspace=workspace,
                actor=owner_seat,
                verb=BUILT,
                subject_type="workspace",
                subject_id=workspace.pk,
                payload={
                    "people": len(people),
                    "organizations": len(organizations),
                    "conversations": len(conversations),
                    "messages": sum(len(c.messages) for c in plan.conversations),
                },
            )
        ]
    )


def _write_messages(
    plan: Plan,
    workspace: Workspace,
    channels: list[Channel],
    conversations: list[Conversation],
    seats: dict[str, Seat],
    shift: timedelta,
) -> list[Message]:
    """Messages go in waves, the first of every thread, then the second...: a reply's
    parent is then already stored, and in_reply_to can name it in the same insert."""
    written: list[list[Message]] = [[] for _ in conversations]
    depth = max((len(c.messages) for c in plan.conversations), default=0)
    for position in range(depth):
        wave: list[Message] = []
        for planned, row, thread in zip(plan.conversations, conversations, written, strict=True):
            if position >= len(planned.messages):
                continue
            message = planned.messages[position]
            parent = thread[message.reply_to] if message.reply_to is not None else None
            inbound = message.direction == Direction.INBOUND
            stored = Message(
                workspace=workspace,
                conversation=row,
                channel=channels[planned.channel],
                direction=message.direction,
                visibility=message.visibility,
                kind=message.kind,
                author_identity=row.identity if inbound else None,
                author_seat=seats[message.seat] if message.seat else None,
                external_id=message.external_id,
                in_reply_to=parent,
                in_reply_to_external_id=(parent.external_id or "") if parent else "",
                text=message.text,
                attachments=message.attachments,
                url=message.url,
                sent_at=message.sent_at + shift,
                language=message.language,
            )
            thread.append(stored)
            wave.append(stored)
        Message.objects.bulk_create(wave, batch_size=BATCH)
    return [message for thread in written for message in thread]


def summarize(*, built: bool) -> DemoSummary:
    """What the demo workspaces hold now, counted in the database."""
    by_slug = {w.slug: w for w in _demo_workspaces()}
    summaries = tuple(_summarize_workspace(by_slug[slug]) for slug in DEMO_SLUGS if slug in by_slug)
    seats = (
        Seat.objects.filter(workspace__in=by_slug.values())
        .select_related("user", "workspace")
        .order_by("user__username", "workspace__name")
    )
    logins = tuple(Login(s.user.get_username(), s.role, s.workspace.name) for s in seats)
    return DemoSummary(built=built, workspaces=summaries, logins=logins)


def _summarize_workspace(workspace: Workspace) -> WorkspaceSummary:
    people = Person.objects.filter(workspace=workspace)
    organizations = Organization.objects.filter(workspace=workspace)
    channels = (
        Channel.objects.filter(workspace=workspace)
        .annotate(message_count=Count("messages"))
        .order_by("name")
    )
    channel_counts = tuple(ChannelCount(c.name, c.kind, c.message_count) for c in channels)
    return WorkspaceSummary(
        slug=workspace.slug,
        name=workspace.name,
        people=people.count(),
        multichannel_people=people.annotate(kinds=Count("identities__kind", distinct=True))
        .filter(kinds__gte=2)
        .count(),
        organizations=organizations.count(),
        committees=organizations.filter(memberships__committee_role__gt="").distinct().count(),
        memberships=Membership.objects.filter(workspace=workspace).count(),
        employees=Seat.objects.filter(workspace=workspace).count(),
        conversations=Conversation.objects.filter(workspace=workspace).count(),
        messages=sum(c.messages for c in channel_counts),
        channels=channel_counts,
    )
