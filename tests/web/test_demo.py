"""The demo: it builds what it prints, as much as promised, right, apart, and the same twice.

The demo is built once for the module (about a second) and removed at the end; the tests
that rebuild it do so inside their own transaction, which is rolled back.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from comptoir.channels.models import Channel, ChannelKind
from comptoir.demo.builder import (
    COMPANIES,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_SLUGS,
    DEMO_URL,
    DemoSummary,
    build_demo,
    remove_demo,
)
from comptoir.demo.corpus import TopicText, corpus, fill, story_of
from comptoir.demo.threads import ANCHOR
from comptoir.inbox.actions import preview_of
from comptoir.inbox.models import Conversation, Direction, Message, MessageKind, Visibility
from comptoir.people.models import (
    CommitteeRole,
    Identity,
    Membership,
    Organization,
    Person,
)
from comptoir.workspaces.models import Event, Seat, Workspace
from tests.factories import WorkspaceFactory

INBOUND = Q(messages__direction=Direction.INBOUND)
OUTBOUND = Q(messages__direction=Direction.OUTBOUND)
KINDS_BY_CHANNEL: dict[str, set[str]] = {
    ChannelKind.EMAIL: {MessageKind.EMAIL},
    ChannelKind.X: {MessageKind.POST, MessageKind.REPLY, MessageKind.DIRECT},
    ChannelKind.FACEBOOK: {MessageKind.COMMENT, MessageKind.DIRECT},
    ChannelKind.INSTAGRAM: {MessageKind.COMMENT, MessageKind.DIRECT},
    ChannelKind.LINKEDIN: {MessageKind.COMMENT},
    ChannelKind.MASTODON: {MessageKind.POST, MessageKind.DIRECT},
}


TABLES: tuple[type[models.Model], ...] = (
    User,
    Workspace,
    Seat,
    Event,
    Person,
    Identity,
    Organization,
    Membership,
    Channel,
    Conversation,
    Message,
)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[DemoSummary]:
    with django_db_blocker.unblock():
        summary = build_demo()
        yield summary
        remove_demo()


def counts() -> dict[str, int]:
    """Every demo table's row count and highest id, to see that nothing moved."""
    found: dict[str, int] = {}
    for model in TABLES:
        row = model._default_manager.aggregate(rows=Count("pk"), top=Max("pk"))
        found[f"{model.__name__} rows"] = row["rows"]
        found[f"{model.__name__} top"] = row["top"] or 0
    return found


def fingerprint() -> str:
    """A digest of the demo's content (never its ids, which a rebuild changes)."""
    digest = hashlib.sha256()
    parts = [
        Person.objects.values_list(
            "workspace__slug",
            "display_name",
            "preferred_language",
            "lifecycle_stage",
            "relationship_owner__user__username",
            "first_seen_at",
            "last_inbound_at",
            "last_outbound_at",
        ),
        Identity.objects.values_list("workspace__slug", "kind", "external_id", "handle"),
        Membership.objects.values_list(
            "organization__name", "person__display_name", "title", "committee_role", "stance"
        ),
        Conversation.objects.values_list(
            "workspace__slug",
            "channel__name",
            "identity__external_id",
            "subject",
            "status",
            "priority",
            "assignee__user__username",
            "last_activity_at",
            "last_message_preview",
        ),
        Message.objects.values_list(
            "channel__name", "external_id", "direction", "kind", "sent_at", "url", "text"
        ),
    ]
    for rows in parts:
        for row in sorted(tuple(str(value) for value in row) for row in rows):
            digest.update("\x1f".join(row).encode())
    return digest.hexdigest()


def printed(output: str, label: str) -> list[int]:
    """The numbers printed after ``label`` at the start of a line, workspace by workspace."""
    return [int(n) for n in re.findall(rf"^\s+{label}\s+(\d+)", output, re.MULTILINE)]


# --- it builds what it prints ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_summary_counts_what_the_database_holds(demo: DemoSummary) -> None:
    assert demo.built
    assert [w.slug for w in demo.workspaces] == list(DEMO_SLUGS)
    for summary in demo.workspaces:
        workspace = Workspace.objects.get(slug=summary.slug)
        multichannel = (
            Person.objects.filter(workspace=workspace)
            .annotate(kinds=Count("identities__kind", distinct=True))
            .filter(kinds__gte=2)
        )
        assert summary.people == Person.objects.filter(workspace=workspace).count()
        assert summary.multichannel_people == multichannel.count()
        assert summary.organizations == Organization.objects.filter(workspace=workspace).count()
        assert summary.memberships == Membership.objects.filter(workspace=workspace).count()
        assert summary.employees == Seat.objects.filter(workspace=workspace).count()
        assert summary.conversations == Conversation.objects.filter(workspace=workspace).count()
        assert summary.messages == Message.objects.filter(workspace=workspace).count()
        by_channel = dict(
            Message.objects.filter(workspace=workspace)
            .values("channel__name")
            .annotate(n=Count("pk"))
            .values_list("channel__name", "n")
        )
        assert {c.name: c.messages for c in summary.channels} == by_channel


@pytest.mark.django_db
def test_the_command_prints_the_counts_and_the_logins(demo: DemoSummary) -> None:
    out = StringIO()

    call_command("demo", stdout=out)

    output = out.getvalue()
    assert "already built" in output
    slugs = list(DEMO_SLUGS)
    people = [Person.objects.filter(workspace__slug=slug).count() for slug in slugs]
    conversations = [Conversation.objects.filter(workspace__slug=slug).count() for slug in slugs]
    messages = [Message.objects.filter(workspace__slug=slug).count() for slug in slugs]
    assert printed(output, "people") == people
    assert printed(output, "conversations") == conversations
    assert printed(output, "messages") == messages
    assert f"{sum(people)} people" in output
    assert f"{sum(messages)} messages" in output
    for email in DEMO_LOGINS:
        assert email in output
    assert DEMO_PASSWORD in output
    assert DEMO_URL in output


@pytest.mark.django_db
def test_every_login_works_with_the_printed_password(demo: DemoSummary) -> None:
    users = User.objects.filter(username__in=DEMO_LOGINS)

    assert users.count() == len(DEMO_LOGINS) == 10
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    assert all(user.first_name and user.last_name for user in users)
    both = users.annotate(n=Count("seats")).filter(n=2)
    assert both.count() == 1  # the owner, so that the workspace switcher has a choice


# --- as much as promised --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_is_as_large_and_varied_as_promised(demo: DemoSummary) -> None:
    assert demo.total("people") >= 500
    assert demo.total("multichannel_people") >= 0.3 * demo.total("people")
    assert demo.total("conversations") >= 1200
    assert demo.total("messages") >= 5000
    assert len({login.email for login in demo.logins}) >= 10
    assert {login.role for login in demo.logins} == {
        "owner",
        "manager",
        "agent",
        "advocate",
        "viewer",
    }
    kinds = set(
        Channel.objects.filter(workspace__slug__in=DEMO_SLUGS).values_list("kind", flat=True)
    )
    assert kinds >= set(KINDS_BY_CHANNEL)
    assert Message.objects.filter(language="fr").count() >= 1000
    assert Message.objects.filter(language="en").count() >= 1000
    assert Message.objects.filter(text__contains="colis").exists()
    assert Message.objects.filter(text__contains="parcel").exists()
    assert Message.objects.filter(direction=Direction.NOTE).count() >= 50
    statuses = set(Conversation.objects.values_list("status", flat=True))
    assert statuses == {"open", "pending", "snoozed", "resolved", "closed"}
    assert Conversation.objects.filter(assignee__isnull=False).count() >= 600
    assert Person.objects.filter(relationship_owner__isnull=False).count() >= 50
    assert Person.objects.values("lifecycle_stage").distinct().count() == 6


@pytest.mark.django_db
def test_forty_organisations_have_a_buying_committee(demo: DemoSummary) -> None:
    committees = Organization.objects.filter(workspace__slug__in=DEMO_SLUGS).annotate(
        roles=Count("memberships__committee_role", distinct=True),
        primary=Count("memberships", filter=Q(memberships__is_primary_contact=True)),
        deciders=Count(
            "memberships",
            filter=Q(memberships__committee_role=CommitteeRole.DECISION_MAKER),
        ),
    )

    assert committees.filter(roles__gte=2, primary=1, deciders=1).count() >= 40
    assert set(Membership.objects.values_list("committee_role", flat=True)) == set(
        CommitteeRole.values
    )
    assert Membership.objects.values("stance").distinct().count() == 4
    assert not Membership.objects.filter(title="").exists()


@pytest.mark.django_db
def test_members_write_from_their_organisation_domain(demo: DemoSummary) -> None:
    work_addresses = Identity.objects.filter(kind="email", person__memberships__isnull=False)
    mismatched = [
        address
        for address, domains in work_addresses.values_list(
            "external_id", "person__memberships__organization__domains"
        )
        if address.partition("@")[2] not in domains
    ]

    assert work_addresses.count() == Membership.objects.count()
    assert mismatched == []


# --- right ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_conversation_counters_and_timestamps_match_their_messages(demo: DemoSummary) -> None:
    conversations = Conversation.objects.annotate(
        n=Count("messages"),
        last=Max("messages__sent_at"),
        first_in=Min("messages__sent_at", filter=INBOUND),
        first_out=Min("messages__sent_at", filter=OUTBOUND),
    )

    assert not conversations.exclude(message_count=F("n")).exists()
    assert not conversations.exclude(last_activity_at=F("last")).exists()
    assert not conversations.exclude(first_inbound_at=F("first_in")).exists()
    assert not conversations.exclude(
        Q(first_response_at=F("first_out"))
        | Q(first_response_at__isnull=True, first_out__isnull=True)
    ).exists()
    assert not conversations.filter(first_response_at__lte=F("first_inbound_at")).exists()
    assert conversations.filter(first_response_at__isnull=True).count() >= 50


@pytest.mark.django_db
def test_the_demo_looks_recent_whenever_it_is_built(demo: DemoSummary) -> None:
    newest = Message.objects.aggregate(newest=Max("sent_at"))["newest"]
    age = timezone.now() - newest
    # The plan's clock moves by whole weeks to today: the latest message is days old, never
    # months old and never in the future.
    assert timedelta(0) <= age < timedelta(days=8)


@pytest.mark.django_db
def test_the_preview_is_the_last_message_that_is_not_a_note(demo: DemoSummary) -> None:
    last_said = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(direction=Direction.NOTE)
        .order_by("-sent_at", "-id")
        .values("text")[:1]
    )
    rows = Conversation.objects.annotate(said=Subquery(last_said)).values_list(
        "last_message_preview", "said"
    )

    assert [preview for preview, said in rows if preview != preview_of(said)] == []


@pytest.mark.django_db
def test_people_timestamps_match_their_conversations(demo: DemoSummary) -> None:
    people = Person.objects.annotate(
        first_in=Min("conversations__first_inbound_at"),
        last_in=Max(
            "conversations__messages__sent_at",
            filter=Q(conversations__messages__direction="inbound"),
        ),
        last_out=Max(
            "conversations__messages__sent_at",
            filter=Q(conversations__messages__direction="outbound"),
        ),
    )

    assert not people.filter(first_in__isnull=False).exclude(first_seen_at=F("first_in")).exists()
    assert not people.exclude(
        Q(last_inbound_at=F("last_in")) | Q(last_inbound_at__isnull=True, last_in__isnull=True)
    ).exists()
    assert not people.exclude(
        Q(last_outbound_at=F("last_out")) | Q(last_outbound_at__isnull=True, last_out__isnull=True)
    ).exists()
    assert not Person.objects.filter(first_seen_at__gt=ANCHOR).exists()
    assert not Message.objects.filter(sent_at__gt=ANCHOR).exists()


@pytest.mark.django_db
def test_messages_are_shaped_like_their_channel(demo: DemoSummary) -> None:
    pairs = set(Message.objects.values_list("channel__kind", "kind").distinct())
    authored = Message.objects.exclude(
        Q(
            direction=Direction.INBOUND,
            author_identity=F("conversation__identity"),
            author_seat=None,
        )
        | Q(~Q(direction=Direction.INBOUND), author_identity=None, author_seat__isnull=False)
    )
    unlinked_replies = Message.objects.filter(in_reply_to__isnull=False).exclude(
        in_reply_to__conversation=F("conversation"),
        in_reply_to_external_id=F("in_reply_to__external_id"),
    )

    assert all(kind in KINDS_BY_CHANNEL[channel] for channel, kind in pairs)
    assert not authored.exists()
    assert not unlinked_replies.exists()
    assert Message.objects.filter(in_reply_to__isnull=False).count() >= 3000
    assert not Message.objects.filter(direction=Direction.NOTE, external_id__isnull=False).exists()
    assert not Message.objects.exclude(direction=Direction.NOTE).filter(external_id=None).exists()
    private = Q(kind__in=[MessageKind.EMAIL, MessageKind.DIRECT]) | Q(direction=Direction.NOTE)
    assert not Message.objects.filter(private).exclude(visibility=Visibility.PRIVATE).exists()
    assert not Message.objects.exclude(private).exclude(visibility=Visibility.PUBLIC).exists()
    assert not Conversation.objects.filter(channel__kind="email", subject="").exists()
    links = Message.objects.exclude(url="").values_list("url", flat=True)
    assert [u for u in links if not re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]+/\S+", u)] == []
    assert not Message.objects.filter(visibility=Visibility.PRIVATE).exclude(url="").exists()


@pytest.mark.django_db
def test_every_template_fills_without_a_missing_slot() -> None:
    """Templates a build happens not to draw must work too: fill every one of them."""
    for company in COMPANIES:
        for language in ("fr", "en"):
            texts = corpus(company.corpus, language)
            rng = random.Random(0)  # noqa: S311 -- the demo's own kind of generator, no secret
            slots = company.slots(rng, language, ANCHOR)
            slots |= dict.fromkeys(
                ("name", "e", "agent", "ae", "brand", "company", "company_slug", "company_domain"),
                "x",
            )
            assert set(texts.topics) == set(company.topics)
            for key, text in texts.topics.items():
                for field in TopicText.__dataclass_fields__:
                    for line in getattr(text, field):
                        filled = fill(story_of(line)[1], slots)
                        assert "{" not in filled, (key, line)
                        assert "}" not in filled, (key, line)


# --- apart ----------------------------------------------------------------------------------


# Every row that points at another row must share its workspace: (model, path to it).
SAME_WORKSPACE: tuple[tuple[type[models.Model], str], ...] = (
    (Identity, "person"),
    (Membership, "person"),
    (Membership, "organization"),
    (Person, "relationship_owner"),
    (Conversation, "channel"),
    (Conversation, "person"),
    (Conversation, "identity"),
    (Conversation, "assignee"),
    (Message, "conversation"),
    (Message, "channel"),
    (Message, "author_identity"),
    (Message, "author_seat"),
    (Message, "in_reply_to"),
)


@pytest.mark.django_db
def test_the_two_workspaces_never_share_rows(demo: DemoSummary) -> None:
    for model, relation in SAME_WORKSPACE:
        linked = model._default_manager.filter(**{f"{relation}__isnull": False})
        strays = linked.exclude(workspace=F(f"{relation}__workspace"))
        assert not strays.exists(), (model.__name__, relation)
        assert linked.exists(), (model.__name__, relation)
    assert not Conversation.objects.exclude(person=F("identity__person")).exists()
    assert not Message.objects.exclude(channel=F("conversation__channel")).exists()


# --- the same twice, and left alone ---------------------------------------------------------


@pytest.mark.django_db
def test_running_it_again_changes_nothing(demo: DemoSummary) -> None:
    before = counts()

    again = build_demo()

    assert not again.built
    assert again.workspaces == demo.workspaces
    assert counts() == before


@pytest.mark.django_db
def test_a_reset_rebuilds_the_same_demo(demo: DemoSummary) -> None:
    before, rows = fingerprint(), counts()

    rebuilt = build_demo(reset=True)

    assert rebuilt.built
    assert rebuilt.workspaces == demo.workspaces
    assert fingerprint() == before
    after = counts()
    assert {k: v for k, v in after.items() if k.endswith("rows")} == {
        k: v for k, v in rows.items() if k.endswith("rows")
    }
    assert after["Message top"] > rows["Message top"]  # new rows, the same content


@pytest.mark.django_db
def test_a_reset_leaves_other_workspaces_alone(demo: DemoSummary) -> None:
    other = WorkspaceFactory.create(slug="atelier-voisin")

    build_demo(reset=True)

    assert Workspace.objects.filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_a_foreign_workspace_on_a_demo_slug_is_reported_not_deleted(demo: DemoSummary) -> None:
    remove_demo()
    squatter = WorkspaceFactory.create(slug=DEMO_SLUGS[0])

    with pytest.raises(CommandError, match="not the demo's"):
        call_command("demo", "--reset", stdout=StringIO())

    assert Workspace.objects.filter(pk=squatter.pk).exists()


@pytest.mark.django_db
def test_the_demo_has_a_care_team_at_work(demo: DemoSummary) -> None:
    from comptoir.cases.models import Case, CaseCategory, CaseStatus
    from comptoir.inbox.models import SavedReply
    from comptoir.workspaces.models import Notification, Team

    for slug in DEMO_SLUGS:
        cases = Case.objects.filter(workspace__slug=slug)
        assert Team.objects.filter(workspace__slug=slug).count() == 2
        assert set(
            SavedReply.objects.filter(workspace__slug=slug).values_list("language", flat=True)
        ) == {"fr", "en"}
        # After-sales requests opened their cases; some are finished, some still run.
        assert cases.filter(category=CaseCategory.AFTER_SALES).exists()
        assert cases.filter(status=CaseStatus.RESOLVED).exists()
        assert cases.filter(status=CaseStatus.OPEN, next_check_at__isnull=False).exists()
        # Every after-sales conversation still waiting is attached to a case.
        assert not Conversation.objects.filter(
            workspace__slug=slug,
            messages__intents__has_key="after_sales",
            cases__isnull=True,
        ).exists()
        unhandled = Conversation.objects.filter(workspace__slug=slug, unhandled_since__isnull=False)
        assert unhandled.exists()
        assert not unhandled.filter(cases__isnull=False).exists()
    # The SLA worker has been through: some clocks are breached, with their events.
    assert Case.objects.filter(resolution_breached_at__isnull=False).exists()
    assert Notification.objects.filter(verb__startswith="case.").exists()
