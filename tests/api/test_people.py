"""People, identities, organisations and memberships over the API."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.people.models import IdentityKind, Person
from comptoir.people.queries import PEOPLE_ORDERING
from comptoir.workspaces.models import Workspace
from tests.api.conftest import ApiClient, World, ids
from tests.conftest import Personas
from tests.factories import IdentityFactory, MembershipFactory, PersonFactory


def test_a_person_with_identities_and_memberships(world: World, alice_api: ApiClient) -> None:
    a = world.a
    person = alice_api.ok(f"/people/{a.marie.pk}")
    assert person["lifecycle_stage"] == "customer"
    assert person["preferred_language"] == "fr"
    assert person["relationship_owner"] == {
        "id": a.marie.relationship_owner_id,
        "display_name": "Alice",
    }
    assert person["first_seen_at"] == "2026-10-01T09:00:00Z"
    assert person["last_inbound_at"] == "2026-10-01T10:00:00Z"
    assert person["last_outbound_at"] == "2026-10-01T09:05:00Z"
    assert [(i["id"], i["kind"], i["external_id"], i["handle"]) for i in person["identities"]] == [
        (a.marie_email.pk, "email", "marie.dupont@a.example.org", ""),
        (a.marie_x.pk, "x", "a-42", "@mdupont"),
    ]
    assert person["memberships"] == [
        {
            "id": a.marie_at_acme.pk,
            "person": {"id": a.marie.pk, "display_name": "Marie Dupont A"},
            "organization": {"id": a.acme.pk, "name": "Acme A"},
            "title": "CFO",
            "committee_role": "decision_maker",
            "stance": "supporter",
            "is_primary_contact": True,
            "created_at": person["memberships"][0]["created_at"],
        }
    ]


def test_blank_readings_are_null(world: World, alice_api: ApiClient) -> None:
    jean = alice_api.ok(f"/people/{world.a.jean.pk}")
    assert jean["preferred_language"] is None
    assert jean["relationship_owner"] is None
    assert jean["memberships"][0]["committee_role"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["jean", "marie"]),
        ({"q": "marie"}, ["marie"]),
        ({"q": "@mdupont"}, ["marie"]),
        ({"q": "mdupont"}, ["marie"]),
        ({"q": "MARIE.DUPONT@"}, ["marie"]),
        ({"q": "jean-martin"}, ["jean"]),
        ({"q": "nobody"}, []),
        ({"lifecycle_stage": "prospect"}, ["jean"]),
        ({"lifecycle_stage": "advocate"}, []),
        ({"identity_kind": "linkedin"}, ["jean"]),
        ({"identity_kind": "email"}, ["marie"]),
        ({"organization": "acme"}, ["jean", "marie"]),
        ({"owner": "alice"}, ["marie"]),
        ({"q": "a", "lifecycle_stage": "customer", "identity_kind": "x"}, ["marie"]),
    ],
)
def test_people_filters(
    world: World,
    personas: Personas,
    alice_api: ApiClient,
    params: dict[str, str],
    expected: list[str],
) -> None:
    known = {"acme": world.a.acme.pk, "alice": personas.alice.pk}
    query = {key: known.get(value, value) for key, value in params.items()}
    people = {"jean": world.a.jean.pk, "marie": world.a.marie.pk}
    assert ids(alice_api.walk("/people", query)) == [people[name] for name in expected]


def test_filters_never_reach_into_another_workspace(world: World, charlie_api: ApiClient) -> None:
    assert charlie_api.ok("/people", {"organization": world.a.acme.pk})["items"] == []
    assert charlie_api.ok("/memberships", {"person": world.a.marie.pk})["items"] == []


def test_identities_filter_by_kind_and_person(world: World, alice_api: ApiClient) -> None:
    a = world.a
    assert ids(alice_api.walk("/identities", {"kind": IdentityKind.X})) == [a.marie_x.pk]
    assert ids(alice_api.walk("/identities", {"person": a.marie.pk})) == [
        a.marie_email.pk,
        a.marie_x.pk,
    ]
    identity = alice_api.ok(f"/identities/{a.jean_linkedin.pk}")
    assert identity["person_id"] == a.jean.pk
    assert identity["verified"] is False


def test_an_organisation_with_its_buying_committee(world: World, alice_api: ApiClient) -> None:
    a = world.a
    listed = alice_api.ok("/organizations")["items"]
    assert [(o["name"], o["member_count"], o["decision_maker_count"]) for o in listed] == [
        ("Acme A", 2, 1)
    ]
    assert alice_api.ok("/organizations", {"q": "nothing"})["items"] == []
    organization = alice_api.ok(f"/organizations/{a.acme.pk}")
    assert organization["domains"] == ["acme.example"]
    assert organization["tier"] == "standard"
    assert organization["size"] is None
    assert organization["supporter_count"] == 1
    committee = {cell["role"]: cell for cell in organization["buying_committee"]}
    assert list(committee) == [
        "decision_maker",
        "champion",
        "influencer",
        "user",
        "buyer",
        "gatekeeper",
        None,
    ]
    assert committee["decision_maker"]["role_label"] == "Decision maker"
    assert committee["decision_maker"]["by_stance"] == {
        "supporter": [
            {
                "id": a.marie_at_acme.pk,
                "person": {"id": a.marie.pk, "display_name": "Marie Dupont A"},
                "title": "CFO",
                "is_primary_contact": True,
            }
        ],
        "neutral": [],
        "opponent": [],
        "unknown": [],
    }
    assert [m["person"]["id"] for m in committee[None]["by_stance"]["unknown"]] == [a.jean.pk]


def test_memberships_filter_by_organisation_and_person(world: World, alice_api: ApiClient) -> None:
    a = world.a
    both = [a.marie_at_acme.pk, a.jean_at_acme.pk]
    assert ids(alice_api.walk("/memberships", {"organization": a.acme.pk})) == both
    assert ids(alice_api.walk("/memberships", {"person": a.jean.pk})) == [a.jean_at_acme.pk]
    assert alice_api.ok("/memberships", {"person": world.b.marie.pk})["items"] == []


def _many_people(workspace: Workspace, count: int) -> None:
    # Several share a name: the id must break the tie for the cursor to skip nobody.
    for n in range(count):
        person = PersonFactory.create(workspace=workspace, display_name=f"Twin {n % 3}")
        IdentityFactory.create_batch(2, person=person)
        MembershipFactory.create(person=person)


def test_walking_every_page_lists_each_person_once(
    personas: Personas, alice_api: ApiClient
) -> None:
    _many_people(personas.workspace_a, 23)
    expected = list(
        Person.objects.filter(workspace=personas.workspace_a)
        .order_by(*PEOPLE_ORDERING)
        .values_list("id", flat=True)
    )
    pages: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = alice_api.ok("/people", {"limit": 5} | ({"cursor": cursor} if cursor else {}))
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert [len(p["items"]) for p in pages] == [5, 5, 5, 5, 3]
    assert [item["id"] for p in pages for item in p["items"]] == expected


def test_the_people_list_costs_the_same_for_5_or_40_rows(
    personas: Personas, alice_api: ApiClient
) -> None:
    _many_people(personas.workspace_a, 5)
    few = alice_api.queries_for("/people", 5)
    _many_people(personas.workspace_a, 35)
    many = alice_api.queries_for("/people", 40)
    # The token, the page, its identities, its memberships with their organisations.
    assert few == many == 4


def test_the_memberships_list_costs_the_same_for_5_or_40_rows(
    personas: Personas, alice_api: ApiClient
) -> None:
    _many_people(personas.workspace_a, 5)
    few = alice_api.queries_for("/memberships", 5)
    _many_people(personas.workspace_a, 35)
    assert few == alice_api.queries_for("/memberships", 40) == 2
