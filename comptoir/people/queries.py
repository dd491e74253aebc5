"""Reads about people and organisations shared by the web UI and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from comptoir.people.models import (
    CommitteeRole,
    Identity,
    Membership,
    MergeSuggestion,
    Organization,
    Person,
    PersonMerge,
    Stance,
    SuggestionStatus,
)
from comptoir.workspaces.models import Workspace

PEOPLE_ORDERING = ("display_name", "id")
ORGANIZATION_ORDERING = ("name", "id")


@dataclass(frozen=True)
class PeopleFilter:
    search: str = ""
    lifecycle_stage: str = ""
    identity_kind: str = ""
    organization_id: int | None = None
    owner_id: int | None = None


def people(workspace: Workspace, flt: PeopleFilter | None = None) -> QuerySet[Person]:
    """People of the workspace, filtered, with what a list row shows prefetched.

    The search matches the display name, any identity's handle, display name or external id
    (which is the address for email identities), so "dupont@", "@marie" and "Marie" all work.
    """
    flt = flt or PeopleFilter()
    qs = Person.objects.filter(workspace=workspace, merged_into__isnull=True)
    if flt.search:
        term = flt.search.strip()
        handle_term = term.lstrip("@")
        matching_identity = Identity.objects.filter(person=OuterRef("pk")).filter(
            Q(handle__icontains=handle_term)
            | Q(external_id__icontains=term)
            | Q(display_name__icontains=term)
        )
        qs = qs.filter(Q(display_name__icontains=term) | Exists(matching_identity))
    if flt.lifecycle_stage:
        qs = qs.filter(lifecycle_stage=flt.lifecycle_stage)
    if flt.identity_kind:
        qs = qs.filter(
            Exists(Identity.objects.filter(person=OuterRef("pk"), kind=flt.identity_kind))
        )
    if flt.organization_id is not None:
        qs = qs.filter(
            Exists(
                Membership.objects.filter(
                    person=OuterRef("pk"), organization_id=flt.organization_id
                )
            )
        )
    if flt.owner_id is not None:
        qs = qs.filter(relationship_owner_id=flt.owner_id)
    return qs.select_related("relationship_owner").prefetch_related(
        Prefetch("identities", queryset=Identity.objects.order_by("kind", "handle")),
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organization").order_by(
                "organization__name"
            ),
        ),
    )


def person_detail(workspace: Workspace) -> QuerySet[Person]:
    """The queryset to fetch one person for its page (use with get_scoped_or_404).

    Merged people are included: their page says into whom they were merged."""
    return (
        Person.objects.filter(workspace=workspace)
        .select_related("relationship_owner", "merged_into")
        .prefetch_related(
            Prefetch("identities", queryset=Identity.objects.order_by("kind", "handle")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("organization").order_by(
                    "organization__name"
                ),
            ),
        )
    )


def identities(workspace: Workspace) -> QuerySet[Identity]:
    return Identity.objects.filter(workspace=workspace).select_related("person")


def organizations(workspace: Workspace, search: str = "") -> QuerySet[Organization]:
    qs = Organization.objects.filter(workspace=workspace).annotate(
        member_count=Count("memberships", distinct=True),
        decision_maker_count=Count(
            "memberships",
            filter=Q(memberships__committee_role=CommitteeRole.DECISION_MAKER),
            distinct=True,
        ),
        supporter_count=Count(
            "memberships", filter=Q(memberships__stance=Stance.SUPPORTER), distinct=True
        ),
        opponent_count=Count(
            "memberships", filter=Q(memberships__stance=Stance.OPPONENT), distinct=True
        ),
    )
    if search:
        qs = qs.filter(Q(name__icontains=search.strip()) | Q(industry__icontains=search.strip()))
    return qs


def memberships(workspace: Workspace) -> QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("person", "organization")


@dataclass(frozen=True)
class CommitteeCell:
    role: str
    role_label: str
    by_stance: dict[str, list[Membership]]


def buying_committee(organization: Organization) -> list[CommitteeCell]:
    """The organisation's people grouped by committee role, then by stance (one query).

    Roles come in the committee's usual order; members with no role come last.
    """
    rows = list(
        Membership.objects.filter(organization=organization)
        .select_related("person")
        .order_by("person__display_name")
    )
    roles: list[tuple[str, str]] = [(str(v), str(lbl)) for v, lbl in CommitteeRole.choices]
    roles.append(("", str(_no_role_label())))
    cells: list[CommitteeCell] = []
    for role, label in roles:
        members = [m for m in rows if m.committee_role == role]
        if not members and role == "":
            continue
        by_stance: dict[str, list[Membership]] = {str(s): [] for s in Stance.values}
        for member in members:
            by_stance[member.stance].append(member)
        cells.append(CommitteeCell(role=role, role_label=label, by_stance=by_stance))
    return cells


def _no_role_label() -> str:
    from django.utils.translation import gettext

    return gettext("No committee role")


SUGGESTION_ORDERING = ("-score", "-id")
MERGE_ORDERING = ("-created_at", "-id")


def merge_suggestions(workspace: Workspace, status: str = "") -> QuerySet[MergeSuggestion]:
    """Merge suggestions of the workspace, best first, optionally of one status.

    Pending means still to decide: a pending suggestion about someone merged since (with a
    third person) is left out, and comes back if that merge is undone.
    """
    qs = MergeSuggestion.objects.filter(workspace=workspace)
    if status:
        qs = qs.filter(status=status)
    if status == SuggestionStatus.PENDING:
        qs = qs.filter(person__merged_into__isnull=True, other__merged_into__isnull=True)
    return qs.select_related("person", "other", "decided_by")


def merge_queue(workspace: Workspace) -> QuerySet[MergeSuggestion]:
    """The review queue: pending suggestions with what the page shows of both people."""
    identities = Identity.objects.order_by("kind", "handle")
    memberships = Membership.objects.select_related("organization").order_by("organization__name")
    return merge_suggestions(workspace, SuggestionStatus.PENDING).prefetch_related(
        Prefetch("person__identities", queryset=identities),
        Prefetch("person__memberships", queryset=memberships),
        Prefetch("other__identities", queryset=identities),
        Prefetch("other__memberships", queryset=memberships),
    )


def pending_suggestion_count(workspace: Workspace) -> int:
    return merge_suggestions(workspace, SuggestionStatus.PENDING).count()


def pending_suggestions_of(person: Person) -> QuerySet[MergeSuggestion]:
    """The pending suggestions that name this person, either way round."""
    return merge_queue(person.workspace).filter(Q(person=person) | Q(other=person))


def person_merges(workspace: Workspace, person_id: int | None = None) -> QuerySet[PersonMerge]:
    """Merges of the workspace, newest first; with ``person_id``, those it took part in."""
    qs = PersonMerge.objects.filter(workspace=workspace)
    if person_id is not None:
        qs = qs.filter(Q(survivor_id=person_id) | Q(merged_id=person_id))
    return qs.select_related("survivor", "merged", "actor", "undone_by")


def merge_candidates(workspace: Workspace, person: Person, search: str) -> QuerySet[Person]:
    """People this person could be merged with, matching a search like the people list's."""
    return people(workspace, PeopleFilter(search=search)).exclude(pk=person.pk)
