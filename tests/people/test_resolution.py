"""Weak signals: each alone, together, against the threshold; idempotent; batch-first."""

from __future__ import annotations

import random
import string
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.inbox.models import Conversation, Direction
from comptoir.people.merging import do_merge_people
from comptoir.people.models import (
    Identity,
    IdentityKind,
    MergeSuggestion,
    Person,
    SuggestionStatus,
)
from comptoir.people.resolution import (
    DOMAIN_WEIGHT,
    SIGNAL_LABELS,
    THREAD_WEIGHT,
    THRESHOLD,
    Signal,
    email_domain,
    fold_name,
    name_blocks,
    suggest_merges,
)
from comptoir.workspaces.models import Workspace
from tests.conftest import Personas
from tests.factories import ConversationFactory, IdentityFactory, MessageFactory, PersonFactory


@pytest.fixture
def ws(personas: Personas) -> Workspace:
    return personas.workspace_a


def person(ws: Workspace, name: str, **identities: Any) -> Person:
    """A person with, optionally, an email address and an avatar on an X identity."""
    someone = PersonFactory.create(workspace=ws, display_name=name)
    if "email" in identities:
        IdentityFactory.create(
            person=someone, kind=IdentityKind.EMAIL, external_id=identities["email"], handle=""
        )
    if "avatar" in identities:
        IdentityFactory.create(person=someone, avatar_url=identities["avatar"])
    return someone


def same_thread(*people: Person) -> Conversation:
    """One conversation where each of these people wrote an inbound message."""
    first = people[0]
    convo = ConversationFactory.create(
        workspace=first.workspace, person=first, subject="Livraison en retard"
    )
    for someone in people:
        identity = IdentityFactory.create(person=someone)
        MessageFactory.create(conversation=convo, author_identity=identity)
    return convo


def suggestions() -> list[tuple[int, int, float, list[str]]]:
    return [
        (s.person_id, s.other_id, s.score, [r["signal"] for r in s.reasons])
        for s in MergeSuggestion.objects.order_by("person_id", "other_id")
    ]


@pytest.mark.parametrize(
    ("name", "folded"),
    [
        ("Hélène  MÜLLER-Roy", "helene muller roy"),
        ("  Zoë O'Brien ", "zoe o brien"),
        ("@marie_dupont", "marie dupont"),
        ("", ""),
    ],
)
def test_names_are_folded(name: str, folded: str) -> None:
    assert fold_name(name) == folded


def test_names_are_blocked_by_their_first_and_last_words() -> None:
    assert name_blocks("marie claire dupont") == {"marie", "dupont"}
    assert name_blocks("dupont marie") == {"marie", "dupont"}
    assert name_blocks("j dupont") == {"dupont"}
    assert name_blocks("") == set()


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("marie@acme.fr", "acme.fr"),
        ("Marie@ACME.fr", "acme.fr"),
        ("m@mail.acme.co.uk", "mail.acme.co.uk"),
        ("marie@gmail.com", ""),
        ("marie@orange.fr", ""),
        ("marie@gmx.de", ""),
        ("marie@yahoo.co.uk", ""),
        ("marie@proton.me", ""),
        ("not-an-address", ""),
        ("marie@localhost", ""),
    ],
)
def test_organisation_domains_leave_webmail_out(address: str, domain: str) -> None:
    assert email_domain(address) == domain


def test_no_weak_signal_alone_but_a_full_name_reaches_the_threshold() -> None:
    assert DOMAIN_WEIGHT < THRESHOLD  # the domain only confirms pairs found otherwise
    assert DOMAIN_WEIGHT + THREAD_WEIGHT < THRESHOLD  # colleagues share threads


def test_identical_full_names_alone_are_suggested(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont")
    twin = person(ws, "Marie Dupont")

    assert suggest_merges(ws, [twin.pk]) == 1

    suggestion = MergeSuggestion.objects.get()
    assert (suggestion.person, suggestion.other) == (marie, twin)
    assert suggestion.score == 0.6
    assert suggestion.status == SuggestionStatus.PENDING
    assert suggestion.reasons == [
        {
            "signal": "display_name",
            "detail": "Marie Dupont ≈ Marie Dupont",
            "weight": 0.6,
            "ratio": 100,
        }
    ]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hélène Müller", "helene muller"),
        ("Dupont Marie", "Marie Dupont"),
        ("Jean-Pierre Martin", "Martin Jean Pierre"),
    ],
)
def test_accents_case_and_word_order_do_not_matter(ws: Workspace, first: str, second: str) -> None:
    person(ws, first)
    new = person(ws, second)

    assert suggest_merges(ws, [new.pk]) == 1
    assert MergeSuggestion.objects.get().score == 0.6


def test_a_similar_name_alone_is_not_enough(ws: Workspace) -> None:
    person(ws, "Marie Dupont")
    new = person(ws, "Marie Dupond")

    assert suggest_merges(ws, [new.pk]) == 0


def test_a_single_word_name_says_little(ws: Workspace) -> None:
    person(ws, "Marie")
    new = person(ws, "Marie")

    assert suggest_merges(ws, [new.pk]) == 0


def test_different_names_are_not_compared(ws: Workspace) -> None:
    person(ws, "Marie Dupont")
    new = person(ws, "Paul Martin")

    assert suggest_merges(ws, [new.pk]) == 0


def test_an_avatar_alone_is_not_enough(ws: Workspace) -> None:
    person(ws, "Marie Dupont", avatar="https://cdn.example/a/123.jpg")
    new = person(ws, "Zoé", avatar="https://cdn.example/a/123.jpg")

    assert suggest_merges(ws, [new.pk]) == 0


def test_a_similar_name_and_the_same_avatar(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont", avatar="https://cdn.example/a/123.jpg")
    new = person(ws, "Marie Dupond", avatar="https://cdn.example/a/123.jpg")

    assert suggest_merges(ws, [new.pk]) == 1

    suggestion = MergeSuggestion.objects.get()
    assert suggestion.score == 0.92
    assert suggestion.reasons == [
        {
            "signal": "display_name",
            "detail": "Marie Dupont ≈ Marie Dupond",
            "weight": 0.52,
            "ratio": 92,
        },
        {"signal": "avatar", "detail": "https://cdn.example/a/123.jpg", "weight": 0.4},
    ]
    assert (suggestion.person, suggestion.other) == (marie, new)


def test_a_default_avatar_shared_by_many_is_ignored(ws: Workspace) -> None:
    default = "https://cdn.example/default_profile.png"
    for name in ("Anne Leroy", "Luc Petit"):
        person(ws, name, avatar=default)
    person(ws, "Marie Dupont", avatar=default)
    new = person(ws, "Marie Dupond", avatar=default)

    assert suggest_merges(ws, [new.pk]) == 0


def test_a_domain_alone_is_not_enough(ws: Workspace) -> None:
    person(ws, "Marie Dupont", email="marie@acme.fr")
    new = person(ws, "Paul Martin", email="paul@acme.fr")

    assert suggest_merges(ws, [new.pk]) == 0


def test_a_similar_name_and_the_same_organisation_domain(ws: Workspace) -> None:
    person(ws, "Marie Dupont", email="marie.dupont@acme.fr")
    new = person(ws, "Marie Dupond", email="mdupond@acme.fr")

    assert suggest_merges(ws, [new.pk]) == 1

    assert suggestions()[0][2:] == (0.82, ["display_name", "email_domain"])
    assert MergeSuggestion.objects.get().reasons[1] == {
        "signal": "email_domain",
        "detail": "acme.fr",
        "weight": 0.3,
    }


def test_a_shared_webmail_domain_says_nothing(ws: Workspace) -> None:
    person(ws, "Marie Dupont", email="marie.dupont@gmail.com")
    new = person(ws, "Marie Dupond", email="mdupond@gmail.com")

    assert suggest_merges(ws, [new.pk]) == 0


def test_a_shared_thread_alone_is_not_enough(ws: Workspace) -> None:
    marie, paul = person(ws, "Marie Dupont"), person(ws, "Paul Martin")
    same_thread(marie, paul)

    assert suggest_merges(ws, [paul.pk]) == 0


def test_a_shared_thread_and_a_domain_are_colleagues_not_one_person(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont", email="marie@acme.fr")
    paul = person(ws, "Paul Martin", email="paul@acme.fr")
    same_thread(marie, paul)

    assert suggest_merges(ws, [paul.pk]) == 0


def test_a_shared_thread_and_the_same_avatar(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont", avatar="https://cdn.example/m.png")
    new = person(ws, "mdupont", avatar="https://cdn.example/m.png")
    convo = same_thread(marie, new)

    assert suggest_merges(ws, [new.pk]) == 1

    reasons = MergeSuggestion.objects.get().reasons
    assert [r["signal"] for r in reasons] == ["avatar", "same_thread"]
    assert reasons[1] == {
        "signal": "same_thread",
        "detail": "Livraison en retard",
        "weight": 0.2,
        "conversation_id": convo.pk,
    }
    assert MergeSuggestion.objects.get().score == 0.6


def test_a_crowded_thread_proves_nothing(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont", avatar="https://cdn.example/m.png")
    new = person(ws, "mdupont", avatar="https://cdn.example/m.png")
    crowd = [person(ws, f"Fan {n}") for n in range(5)]
    same_thread(marie, new, *crowd)

    assert suggest_merges(ws, [new.pk]) == 0


def test_outbound_messages_do_not_make_a_shared_thread(ws: Workspace, personas: Personas) -> None:
    marie = person(ws, "Marie Dupont", avatar="https://cdn.example/m.png")
    new = person(ws, "mdupont", avatar="https://cdn.example/m.png")
    convo = same_thread(marie)
    MessageFactory.create(
        conversation=convo,
        direction=Direction.OUTBOUND,
        author_identity=None,
        author_seat=personas.alice,
    )

    assert suggest_merges(ws, [new.pk]) == 0


def test_every_signal_together_is_capped_at_one(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont", email="marie@acme.fr", avatar="https://cdn.example/m.png")
    new = person(ws, "Marie Dupont", email="m.dupont@acme.fr", avatar="https://cdn.example/m.png")
    same_thread(marie, new)

    assert suggest_merges(ws, [new.pk]) == 1

    assert suggestions() == [
        (marie.pk, new.pk, 1.0, ["display_name", "avatar", "email_domain", "same_thread"])
    ]


def test_suggesting_twice_changes_nothing(ws: Workspace) -> None:
    person(ws, "Marie Dupont")
    new = person(ws, "Marie Dupont")
    assert suggest_merges(ws, [new.pk]) == 1
    before = suggestions()

    assert suggest_merges(ws, [new.pk]) == 0
    assert suggest_merges(ws, [new.pk, new.pk]) == 0
    assert suggestions() == before


def test_a_rejected_or_accepted_pair_is_not_suggested_again(ws: Workspace) -> None:
    marie, twin = person(ws, "Marie Dupont"), person(ws, "Marie Dupont")
    suggest_merges(ws, [twin.pk])
    MergeSuggestion.objects.update(status=SuggestionStatus.REJECTED)

    assert suggest_merges(ws, [marie.pk, twin.pk]) == 0
    assert MergeSuggestion.objects.get().status == SuggestionStatus.REJECTED


def test_merged_people_are_never_suggested(ws: Workspace) -> None:
    marie = person(ws, "Marie Dupont")
    gone = person(ws, "Marie Dupont")
    do_merge_people(marie, gone, reason="Same person")
    new = person(ws, "Marie Dupont")

    assert suggest_merges(ws, [new.pk, gone.pk]) == 1

    assert suggestions() == [(marie.pk, new.pk, 0.6, ["display_name"])]


def test_a_person_is_not_suggested_with_themselves(ws: Workspace) -> None:
    new = person(ws, "Marie Dupont", avatar="https://cdn.example/m.png")
    IdentityFactory.create(person=new, avatar_url="https://cdn.example/m.png")
    same_thread(new, new)

    assert suggest_merges(ws, [new.pk]) == 0


def test_other_workspaces_are_out_of_reach(ws: Workspace, personas: Personas) -> None:
    person(personas.workspace_b, "Marie Dupont")
    elsewhere = person(personas.workspace_b, "Marie Dupont")
    new = person(ws, "Marie Dupont")

    assert suggest_merges(ws, [new.pk, elsewhere.pk]) == 0
    assert suggest_merges(ws, []) == 0


def test_new_people_are_matched_with_each_other_once(ws: Workspace) -> None:
    first, second, third = (person(ws, "Marie Dupont") for _ in range(3))

    assert suggest_merges(ws, [first.pk, second.pk, third.pk]) == 3

    assert [s[:2] for s in suggestions()] == [
        (first.pk, second.pk),
        (first.pk, third.pk),
        (second.pk, third.pk),
    ]


def crowd(ws: Workspace, size: int, tag: str) -> list[int]:
    """``size`` new people, each matching an existing one by name, domain and avatar, and
    unlike everybody else (random words for names)."""
    rng = random.Random(tag)  # noqa: S311 - seeded test data, not a secret
    ids = []
    for n in range(size):
        name = " ".join("".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(2))
        avatar = f"https://cdn.example/{tag}/{n}.png"
        old = person(ws, name, email=f"c{n}@{tag}.example", avatar=avatar)
        new = person(ws, name, email=f"camille{n}@{tag}.example", avatar=avatar)
        same_thread(old, new)
        ids.append(new.pk)
    return ids


def test_the_number_of_queries_does_not_grow_with_the_people(ws: Workspace) -> None:
    few, many = crowd(ws, 5, "few"), crowd(ws, 50, "many")

    with CaptureQueriesContext(connection) as small:
        assert suggest_merges(ws, few) == 5
    with CaptureQueriesContext(connection) as large:
        assert suggest_merges(ws, many) == 50

    assert len(small) == len(large) <= 8
    assert Person.objects.count() == 110
    assert Identity.objects.count() > 110


def test_every_signal_has_words_for_people() -> None:
    assert set(SIGNAL_LABELS) == set(Signal)
    assert str(SIGNAL_LABELS[Signal.SHARED_KEY]) == "Same email, phone or profile link"
