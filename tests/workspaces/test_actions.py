from __future__ import annotations

import pytest
from django.http import Http404

from comptoir.workspaces.actions import do_add_seat, do_change_role, do_create_workspace
from comptoir.workspaces.models import Event, Role, Seat
from comptoir.workspaces.queries import get_scoped_or_404, scoped, seat_for, seats_of
from comptoir.workspaces.roles import Capability, can
from tests.conftest import Personas
from tests.factories import PersonFactory, UserFactory


def test_creating_a_workspace_seats_its_owner_and_records_it(db: None) -> None:
    owner = UserFactory.create(username="owner@example.test")
    workspace = do_create_workspace(
        name="Maison Test", slug="maison-test", owner=owner, owner_name="Olivia"
    )
    seat = Seat.objects.get(workspace=workspace)
    assert (seat.user, seat.role, seat.display_name) == (owner, Role.OWNER, "Olivia")
    event = Event.objects.get(workspace=workspace)
    assert (event.verb, event.subject_id, event.actor) == ("workspace.created", workspace.pk, seat)


def test_unknown_time_zone_is_refused(db: None) -> None:
    from django.core.exceptions import ValidationError

    owner = UserFactory.create()
    with pytest.raises(ValidationError):
        do_create_workspace(name="X", slug="x", owner=owner, owner_name="X", timezone="Mars/Base")


def test_seats_and_role_changes_are_audited(personas: Personas) -> None:
    user = UserFactory.create(username="dana@example.test")
    seat = do_add_seat(
        personas.workspace_a, user, role=Role.VIEWER, display_name="Dana", actor=personas.bob
    )
    do_change_role(seat, Role.AGENT, actor=personas.bob)
    verbs = list(
        Event.objects.filter(subject_type="seat", subject_id=seat.pk)
        .order_by("id")
        .values_list("verb", "payload")
    )
    assert verbs == [
        ("seat.added", {"role": "viewer", "display_name": "Dana"}),
        ("seat.role_changed", {"from": "viewer", "to": "agent"}),
    ]


def test_events_are_append_only(personas: Personas) -> None:
    seat = do_add_seat(
        personas.workspace_a, UserFactory.create(), role=Role.AGENT, display_name="Eve"
    )
    event = Event.objects.get(subject_type="seat", subject_id=seat.pk)
    event.verb = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert Event.objects.get(pk=event.pk).verb == "seat.added"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.OWNER, set(Capability)),
        (
            Role.MANAGER,
            set(Capability) - {Capability.MANAGE_WORKSPACE},
        ),
        (Role.AGENT, {Capability.READ, Capability.CONVERSE, Capability.MANAGE_PEOPLE}),
        (Role.ADVOCATE, {Capability.READ, Capability.ADVOCATE}),
        (Role.VIEWER, {Capability.READ}),
    ],
)
def test_roles_decide_capabilities(personas: Personas, role: Role, allowed: set[str]) -> None:
    seat = personas.alice
    seat.role = role
    assert {c for c in Capability if can(seat, c)} == allowed


def test_an_inactive_seat_can_do_nothing(personas: Personas) -> None:
    personas.bob.is_active = False
    assert not any(can(personas.bob, c) for c in Capability)
    assert not can(None, Capability.READ)


def test_a_user_without_a_seat_gets_404_not_403(personas: Personas) -> None:
    assert seat_for(personas.alice.user, "maison-lumiere") == personas.alice
    with pytest.raises(Http404):
        seat_for(personas.charlie.user, "maison-lumiere")
    assert list(seats_of(personas.charlie.user)) == [personas.charlie]


def test_scoped_reads_never_cross_workspaces(personas: Personas) -> None:
    mine = PersonFactory.create(workspace=personas.workspace_a)
    theirs = PersonFactory.create(workspace=personas.workspace_b)
    from comptoir.people.models import Person

    assert list(scoped(Person, personas.workspace_a)) == [mine]
    assert get_scoped_or_404(Person.objects.all(), personas.workspace_b, theirs.pk) == theirs
    with pytest.raises(Http404):
        get_scoped_or_404(Person.objects.all(), personas.workspace_b, mine.pk)
    with pytest.raises(Http404):
        get_scoped_or_404(Person.objects.all(), personas.workspace_b, "not-a-number")
