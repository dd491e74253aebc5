"""The REST router of people, identities, organisations and memberships."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Body, Field, FilterLookup, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError

from comptoir.pagination import Page
from comptoir.people import queries
from comptoir.people.merging import (
    MergeConflictError,
    MergeError,
    default_survivor,
    do_accept_suggestion,
    do_merge_people,
    do_reject_suggestion,
    do_unmerge,
)
from comptoir.people.models import (
    CommitteeRole,
    CompanySize,
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
    Tier,
)
from comptoir.rest import (
    BlankIsNull,
    ErrorOut,
    PageOut,
    PageParams,
    RowId,
    caller,
    page_of,
    reading,
    responses,
    workspace_for,
)
from comptoir.workspaces.api import SeatRef
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability

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


# ---------- merges: suggestions to review, merges and their undo ----------

MERGE_ORDERING = queries.MERGE_ORDERING


class SignalOut(Schema):
    signal: str = Field(description="display_name, avatar, email_domain or same_thread.")
    detail: str = Field(description="What matched: the two names, the URL, the domain, the thread.")
    weight: float
    conversation_id: int | None = Field(None, description="The shared thread, for same_thread.")


class MergeSuggestionOut(Schema):
    """Two people who may be one human; ``person`` is the older record (the smaller id)."""

    id: int
    person: PersonRef
    other: PersonRef
    default_survivor_id: int = Field(
        description="Who stays if the suggestion is accepted without a survivor_id: the "
        "person first seen the earliest."
    )
    score: float = Field(description="The sum of the signals' weights, at most 1.")
    reasons: list[SignalOut]
    status: SuggestionStatus
    decided_by: SeatRef | None
    decided_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_default_survivor_id(suggestion: MergeSuggestion) -> int:
        return default_survivor(suggestion).pk


class FactChangeOut(Schema):
    before: Any
    after: Any


class MergeMovesOut(Schema):
    identities: list[int] = Field(description="Identities moved to the survivor.")
    memberships: list[int] = Field(description="Memberships moved to the survivor.")
    set_aside_memberships: list[int] = Field(
        description="Memberships deleted because the survivor already belonged to the "
        "organisation; an undo recreates them."
    )
    related: dict[str, list[int]] = Field(
        description="Rows of other apps that followed the person, by model (inbox.conversation)."
    )
    survivor_changes: dict[str, FactChangeOut] = Field(
        description="The survivor's facts the merge changed."
    )


class PersonMergeOut(Schema):
    """A merge of ``merged`` into ``survivor``; undone when ``undone_at`` is set."""

    id: int
    survivor: PersonRef
    merged: PersonRef
    reason: str
    automatic: bool
    actor: SeatRef | None
    created_at: datetime
    undone_at: datetime | None
    undone_by: SeatRef | None
    moves: MergeMovesOut

    @staticmethod
    def resolve_moves(merge: PersonMerge) -> dict[str, Any]:
        snapshot = merge.snapshot
        return {
            "identities": snapshot["identities"],
            "memberships": snapshot["memberships"],
            "set_aside_memberships": [row["id"] for row in snapshot["set_aside_memberships"]],
            "related": {rows["model"]: rows["ids"] for rows in snapshot["following"]},
            "survivor_changes": snapshot["survivor_fields"],
        }


class SuggestionParams(Schema):
    status: SuggestionStatus | None = Field(
        None,
        description="pending lists only the suggestions still to decide (neither person "
        "merged since).",
    )


class MergeParams(Schema):
    person: RowId | None = Field(None, description="Only merges this person took part in.")


class AcceptIn(Schema):
    survivor_id: RowId | None = Field(
        None, description="Which of the two people stays; default_survivor_id if left out."
    )


class MergeIn(Schema):
    other_id: RowId = Field(description="The person merged into this one.")
    reason: str = Field(min_length=1, max_length=300)


class UndoIn(Schema):
    reason: str = Field("", max_length=300)


# A merge action answers 409 when its people, merge or suggestion are no longer in a state
# it applies to (already merged, decided or undone; a later merge in the way).
MERGE_ACTION_RESPONSES = {409: ErrorOut}


def _carried_out(action: Callable[[], Any]) -> Status[Any]:
    """Run a merge action: 200 with its result, 409 on a conflict of state, and 400 for a
    request the rules refuse (merging someone with themselves…), each saying why."""
    try:
        result = action()
    except MergeConflictError as exc:
        return Status(409, {"error": {"code": "conflict", "message": str(exc), "details": None}})
    except MergeError as exc:
        raise HttpError(400, str(exc)) from exc
    return Status(200, result)


@router.get("/merge-suggestions", response=responses(PageOut[MergeSuggestionOut]))
def list_merge_suggestions(
    request: HttpRequest, filters: Query[SuggestionParams], page: Query[PageParams]
) -> Page[MergeSuggestion]:
    """Pairs of people who may be one human, best first."""
    workspace = reading(request)
    return page_of(
        queries.merge_suggestions(workspace, filters.status or ""),
        queries.SUGGESTION_ORDERING,
        page,
    )


@router.post(
    "/merge-suggestions/{int:suggestion_id}/accept",
    response={**responses(PersonMergeOut), **MERGE_ACTION_RESPONSES},
)
def accept_merge_suggestion(
    request: HttpRequest, suggestion_id: int, payload: Body[AcceptIn | None] = None
) -> Status[Any]:
    """Merge the two people; ``default_survivor_id`` stays unless ``survivor_id`` says otherwise."""
    workspace = workspace_for(request, Capability.MANAGE_PEOPLE)
    suggestion = get_scoped_or_404(queries.merge_suggestions(workspace), workspace, suggestion_id)
    survivor_id = payload.survivor_id if payload else None
    return _carried_out(
        lambda: do_accept_suggestion(suggestion, actor=caller(request), survivor_id=survivor_id)
    )


@router.post(
    "/merge-suggestions/{int:suggestion_id}/reject",
    response={**responses(MergeSuggestionOut), **MERGE_ACTION_RESPONSES},
)
def reject_merge_suggestion(request: HttpRequest, suggestion_id: int) -> Status[Any]:
    """Two different people: the pair is never suggested again."""
    workspace = workspace_for(request, Capability.MANAGE_PEOPLE)
    suggestion = get_scoped_or_404(queries.merge_suggestions(workspace), workspace, suggestion_id)
    return _carried_out(lambda: do_reject_suggestion(suggestion, actor=caller(request)))


@router.post(
    "/people/{int:person_id}/merge",
    response={**responses(PersonMergeOut), **MERGE_ACTION_RESPONSES},
)
def merge_person(request: HttpRequest, person_id: int, payload: MergeIn) -> Status[Any]:
    """Merge ``other_id`` into this person, who stays; returns the merge record."""
    workspace = workspace_for(request, Capability.MANAGE_PEOPLE)
    survivor = get_scoped_or_404(queries.person_detail(workspace), workspace, person_id)
    merged = get_scoped_or_404(queries.person_detail(workspace), workspace, payload.other_id)
    return _carried_out(
        lambda: do_merge_people(survivor, merged, reason=payload.reason, actor=caller(request))
    )


@router.get("/merges", response=responses(PageOut[PersonMergeOut]))
def list_merges(
    request: HttpRequest, filters: Query[MergeParams], page: Query[PageParams]
) -> Page[PersonMerge]:
    """Merges of the workspace, newest first, undone ones included."""
    workspace = reading(request)
    return page_of(queries.person_merges(workspace, filters.person), MERGE_ORDERING, page)


@router.get("/merges/{int:merge_id}", response=responses(PersonMergeOut))
def get_merge(request: HttpRequest, merge_id: int) -> PersonMerge:
    workspace = reading(request)
    return get_scoped_or_404(queries.person_merges(workspace), workspace, merge_id)


@router.post(
    "/merges/{int:merge_id}/undo",
    response={**responses(PersonMergeOut), **MERGE_ACTION_RESPONSES},
)
def undo_merge(
    request: HttpRequest, merge_id: int, payload: Body[UndoIn | None] = None
) -> Status[Any]:
    """Put back exactly what the merge moved. Merges are undone newest first."""
    workspace = workspace_for(request, Capability.MANAGE_PEOPLE)
    merge = get_scoped_or_404(queries.person_merges(workspace), workspace, merge_id)

    def undo() -> PersonMerge:
        do_unmerge(merge, actor=caller(request), reason=payload.reason if payload else "")
        return get_scoped_or_404(queries.person_merges(workspace), workspace, merge_id)

    return _carried_out(undo)
