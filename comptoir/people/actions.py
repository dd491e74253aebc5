"""Writes on people, identities, organisations and memberships; each records an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from comptoir.people.models import (
    CommitteeRole,
    Identity,
    IdentityKind,
    LifecycleStage,
    Membership,
    Organization,
    Person,
    Stance,
)
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat, Workspace

PERSON_EDITABLE = frozenset(
    {"display_name", "preferred_language", "lifecycle_stage", "relationship_owner"}
)
MEMBERSHIP_EDITABLE = frozenset({"title", "committee_role", "stance", "is_primary_contact"})


def normalize_external_id(kind: str, external_id: str) -> str:
    """Email addresses compare case-insensitively; platform ids are kept as given."""
    value = external_id.strip()
    return value.lower() if kind == IdentityKind.EMAIL else value


@transaction.atomic
def do_create_person(
    workspace: Workspace,
    *,
    display_name: str,
    preferred_language: str = "",
    lifecycle_stage: str = LifecycleStage.STRANGER,
    relationship_owner: Seat | None = None,
    first_seen_at: datetime | None = None,
    actor: Seat | None = None,
) -> Person:
    if relationship_owner is not None and relationship_owner.workspace_id != workspace.pk:
        raise ValueError("the relationship owner must hold a seat in the same workspace")
    person = Person.objects.create(
        workspace=workspace,
        display_name=display_name.strip(),
        preferred_language=preferred_language,
        lifecycle_stage=LifecycleStage(lifecycle_stage),
        relationship_owner=relationship_owner,
        first_seen_at=first_seen_at or timezone.now(),
    )
    record_event(
        workspace,
        "person.created",
        "person",
        person.pk,
        actor=actor,
        payload={"display_name": person.display_name},
    )
    return person


@transaction.atomic
def do_update_person(person: Person, *, actor: Seat | None = None, **changes: Any) -> Person:
    unknown = set(changes) - PERSON_EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} on a person")
    owner = changes.get("relationship_owner")
    if owner is not None and owner.workspace_id != person.workspace_id:
        raise ValueError("the relationship owner must hold a seat in the same workspace")
    if "lifecycle_stage" in changes:
        changes["lifecycle_stage"] = LifecycleStage(changes["lifecycle_stage"])
    before = {name: _plain(getattr(person, name)) for name in changes}
    for name, value in changes.items():
        setattr(person, name, value)
    person.save(update_fields=[*changes, "updated_at"])
    after = {name: _plain(getattr(person, name)) for name in changes}
    record_event(
        person.workspace_id,
        "person.updated",
        "person",
        person.pk,
        actor=actor,
        payload={"before": before, "after": after},
    )
    return person


@transaction.atomic
def do_add_identity(
    person: Person,
    *,
    kind: str,
    external_id: str,
    handle: str = "",
    display_name: str = "",
    profile_url: str = "",
    verified: bool = False,
    actor: Seat | None = None,
) -> Identity:
    kind = IdentityKind(kind)
    identity = Identity.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        kind=kind,
        external_id=normalize_external_id(kind, external_id),
        handle=handle,
        display_name=display_name,
        profile_url=profile_url,
        verified=verified,
    )
    record_event(
        person.workspace_id,
        "identity.added",
        "person",
        person.pk,
        actor=actor,
        payload={"identity": identity.pk, "kind": kind, "external_id": identity.external_id},
    )
    return identity


@transaction.atomic
def do_create_organization(
    workspace: Workspace,
    *,
    name: str,
    domains: list[str] | None = None,
    industry: str = "",
    size: str = "",
    tier: str = "standard",
    actor: Seat | None = None,
) -> Organization:
    organization = Organization.objects.create(
        workspace=workspace,
        name=name.strip(),
        domains=sorted({d.strip().lower() for d in domains or [] if d.strip()}),
        industry=industry,
        size=size,
        tier=tier,
    )
    record_event(
        workspace,
        "organization.created",
        "organization",
        organization.pk,
        actor=actor,
        payload={"name": organization.name},
    )
    return organization


@transaction.atomic
def do_add_membership(
    person: Person,
    organization: Organization,
    *,
    title: str = "",
    committee_role: str = "",
    stance: str = Stance.UNKNOWN,
    is_primary_contact: bool = False,
    actor: Seat | None = None,
) -> Membership:
    if person.workspace_id != organization.workspace_id:
        raise ValueError("a person can only join an organisation of the same workspace")
    membership = Membership.objects.create(
        workspace_id=person.workspace_id,
        person=person,
        organization=organization,
        title=title,
        committee_role=CommitteeRole(committee_role) if committee_role else "",
        stance=Stance(stance),
        is_primary_contact=is_primary_contact,
    )
    record_event(
        person.workspace_id,
        "membership.added",
        "organization",
        organization.pk,
        actor=actor,
        payload={
            "person": person.pk,
            "committee_role": membership.committee_role,
            "stance": membership.stance,
        },
    )
    return membership


@transaction.atomic
def do_update_membership(
    membership: Membership, *, actor: Seat | None = None, **changes: Any
) -> Membership:
    unknown = set(changes) - MEMBERSHIP_EDITABLE
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} on a membership")
    if changes.get("committee_role"):
        changes["committee_role"] = CommitteeRole(changes["committee_role"])
    if "stance" in changes:
        changes["stance"] = Stance(changes["stance"])
    before = {name: getattr(membership, name) for name in changes}
    for name, value in changes.items():
        setattr(membership, name, value)
    membership.save(update_fields=list(changes))
    record_event(
        membership.workspace_id,
        "membership.updated",
        "organization",
        membership.organization_id,
        actor=actor,
        payload={"person": membership.person_id, "before": before, "after": changes},
    )
    return membership


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value for event payloads."""
    if isinstance(value, Seat):
        return value.pk
    if isinstance(value, datetime):
        return value.isoformat()
    return value
