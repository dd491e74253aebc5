"""Merging two people and undoing it: what moves, what the survivor keeps, the merge record,
the events, the refusals, and an undo that gives back exactly the rows as they were."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.db import models

from comptoir.inbox.models import Conversation, Direction, Message
from comptoir.people.merging import (
    STAGE_ORDER,
    MergeError,
    default_survivor,
    do_accept_suggestion,
    do_merge_people,
    do_reject_suggestion,
    do_unmerge,
    plan_merge,
    undo_blocker,
)
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
    SuggestionStatus,
)
from comptoir.workspaces.models import Event, Workspace
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
class Scene:
    """Marie (kept) and M. Dupont (merged), who is the same human, and Paul, who is not."""

    workspace: Workspace
    marie: Person
    dupont: Person
    paul: Person
    marie_x: Identity
    dupont_email: Identity
    dupont_mastodon: Identity
    marie_at_acme: Membership
    dupont_at_acme: Membership
    dupont_at_beta: Membership
    acme: Organization
    beta: Organization
    marie_convo: Conversation
    dupont_mail: Conversation
    dupont_toot: Conversation
    paul_convo: Conversation
    suggestion: MergeSuggestion


@pytest.fixture
def scene(personas: Personas) -> Scene:
    ws = personas.workspace_a
    mail = ChannelFactory.create(workspace=ws, kind="email", name="Mail")
    marie = PersonFactory.create(
        workspace=ws,
        display_name="Marie Dupont",
        lifecycle_stage=LifecycleStage.PROSPECT,
        first_seen_at=BASE_TIME,
        last_inbound_at=BASE_TIME + timedelta(days=1),
        last_outbound_at=BASE_TIME + timedelta(days=5),
    )
    dupont = PersonFactory.create(
        workspace=ws,
        display_name="M. Dupont",
        preferred_language="fr",
        relationship_owner=personas.alice,
        lifecycle_stage=LifecycleStage.CUSTOMER,
        first_seen_at=BASE_TIME - timedelta(days=30),
        last_inbound_at=BASE_TIME + timedelta(days=3),
        last_outbound_at=None,
    )
    paul = PersonFactory.create(workspace=ws, display_name="Paul Martin")
    marie_x = IdentityFactory.create(person=marie, kind=IdentityKind.X, handle="@marie")
    dupont_email = IdentityFactory.create(
        person=dupont, kind=IdentityKind.EMAIL, external_id="m.dupont@acme.test", handle=""
    )
    dupont_mastodon = IdentityFactory.create(
        person=dupont, kind=IdentityKind.MASTODON, handle="@mdupont@piaille.fr"
    )
    paul_x = IdentityFactory.create(person=paul, handle="@paul")
    acme = OrganizationFactory.create(workspace=ws, name="Acme")
    beta = OrganizationFactory.create(workspace=ws, name="Beta")
    marie_at_acme = MembershipFactory.create(person=marie, organization=acme, title="Buyer")
    dupont_at_acme = MembershipFactory.create(
        person=dupont,
        organization=acme,
        title="Head of purchasing",
        committee_role=CommitteeRole.DECISION_MAKER,
        stance=Stance.OPPONENT,
        is_primary_contact=True,
    )
    dupont_at_beta = MembershipFactory.create(person=dupont, organization=beta, title="Advisor")
    MembershipFactory.create(person=paul, organization=beta)
    marie_convo = ConversationFactory.create(workspace=ws, person=marie, identity=marie_x)
    dupont_mail = ConversationFactory.create(
        workspace=ws, channel=mail, person=dupont, identity=dupont_email
    )
    dupont_toot = ConversationFactory.create(workspace=ws, person=dupont, identity=dupont_mastodon)
    paul_convo = ConversationFactory.create(workspace=ws, person=paul, identity=paul_x)
    for convo in (marie_convo, dupont_mail, dupont_mail, dupont_toot, paul_convo):
        MessageFactory.create(conversation=convo)
    MessageFactory.create(
        conversation=dupont_mail,
        direction=Direction.OUTBOUND,
        author_identity=None,
        author_seat=personas.alice,
    )
    suggestion = MergeSuggestion.objects.create(
        workspace=ws,
        person=marie,
        other=dupont,
        score=0.7,
        reasons=[{"signal": "display_name", "detail": "Marie Dupont ≈ M. Dupont", "weight": 0.5}],
    )
    return Scene(
        workspace=ws,
        marie=marie,
        dupont=dupont,
        paul=paul,
        marie_x=marie_x,
        dupont_email=dupont_email,
        dupont_mastodon=dupont_mastodon,
        marie_at_acme=marie_at_acme,
        dupont_at_acme=dupont_at_acme,
        dupont_at_beta=dupont_at_beta,
        acme=acme,
        beta=beta,
        marie_convo=marie_convo,
        dupont_mail=dupont_mail,
        dupont_toot=dupont_toot,
        paul_convo=paul_convo,
        suggestion=suggestion,
    )


def rows(model: type[models.Model], workspace: Workspace, *, skip: tuple[str, ...] = ()) -> Any:
    """Every row of a model in the workspace, every column, in id order."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
    return list(
        model._default_manager.filter(workspace=workspace).order_by("pk").values_list(*names)
    )


def state(workspace: Workspace) -> dict[str, Any]:
    """The whole workspace as rows. ``updated_at`` records the last write, which a merge and
    its undo are; everything else must come back as it was."""
    return {
        "people": rows(Person, workspace, skip=("updated_at",)),
        "identities": rows(Identity, workspace),
        "conversations": rows(Conversation, workspace),
        "messages": rows(Message, workspace),
        "memberships": rows(Membership, workspace),
        "suggestions": rows(MergeSuggestion, workspace),
    }


def test_a_merge_moves_identities_conversations_and_memberships(
    scene: Scene, personas: Personas
) -> None:
    merge = do_merge_people(
        scene.marie, scene.dupont, reason="Same email signature", actor=personas.bob
    )

    assert set(Identity.objects.filter(person=scene.marie).values_list("pk", flat=True)) == {
        scene.marie_x.pk,
        scene.dupont_email.pk,
        scene.dupont_mastodon.pk,
    }
    assert set(scene.marie.conversations.values_list("pk", flat=True)) == {
        scene.marie_convo.pk,
        scene.dupont_mail.pk,
        scene.dupont_toot.pk,
    }
    assert Message.objects.filter(conversation__person=scene.marie).count() == 5
    assert not Identity.objects.filter(person=scene.dupont).exists()
    assert not Conversation.objects.filter(person=scene.dupont).exists()
    # Beta moves; Acme, where Marie already sits, is set aside.
    assert list(
        Membership.objects.filter(person=scene.marie)
        .order_by("organization__name")
        .values_list("pk", "organization__name", "title")
    ) == [(scene.marie_at_acme.pk, "Acme", "Buyer"), (scene.dupont_at_beta.pk, "Beta", "Advisor")]
    assert not Membership.objects.filter(pk=scene.dupont_at_acme.pk).exists()
    assert scene.dupont.merged_into == scene.marie
    assert merge.survivor == scene.marie
    assert merge.merged == scene.dupont
    assert merge.reason == "Same email signature"
    assert merge.actor == personas.bob
    assert merge.automatic is False
    assert merge.undone_at is None
    # Paul is untouched.
    assert scene.paul.identities.count() == 1
    assert list(scene.paul.conversations.all()) == [scene.paul_convo]


def test_the_survivor_keeps_its_facts_and_fills_its_blanks(scene: Scene) -> None:
    do_merge_people(scene.marie, scene.dupont, reason="Same person")

    marie = Person.objects.get(pk=scene.marie.pk)
    assert marie.display_name == "Marie Dupont"  # its own value wins
    assert marie.preferred_language == "fr"  # blank, filled
    assert marie.relationship_owner_id == scene.dupont.relationship_owner_id  # blank, filled
    assert marie.first_seen_at == BASE_TIME - timedelta(days=30)  # the earlier
    assert marie.last_inbound_at == BASE_TIME + timedelta(days=3)  # the later
    assert marie.last_outbound_at == BASE_TIME + timedelta(days=5)  # the later, None ignored
    assert marie.lifecycle_stage == LifecycleStage.CUSTOMER  # the more advanced


def test_the_survivors_own_values_win_over_the_merged_ones(
    scene: Scene, personas: Personas
) -> None:
    Person.objects.filter(pk=scene.marie.pk).update(
        preferred_language="en",
        relationship_owner=personas.bob,
        lifecycle_stage=LifecycleStage.ADVOCATE,
    )
    scene.marie.refresh_from_db()

    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person")

    marie = Person.objects.get(pk=scene.marie.pk)
    assert (marie.preferred_language, marie.relationship_owner, marie.lifecycle_stage) == (
        "en",
        personas.bob,
        LifecycleStage.ADVOCATE,
    )
    assert set(merge.snapshot["survivor_fields"]) == {"first_seen_at", "last_inbound_at"}


@pytest.mark.parametrize(
    ("survivor_stage", "merged_stage", "kept"),
    [
        ("stranger", "follower", "follower"),
        ("prospect", "former_customer", "former_customer"),
        ("former_customer", "customer", "customer"),
        ("advocate", "customer", "advocate"),
        ("customer", "stranger", "customer"),
    ],
)
def test_the_more_advanced_lifecycle_stage_is_kept(
    personas: Personas, survivor_stage: str, merged_stage: str, kept: str
) -> None:
    survivor = PersonFactory.create(workspace=personas.workspace_a, lifecycle_stage=survivor_stage)
    merged = PersonFactory.create(workspace=personas.workspace_a, lifecycle_stage=merged_stage)

    do_merge_people(survivor, merged, reason="Same person")

    assert Person.objects.get(pk=survivor.pk).lifecycle_stage == kept
    assert set(STAGE_ORDER) == set(LifecycleStage.values)


def test_the_merge_record_holds_what_it_moved_and_changed(scene: Scene) -> None:
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person")

    acme = Membership(pk=scene.dupont_at_acme.pk)
    created = scene.dupont_at_acme.created_at.isoformat()
    assert merge.snapshot == {
        "identities": sorted([scene.dupont_email.pk, scene.dupont_mastodon.pk]),
        "memberships": [scene.dupont_at_beta.pk],
        "set_aside_memberships": [
            {
                "id": acme.pk,
                "workspace_id": scene.workspace.pk,
                "person_id": scene.dupont.pk,
                "organization_id": scene.acme.pk,
                "title": "Head of purchasing",
                "committee_role": "decision_maker",
                "stance": "opponent",
                "is_primary_contact": True,
                "created_at": created,
            }
        ],
        "following": [
            {
                "model": "inbox.conversation",
                "field": "person",
                "ids": sorted([scene.dupont_mail.pk, scene.dupont_toot.pk]),
            },
            {"model": "cases.case", "field": "person", "ids": []},
        ],
        "survivor_fields": {
            "preferred_language": {"before": "", "after": "fr"},
            "relationship_owner_id": {"before": None, "after": scene.dupont.relationship_owner_id},
            "first_seen_at": {
                "before": BASE_TIME.isoformat(),
                "after": (BASE_TIME - timedelta(days=30)).isoformat(),
            },
            "last_inbound_at": {
                "before": (BASE_TIME + timedelta(days=1)).isoformat(),
                "after": (BASE_TIME + timedelta(days=3)).isoformat(),
            },
            "lifecycle_stage": {"before": "prospect", "after": "customer"},
        },
        "suggestions": [scene.suggestion.pk],
    }


def test_a_merge_accepts_the_pending_suggestion_and_records_events(
    scene: Scene, personas: Personas
) -> None:
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person", actor=personas.bob)

    suggestion = MergeSuggestion.objects.get(pk=scene.suggestion.pk)
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert suggestion.decided_by == personas.bob
    assert suggestion.decided_at is not None
    events = Event.objects.filter(verb="person.merged").order_by("subject_id")
    payload = {
        "merge": merge.pk,
        "survivor": scene.marie.pk,
        "merged": scene.dupont.pk,
        "reason": "Same person",
        "automatic": False,
    }
    assert [(e.subject_type, e.subject_id, e.actor, e.payload) for e in events] == [
        ("person", scene.marie.pk, personas.bob, payload),
        ("person", scene.dupont.pk, personas.bob, payload),
    ]


def test_an_automatic_merge_is_marked_so(scene: Scene) -> None:
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same email", automatic=True)

    assert merge.automatic is True
    assert merge.actor is None


def test_the_plan_says_what_a_merge_would_do_without_doing_it(scene: Scene) -> None:
    before = state(scene.workspace)

    plan = plan_merge(scene.marie, scene.dupont)

    assert state(scene.workspace) == before
    assert [i.pk for i in plan.identities] == [scene.dupont_email.pk, scene.dupont_mastodon.pk]
    assert plan.memberships_moved == [scene.dupont_at_beta]
    assert plan.memberships_set_aside == [scene.dupont_at_acme]
    assert [(f.label, f.ids) for f in plan.following] == [
        ("inbox.conversation", sorted([scene.dupont_mail.pk, scene.dupont_toot.pk])),
        ("cases.case", []),
    ]
    assert plan.stage_change == ("Prospect", "Customer")


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("self", "A person cannot be merged with themselves."),
        ("other_workspace", "Only people of the same workspace can be merged."),
        ("merged_survivor", "Ghost was already merged into someone else."),
        ("merged_merged", "Ghost was already merged into someone else."),
        ("blank_reason", "Say why these two people are one."),
    ],
)
def test_merges_that_cannot_be(scene: Scene, personas: Personas, case: str, message: str) -> None:
    ghost = PersonFactory.create(workspace=scene.workspace, display_name="Ghost")
    do_merge_people(scene.paul, ghost, reason="Duplicate")
    survivor, merged, reason = {
        "self": (scene.marie, scene.marie, "x"),
        "other_workspace": (
            scene.marie,
            PersonFactory.create(workspace=personas.workspace_b),
            "x",
        ),
        "merged_survivor": (ghost, scene.dupont, "x"),
        "merged_merged": (scene.marie, ghost, "x"),
        "blank_reason": (scene.marie, scene.dupont, "   "),
    }[case]
    before = state(scene.workspace)

    with pytest.raises(MergeError) as refused:
        do_merge_people(survivor, merged, reason=reason)

    assert str(refused.value) == message
    assert isinstance(refused.value, ValueError)
    assert state(scene.workspace) == before


def test_undo_restores_exactly_what_was_there(scene: Scene, personas: Personas) -> None:
    before = state(scene.workspace)
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person", actor=personas.bob)
    assert state(scene.workspace) != before

    do_unmerge(merge, actor=personas.alice, reason="Two different people after all")

    assert state(scene.workspace) == before
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert merge.undone_by == personas.alice
    events = Event.objects.filter(verb="person.unmerged").order_by("subject_id")
    assert [(e.subject_id, e.actor, e.payload["reason"]) for e in events] == [
        (scene.marie.pk, personas.alice, "Two different people after all"),
        (scene.dupont.pk, personas.alice, "Two different people after all"),
    ]


@pytest.mark.parametrize("seed", range(12))
def test_merge_then_undo_is_the_identity_on_random_workspaces(
    personas: Personas, seed: int
) -> None:
    """Property: whatever two people hold, merging then undoing leaves every row as it was."""
    rng = random.Random(seed)  # noqa: S311 - seeded test data, not a secret
    ws = personas.workspace_a
    channel = ChannelFactory.create(workspace=ws)
    organizations = [OrganizationFactory.create(workspace=ws) for _ in range(4)]
    seats = [None, personas.alice, personas.bob]
    people = []
    for _ in range(3):
        person = PersonFactory.create(
            workspace=ws,
            preferred_language=rng.choice(["", "fr", "en"]),
            relationship_owner=rng.choice(seats),
            lifecycle_stage=rng.choice(LifecycleStage.values),
            first_seen_at=BASE_TIME + timedelta(hours=rng.randint(-500, 500)),
            last_inbound_at=rng.choice([None, BASE_TIME + timedelta(hours=rng.randint(0, 99))]),
            last_outbound_at=rng.choice([None, BASE_TIME + timedelta(hours=rng.randint(0, 99))]),
        )
        people.append(person)
        identities = [
            IdentityFactory.create(person=person, kind=rng.choice(IdentityKind.values))
            for _ in range(rng.randint(0, 3))
        ]
        for organization in rng.sample(organizations, rng.randint(0, 3)):
            MembershipFactory.create(
                person=person,
                organization=organization,
                title=rng.choice(["", "CTO", "Buyer"]),
                committee_role=rng.choice(["", *CommitteeRole.values]),
                stance=rng.choice(Stance.values),
                is_primary_contact=rng.random() < 0.3,
            )
        for _ in range(rng.randint(0, 3)):
            convo = ConversationFactory.create(
                workspace=ws,
                channel=channel,
                person=person,
                identity=rng.choice([None, *identities]),
            )
            for _ in range(rng.randint(0, 3)):
                MessageFactory.create(conversation=convo, author_identity=convo.identity)
    if rng.random() < 0.5:
        MergeSuggestion.objects.create(
            workspace=ws, person=people[0], other=people[1], score=0.8, reasons=[]
        )
    survivor, merged = rng.sample(people[:2], 2)
    before = state(ws)

    merge = do_merge_people(survivor, merged, reason="Property check")
    do_unmerge(merge)

    assert state(ws) == before


def test_rows_that_reach_the_survivor_after_the_merge_stay_with_it(
    scene: Scene, personas: Personas
) -> None:
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person")
    later_identity = IdentityFactory.create(person=scene.marie, handle="@marie_again")
    later_convo = ConversationFactory.create(
        workspace=scene.workspace, person=scene.marie, identity=later_identity
    )
    Person.objects.filter(pk=scene.marie.pk).update(lifecycle_stage=LifecycleStage.ADVOCATE)

    do_unmerge(merge)

    assert later_identity.person_id == Identity.objects.get(pk=later_identity.pk).person_id
    assert Identity.objects.get(pk=later_identity.pk).person_id == scene.marie.pk
    assert Conversation.objects.get(pk=later_convo.pk).person_id == scene.marie.pk
    marie = Person.objects.get(pk=scene.marie.pk)
    assert marie.lifecycle_stage == LifecycleStage.ADVOCATE  # changed since: kept
    assert marie.preferred_language == ""  # untouched since: restored
    assert set(Identity.objects.filter(person=scene.dupont).values_list("pk", flat=True)) == {
        scene.dupont_email.pk,
        scene.dupont_mastodon.pk,
    }


def test_a_merge_is_undone_once(scene: Scene) -> None:
    merge = do_merge_people(scene.marie, scene.dupont, reason="Same person")
    do_unmerge(merge)

    with pytest.raises(MergeError, match=r"^This merge was already undone\.$"):
        do_unmerge(merge)


def test_merges_are_undone_in_reverse_order(scene: Scene) -> None:
    before = state(scene.workspace)
    first = do_merge_people(scene.marie, scene.dupont, reason="Same person")
    second = do_merge_people(scene.marie, scene.paul, reason="Also the same")
    assert undo_blocker(first) == second
    assert undo_blocker(second) is None

    with pytest.raises(MergeError, match="undo it first"):
        do_unmerge(first)

    do_unmerge(second)
    assert undo_blocker(first) is None
    do_unmerge(first)
    assert state(scene.workspace) == before


def test_a_chain_of_merges_is_undone_from_the_last(scene: Scene) -> None:
    before = state(scene.workspace)
    inner = do_merge_people(scene.dupont, scene.paul, reason="Paul is Dupont")
    outer = do_merge_people(scene.marie, scene.dupont, reason="Dupont is Marie")

    with pytest.raises(MergeError, match="undo it first"):
        do_unmerge(inner)

    do_unmerge(outer)
    do_unmerge(inner)
    assert state(scene.workspace) == before


def test_an_undone_merge_blocks_nothing(scene: Scene) -> None:
    first = do_merge_people(scene.marie, scene.dupont, reason="Same person")
    do_unmerge(first)
    second = do_merge_people(scene.dupont, scene.marie, reason="The other way round")

    assert undo_blocker(first) == second
    do_unmerge(second)
    assert PersonMerge.objects.filter(undone_at__isnull=True).count() == 0


def test_accepting_a_suggestion_keeps_the_person_first_seen_the_earliest(
    scene: Scene, personas: Personas
) -> None:
    assert default_survivor(scene.suggestion) == scene.dupont  # seen 30 days before Marie

    merge = do_accept_suggestion(scene.suggestion, actor=personas.alice)

    assert (merge.survivor, merge.merged) == (scene.dupont, scene.marie)
    assert merge.reason == f"Suggestion #{scene.suggestion.pk} accepted: similar names"
    assert merge.actor == personas.alice
    suggestion = MergeSuggestion.objects.get(pk=scene.suggestion.pk)
    assert (suggestion.status, suggestion.decided_by) == ("accepted", personas.alice)


def test_on_the_same_first_day_the_older_record_is_kept(scene: Scene) -> None:
    Person.objects.filter(pk=scene.dupont.pk).update(first_seen_at=scene.marie.first_seen_at)
    scene.suggestion.refresh_from_db()

    assert default_survivor(scene.suggestion) == scene.marie
    merge = do_accept_suggestion(scene.suggestion)
    assert (merge.survivor, merge.merged) == (scene.marie, scene.dupont)


def test_accepting_a_suggestion_can_keep_the_other_person(scene: Scene) -> None:
    merge = do_accept_suggestion(scene.suggestion, survivor_id=scene.marie.pk)

    assert (merge.survivor, merge.merged) == (scene.marie, scene.dupont)


def test_a_suggestion_keeps_one_of_its_two_people(scene: Scene) -> None:
    with pytest.raises(MergeError, match="must be one of the two suggested"):
        do_accept_suggestion(scene.suggestion, survivor_id=scene.paul.pk)


def test_undoing_an_accepted_suggestion_puts_it_back_in_the_queue(scene: Scene) -> None:
    merge = do_accept_suggestion(scene.suggestion)

    do_unmerge(merge)

    suggestion = MergeSuggestion.objects.get(pk=scene.suggestion.pk)
    assert (suggestion.status, suggestion.decided_by, suggestion.decided_at) == (
        "pending",
        None,
        None,
    )


def test_rejecting_a_suggestion(scene: Scene, personas: Personas) -> None:
    do_reject_suggestion(scene.suggestion, actor=personas.bob)

    suggestion = MergeSuggestion.objects.get(pk=scene.suggestion.pk)
    assert (suggestion.status, suggestion.decided_by) == ("rejected", personas.bob)
    assert suggestion.decided_at is not None
    event = Event.objects.get(verb="merge_suggestion.rejected")
    assert (event.subject_type, event.subject_id, event.payload) == (
        "merge_suggestion",
        suggestion.pk,
        {"person": scene.marie.pk, "other": scene.dupont.pk},
    )
    assert scene.dupont.merged_into is None


@pytest.mark.parametrize("first", ["accept", "reject"])
@pytest.mark.parametrize("then", ["accept", "reject"])
def test_a_suggestion_is_decided_once(scene: Scene, first: str, then: str) -> None:
    decide: dict[str, Callable[[MergeSuggestion], object]] = {
        "accept": do_accept_suggestion,
        "reject": do_reject_suggestion,
    }
    decide[first](scene.suggestion)

    with pytest.raises(MergeError, match=r"^This suggestion was already decided\.$"):
        decide[then](scene.suggestion)
