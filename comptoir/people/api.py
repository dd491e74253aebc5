"""The REST router of people, identities, organisations and memberships."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, FilterLookup, FilterSchema, Query, Router, Schema

from comptoir.pagination import Page
from comptoir.people import queries
from comptoir.people.models import (
    CommitteeRole,
    CompanySize,
    Identity,
    IdentityKind,
    LifecycleStage,
    Membership,
    Organization,
    Person,
    Stance,
    Tier,
)
from comptoir.rest import BlankIsNull, PageOut, PageParams, RowId, page_of, reading, responses
from comptoir.workspaces.api import SeatRef
from comptoir.workspaces.queries import get_scoped_or_404

router = Router(tags=["people"])

# Lists the queries module has no page order for; each ends with the primary key.
IDENTITY_ORDERING = ("kind", "handle", "id")
MEMBERSHIP_ORDERING = ("organization_id", "id")


class PersonRef(Schema):
    id: int
    display_name: str


class OrganizationRef(Schema):
    id: int
    name: str


class IdentityRef(Schema):
    id: int
    kind: IdentityKind
    external_id: str
    handle: str
    display_name: str


class IdentityOut(Schema):
    id: int
    person_id: int
    kind: IdentityKind
    external_id: str = Field(description="The platform's id; the address for email and phone.")
    handle: str
    display_name: str
    profile_url: str
    verified: bool
    created_at: datetime


class MembershipOut(Schema):
    id: int
    person: PersonRef
    organization: OrganizationRef
    title: str
    committee_role: Annotated[CommitteeRole | None, BlankIsNull]
    stance: Stance
    is_primary_contact: bool
    created_at: datetime


class PersonOut(Schema):
    id: int
    display_name: str
    preferred_language: Annotated[str | None, BlankIsNull]
    lifecycle_stage: LifecycleStage
    relationship_owner: SeatRef | None
    first_seen_at: datetime
    last_inbound_at: datetime | None
    last_outbound_at: datetime | None
    created_at: datetime
    updated_at: datetime
    identities: list[IdentityOut]
    memberships: list[MembershipOut]


class OrganizationOut(Schema):
    id: int
    name: str
    domains: list[str]
    industry: str
    size: Annotated[CompanySize | None, BlankIsNull]
    tier: Tier
    created_at: datetime
    member_count: int
    decision_maker_count: int
    supporter_count: int
    opponent_count: int


class CommitteeMemberOut(Schema):
    id: int = Field(description="The membership's id.")
    person: PersonRef
    title: str
    is_primary_contact: bool


class CommitteeCellOut(Schema):
    role: Annotated[CommitteeRole | None, BlankIsNull] = Field(
        description="null groups the members with no committee role."
    )
    role_label: str
    by_stance: dict[Stance, list[CommitteeMemberOut]]


class OrganizationDetailOut(OrganizationOut):
    buying_committee: list[CommitteeCellOut]

    @staticmethod
    def resolve_buying_committee(organization: Organization) -> list[queries.CommitteeCell]:
        return queries.buying_committee(organization)


class PeopleParams(Schema):
    q: str = Field("", description="Matches the name, any handle, address or display name.")
    lifecycle_stage: LifecycleStage | None = None
    identity_kind: IdentityKind | None = Field(
        None, description="Only people with an identity of this kind."
    )
    organization: RowId | None = Field(None, description="Only members of this organisation.")
    owner: RowId | None = Field(None, description="Only people this seat owns the relation with.")

    def to_filter(self) -> queries.PeopleFilter:
        return queries.PeopleFilter(
            search=self.q,
            lifecycle_stage=self.lifecycle_stage or "",
            identity_kind=self.identity_kind or "",
            organization_id=self.organization,
            owner_id=self.owner,
        )


class OrganizationParams(Schema):
    q: str = Field("", description="Matches the name or the industry.")


class IdentityFilters(FilterSchema):
    kind: IdentityKind | None = None
    person: Annotated[RowId | None, FilterLookup("person_id")] = None


class MembershipFilters(FilterSchema):
    organization: Annotated[RowId | None, FilterLookup("organization_id")] = None
    person: Annotated[RowId | None, FilterLookup("person_id")] = None


@router.get("/people", response=responses(PageOut[PersonOut]))
def list_people(
    request: HttpRequest, filters: Query[PeopleParams], page: Query[PageParams]
) -> Page[Person]:
    """People of the workspace, by name, with their identities and memberships."""
    workspace = reading(request)
    return page_of(queries.people(workspace, filters.to_filter()), queries.PEOPLE_ORDERING, page)


@router.get("/people/{int:person_id}", response=responses(PersonOut))
def get_person(request: HttpRequest, person_id: int) -> Person:
    workspace = reading(request)
    return get_scoped_or_404(queries.person_detail(workspace), workspace, person_id)


@router.get("/identities", response=responses(PageOut[IdentityOut]))
def list_identities(
    request: HttpRequest, filters: Query[IdentityFilters], page: Query[PageParams]
) -> Page[Identity]:
    """Handles, addresses and accounts, each tied to one person."""
    workspace = reading(request)
    return page_of(filters.filter(queries.identities(workspace)), IDENTITY_ORDERING, page)


@router.get("/identities/{int:identity_id}", response=responses(IdentityOut))
def get_identity(request: HttpRequest, identity_id: int) -> Identity:
    workspace = reading(request)
    return get_scoped_or_404(queries.identities(workspace), workspace, identity_id)


@router.get("/organizations", response=responses(PageOut[OrganizationOut]))
def list_organizations(
    request: HttpRequest, filters: Query[OrganizationParams], page: Query[PageParams]
) -> Page[Organization]:
    """Organisations with the size and stance of their buying committee."""
    workspace = reading(request)
    return page_of(queries.organizations(workspace, filters.q), queries.ORGANIZATION_ORDERING, page)


@router.get("/organizations/{int:organization_id}", response=responses(OrganizationDetailOut))
def get_organization(request: HttpRequest, organization_id: int) -> Organization:
    """One organisation with its buying committee, grouped by role then by stance."""
    workspace = reading(request)
    return get_scoped_or_404(queries.organizations(workspace), workspace, organization_id)


@router.get("/memberships", response=responses(PageOut[MembershipOut]))
def list_memberships(
    request: HttpRequest, filters: Query[MembershipFilters], page: Query[PageParams]
) -> Page[Membership]:
    """Who belongs to which organisation, and their part in its buying committee."""
    workspace = reading(request)
    return page_of(filters.filter(queries.memberships(workspace)), MEMBERSHIP_ORDERING, page)
