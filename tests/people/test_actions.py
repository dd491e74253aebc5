from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from comptoir.people.actions import (
    do_add_identity,
    do_add_membership,
    do_create_organization,
    do_create_person,
    do_update_membership,
    do_update_person,
)
from comptoir.people.models import CommitteeRole, IdentityKind, LifecycleStage, Stance
from comptoir.workspaces.models import Event
from tests.conftest import Personas


def test_a_person_with_identities_on_several_networks(personas: Personas) -> None:
    ws = personas.workspace_a
    person = do_create_person(ws, display_name="  Marie Dupont ", preferred_language="fr")
    email = do_add_identity(person, kind=IdentityKind.EMAIL, external_id=" Marie.Dupont@Mail.FR ")
    x = do_add_identity(person, kind=IdentityKind.X, external_id="1234", handle="@mariedupont")
    assert person.display_name == "Marie Dupont"
    assert email.external_id == "marie.dupont@mail.fr"
    assert x.external_id == "1234"
    assert set(person.identities.values_list("kind", flat=True)) == {"email", "x"}
    assert list(
        Event.objects.filter(subject_type="person", subject_id=person.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    ) == ["person.created", "identity.added", "identity.added"]


def test_an_identity_is_unique_per_workspace_and_network(personas: Personas) -> None:
    first = do_create_person(personas.workspace_a, display_name="First")
    second = do_create_person(personas.workspace_a, display_name="Second")
    elsewhere = do_create_person(personas.workspace_b, display_name="Elsewhere")
    do_add_identity(first, kind=IdentityKind.X, external_id="42")
    do_add_identity(elsewhere, kind=IdentityKind.X, external_id="42")  # another tenant: fine
    do_add_identity(second, kind=IdentityKind.MASTODON, external_id="42")  # another network
    with pytest.raises(IntegrityError), transaction.atomic():
        do_add_identity(second, kind=IdentityKind.X, external_id="42")


def test_updates_are_recorded_with_before_and_after(personas: Personas) -> None:
    person = do_create_person(personas.workspace_a, display_name="Paul")
    do_update_person(
        person,
        lifecycle_stage=LifecycleStage.CUSTOMER,
        relationship_owner=personas.alice,
        actor=personas.bob,
    )
    person.refresh_from_db()
    assert person.lifecycle_stage == "customer"
    assert person.relationship_owner == personas.alice
    event = Event.objects.get(verb="person.updated", subject_id=person.pk)
    assert event.payload == {
        "before": {"lifecycle_stage": "stranger", "relationship_owner": None},
        "after": {"lifecycle_stage": "customer", "relationship_owner": personas.alice.pk},
    }
    assert event.actor == personas.bob


def test_nothing_crosses_workspaces(personas: Personas) -> None:
    person = do_create_person(personas.workspace_a, display_name="Paul")
    foreign_org = do_create_organization(personas.workspace_b, name="Other Org")
    with pytest.raises(ValueError, match="same workspace"):
        do_add_membership(person, foreign_org)
    with pytest.raises(ValueError, match="same workspace"):
        do_update_person(person, relationship_owner=personas.charlie)
    with pytest.raises(ValueError, match="same workspace"):
        do_create_person(
            personas.workspace_a, display_name="X", relationship_owner=personas.charlie
        )


def test_unknown_fields_are_refused(personas: Personas) -> None:
    person = do_create_person(personas.workspace_a, display_name="Paul")
    with pytest.raises(ValueError, match="cannot change workspace"):
        do_update_person(person, workspace=personas.workspace_b)


def test_buying_committee_membership(personas: Personas) -> None:
    org = do_create_organization(
        personas.workspace_a, name="Acme", domains=["ACME.test ", "acme.test", ""]
    )
    assert org.domains == ["acme.test"]
    person = do_create_person(personas.workspace_a, display_name="Dana")
    membership = do_add_membership(
        person, org, title="CFO", committee_role=CommitteeRole.DECISION_MAKER
    )
    assert membership.stance == Stance.UNKNOWN
    do_update_membership(membership, stance=Stance.OPPONENT, actor=personas.bob)
    membership.refresh_from_db()
    assert (membership.committee_role, membership.stance) == ("decision_maker", "opponent")
    with pytest.raises(ValueError, match="not a valid"):
        do_update_membership(membership, stance="hostile")
    with pytest.raises(IntegrityError), transaction.atomic():
        do_add_membership(person, org)
