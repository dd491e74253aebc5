"""Shared personas: Alice (agent) and Bob (manager) in workspace A; Charlie alone in B.

Charlie must never see anything of A's: every view and endpoint test checks that.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from comptoir.workspaces.models import Role, Seat, Workspace
from tests.factories import SeatFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery staple"


@dataclass
class Personas:
    workspace_a: Workspace
    workspace_b: Workspace
    alice: Seat
    bob: Seat
    charlie: Seat

    def client_for(self, seat: Seat) -> Client:
        client = Client()
        client.force_login(seat.user)
        return client


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language: a request through LocaleMiddleware leaves
    its language active in the thread, which would leak into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def personas(db: None) -> Personas:
    workspace_a = WorkspaceFactory.create(name="Maison Lumière", slug="maison-lumiere")
    workspace_b = WorkspaceFactory.create(name="Other Corp", slug="other-corp")
    alice = SeatFactory.create(
        workspace=workspace_a,
        user=UserFactory.create(username="alice@example.test"),
        role=Role.AGENT,
        display_name="Alice",
    )
    bob = SeatFactory.create(
        workspace=workspace_a,
        user=UserFactory.create(username="bob@example.test"),
        role=Role.MANAGER,
        display_name="Bob",
    )
    charlie = SeatFactory.create(
        workspace=workspace_b,
        user=UserFactory.create(username="charlie@example.test"),
        role=Role.OWNER,
        display_name="Charlie",
    )
    return Personas(workspace_a, workspace_b, alice, bob, charlie)


@pytest.fixture
def alice_client(personas: Personas) -> Client:
    return personas.client_for(personas.alice)


@pytest.fixture
def bob_client(personas: Personas) -> Client:
    return personas.client_for(personas.bob)


@pytest.fixture
def charlie_client(personas: Personas) -> Client:
    return personas.client_for(personas.charlie)
