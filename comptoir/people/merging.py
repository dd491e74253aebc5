"""Merging two people into one, and undoing it exactly.

A merge moves everything the merged person holds to the survivor: identities,
memberships, and the rows of other apps that point at the person (conversations, and
with them their messages). The merged person stays, empty, with ``merged_into`` set, so
that old links still land somewhere and the merge can be undone.

What the survivor keeps: its own values always win; a blank preferred language or
relationship owner is filled from the merged person; ``first_seen_at`` becomes the
earlier of the two, ``last_inbound_at`` and ``last_outbound_at`` the later; the
lifecycle stage becomes the more advanced one, in ``STAGE_ORDER``.

A membership of the merged person in an organisation where the survivor already has
one is set aside: deleted, and kept whole in the merge record so that an undo brings
it back with every field as it was.

Undo restores exactly what the merge changed, by the ids the merge record holds:
rows that reached the survivor after the merge stay with it, and a survivor fact that
was changed again since keeps its newer value. Merges are undone in reverse order: a
merge cannot be undone while a later merge involving either of its two people is in
effect (undo that one first), because the later merge may have moved, set aside or
changed the very rows and facts this one would restore.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone
from django.utils.translation import gettext

from comptoir.people.models import (
    Identity,
    LifecycleStage,
    Membership,
    MergeSuggestion,
    Organization,
    Person,
    PersonMerge,
    SuggestionStatus,
)
from comptoir.people.resolution import SIGNAL_LABELS
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat

# From the least to the most involved relationship; a merge keeps the later one. A former
# customer has bought from us, so is further along than a prospect, but a current customer
# (or an advocate) says more about today.
STAGE_ORDER: tuple[str, ...] = (
    LifecycleStage.STRANGER,
    LifecycleStage.FOLLOWER,
    LifecycleStage.PROSPECT,
    LifecycleStage.FORMER_CUSTOMER,
    LifecycleStage.CUSTOMER,
    LifecycleStage.ADVOCATE,
)

REASON_MAX_LENGTH = PersonMerge._meta.get_field("reason").max_length or 300


class MergeError(ValueError):
    """A merge, an undo or a decision that cannot be made; the message says why."""


class MergeConflictError(MergeError):
    """The people, the merge or the suggestion are no longer in a state this applies to
    (already merged, undone or decided; a later merge in the way)."""


@dataclass(frozen=True)
class FollowingRows:
    """Rows of another app that point at the merged person and follow it to the survivor."""

    label: str  # "inbox.conversation"
    field: str  # the foreign key's name on that model, "person"
    verbose_name_plural: str
    ids: list[int]


@dataclass(frozen=True)
class MergePlan:
    """What a merge of ``merged`` into ``survivor`` would move and change, before it runs."""

    survivor: Person
    merged: Person
    identities: list[Identity]
    memberships_moved: list[Membership]
    memberships_set_aside: list[Membership]
    following: list[FollowingRows]
    # attname -> (the survivor's value now, its value after the merge)
    survivor_changes: dict[str, tuple[Any, Any]]

    @property
    def stage_change(self) -> tuple[str, str] | None:
        change = self.survivor_changes.get("lifecycle_stage")
        if change is None:
            return None
        return str(LifecycleStage(change[0]).label), str(LifecycleStage(change[1]).label)


def following_relations() -> list[ForeignObjectRel]:
    """The foreign keys onto Person from the apps above people (today: conversations).

    Those apps import people, never the reverse, so the people app finds their rows through
    Person's reverse relations instead of importing their models: whatever an app above
    ties to a person follows the person into a merge, and back out on undo.
    """
    return [
        relation
        for relation in Person._meta.related_objects
        if relation.one_to_many and _model_of(relation)._meta.app_label != Person._meta.app_label
    ]


def check_mergeable(survivor: Person, merged: Person) -> None:
    """Raise MergeError when these two people cannot be merged, as they are now."""
    if survivor.pk == merged.pk:
        raise MergeError(gettext("A person cannot be merged with themselves."))
    if survivor.workspace_id != merged.workspace_id:
        raise MergeError(gettext("Only people of the same workspace can be merged."))
    for person in (survivor, merged):
        if person.merged_into_id is not None:
            raise MergeConflictError(
                gettext("%(name)s was already merged into someone else.")
                % {"name": person.display_name}
            )


def plan_merge(survivor: Person, merged: Person) -> MergePlan:
    """What the merge would do; the confirm page shows it and the action carries it out."""
    check_mergeable(survivor, merged)
    identities = list(Identity.objects.filter(person=merged).order_by("kind", "handle", "id"))
    taken = set(
        Membership.objects.filter(person=survivor).values_list("organization_id", flat=True)
    )
    moved: list[Membership] = []
    set_aside: list[Membership] = []
    for membership in (
        Membership.objects.filter(person=merged)
        .select_related("organization")
        .order_by("organization__name", "id")
    ):
        (set_aside if membership.organization_id in taken else moved).append(membership)
    following = []
    for relation in following_relations():
        model = _model_of(relation)
        ids = sorted(
            model._default_manager.filter(**{relation.field.name: merged}).values_list(
                "pk", flat=True
            )
        )
        following.append(
            FollowingRows(
                label=model._meta.label_lower,
                field=relation.field.name,
                verbose_name_plural=str(model._meta.verbose_name_plural),
                ids=ids,
            )
        )
    return MergePlan(
        survivor=survivor,
        merged=merged,
        identities=identities,
        memberships_moved=moved,
        memberships_set_aside=set_aside,
        following=following,
        survivor_changes=_survivor_changes(survivor, merged),
    )


def _survivor_changes(survivor: Person, merged: Person) -> dict[str, tuple[Any, Any]]:
    after: dict[str, Any] = {}
    if not survivor.preferred_language and merged.preferred_language:
        after["preferred_language"] = merged.preferred_language
    if survivor.relationship_owner_id is None and merged.relationship_owner_id is not None:
        after["relationship_owner_id"] = merged.relationship_owner_id
    after["first_seen_at"] = min(survivor.first_seen_at, merged.first_seen_at)
    for name in ("last_inbound_at", "last_outbound_at"):
        known = [t for t in (getattr(survivor, name), getattr(merged, name)) if t is not None]
        after[name] = max(known) if known else None
    after["lifecycle_stage"] = max(
        survivor.lifecycle_stage, merged.lifecycle_stage, key=_stage_rank
    )
    return {
        name: (getattr(survivor, name), value)
        for name, value in after.items()
        if getattr(survivor, name) != value
    }


def _stage_rank(stage: str) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else -1


@dataclass(frozen=True)
class FactChange:
    """One fact of the survivor a merge changes, in words a person reads."""

    label: str
    before: Any
    after: Any


def describe_changes(changes: Mapping[str, tuple[Any, Any]]) -> list[FactChange]:
    """The survivor's changed facts with their labels, stage names and seat names."""
    seat_ids = {
        value
        for name, pair in changes.items()
        if name == "relationship_owner_id"
        for value in pair
        if value is not None
    }
    seats = Seat.objects.in_bulk(seat_ids) if seat_ids else {}

    def shown(name: str, value: Any) -> Any:
        if value in (None, ""):
            return None
        if name == "relationship_owner_id":
            seat = seats.get(value)
            return seat.display_name if seat else None
        if name == "lifecycle_stage":
            return LifecycleStage(value).label
        return value

    return [
        FactChange(
            label=_person_field_label(name),
            before=shown(name, before),
            after=shown(name, after),
        )
        for name, (before, after) in changes.items()
    ]


def _person_field_label(attname: str) -> str:
    field = next(f for f in Person._meta.concrete_fields if f.attname == attname)
    return str(field.verbose_name)


@dataclass(frozen=True)
class MergeRecord:
    """What a merge moved and changed, read back from its snapshot for its page and API."""

    merge: PersonMerge
    identities: list[Identity]
    memberships: list[Membership]
    set_aside: list[Membership]  # unsaved copies, as they were when set aside
    following: list[FollowingRows]
    changes: list[FactChange]


def merge_record(merge: PersonMerge) -> MergeRecord:
    snapshot = merge.snapshot
    copies = [
        Membership(**{name: _field_value(Membership, name, value) for name, value in c.items()})
        for c in snapshot["set_aside_memberships"]
    ]
    organizations = Organization.objects.in_bulk({c.organization_id for c in copies})
    for copy in copies:
        if copy.organization_id in organizations:
            copy.organization = organizations[copy.organization_id]
    return MergeRecord(
        merge=merge,
        identities=list(
            Identity.objects.filter(pk__in=snapshot["identities"]).order_by("kind", "handle", "id")
        ),
        memberships=list(
            Membership.objects.filter(pk__in=snapshot["memberships"])
            .select_related("organization")
            .order_by("organization__name", "id")
        ),
        set_aside=copies,
        following=[
            FollowingRows(
                label=rows["model"],
                field=rows["field"],
                verbose_name_plural=str(_model_of_label(rows["model"])._meta.verbose_name_plural),
                ids=rows["ids"],
            )
            for rows in snapshot["following"]
        ],
        changes=describe_changes(
            {
                name: (_python_value(name, change["before"]), _python_value(name, change["after"]))
                for name, change in snapshot["survivor_fields"].items()
            }
        ),
    )


@transaction.atomic
def do_merge_people(
    survivor: Person,
    merged: Person,
    *,
    reason: str,
    actor: Seat | None = None,
    automatic: bool = False,
) -> PersonMerge:
    """Merge ``merged`` into ``survivor`` in one transaction and record how to undo it."""
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    if not reason:
        raise MergeError(gettext("Say why these two people are one."))
    if survivor.pk == merged.pk:
        raise MergeError(gettext("A person cannot be merged with themselves."))
    # The rows as they are now, locked until the merge commits (PostgreSQL; SQLite
    # serialises writers anyway): a concurrent merge of either person waits, then fails.
    locked = Person.objects.select_for_update().in_bulk([survivor.pk, merged.pk])
    if len(locked) != 2:
        raise MergeConflictError(gettext("One of these people no longer exists."))
    fresh_survivor, fresh_merged = locked[survivor.pk], locked[merged.pk]
    plan = plan_merge(fresh_survivor, fresh_merged)

    identity_ids = [identity.pk for identity in plan.identities]
    Identity.objects.filter(pk__in=identity_ids).update(person=fresh_survivor)
    for rows in plan.following:
        model = _model_of_label(rows.label)
        model._default_manager.filter(pk__in=rows.ids).update(**{rows.field: fresh_survivor})
    moved_ids = [membership.pk for membership in plan.memberships_moved]
    Membership.objects.filter(pk__in=moved_ids).update(person=fresh_survivor)
    set_aside = [_row_copy(membership) for membership in plan.memberships_set_aside]
    Membership.objects.filter(pk__in=[m.pk for m in plan.memberships_set_aside]).delete()
    if plan.survivor_changes:
        Person.objects.filter(pk=fresh_survivor.pk).update(
            updated_at=timezone.now(),
            **{name: after for name, (_, after) in plan.survivor_changes.items()},
        )
    Person.objects.filter(pk=fresh_merged.pk).update(
        merged_into=fresh_survivor, updated_at=timezone.now()
    )
    now = timezone.now()
    between = MergeSuggestion.objects.filter(
        Q(person=fresh_survivor, other=fresh_merged) | Q(person=fresh_merged, other=fresh_survivor),
        status=SuggestionStatus.PENDING,
    )
    suggestion_ids = list(between.values_list("pk", flat=True))
    MergeSuggestion.objects.filter(pk__in=suggestion_ids).update(
        status=SuggestionStatus.ACCEPTED, decided_by=actor, decided_at=now
    )

    merge = PersonMerge.objects.create(
        workspace_id=fresh_survivor.workspace_id,
        survivor=fresh_survivor,
        merged=fresh_merged,
        reason=reason,
        automatic=automatic,
        actor=actor,
        snapshot={
            "identities": identity_ids,
            "memberships": moved_ids,
            "set_aside_memberships": set_aside,
            "following": [
                {"model": rows.label, "field": rows.field, "ids": rows.ids}
                for rows in plan.following
            ],
            "survivor_fields": {
                name: {"before": _json_value(before), "after": _json_value(after)}
                for name, (before, after) in plan.survivor_changes.items()
            },
            "suggestions": suggestion_ids,
        },
    )
    payload = {
        "merge": merge.pk,
        "survivor": fresh_survivor.pk,
        "merged": fresh_merged.pk,
        "reason": reason,
        "automatic": automatic,
    }
    for subject in (fresh_survivor, fresh_merged):
        record_event(
            merge.workspace_id, "person.merged", "person", subject.pk, actor=actor, payload=payload
        )
    survivor.refresh_from_db()
    merged.refresh_from_db()
    return merge


def undo_blocker(merge: PersonMerge) -> PersonMerge | None:
    """The later merge, still in effect, that must be undone before this one, if any."""
    pair = [merge.survivor_id, merge.merged_id]
    return (
        PersonMerge.objects.filter(
            workspace_id=merge.workspace_id, pk__gt=merge.pk, undone_at__isnull=True
        )
        .filter(Q(survivor_id__in=pair) | Q(merged_id__in=pair))
        .select_related("survivor", "merged")
        .order_by("pk")
        .first()
    )


@transaction.atomic
def do_unmerge(merge: PersonMerge, *, actor: Seat | None = None, reason: str = "") -> None:
    """Put back what ``merge`` moved and changed, as it was before the merge."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeConflictError(gettext("This merge was already undone."))
    blocker = undo_blocker(merge)
    if blocker is not None:
        raise MergeConflictError(
            gettext(
                "A later merge (%(merged)s into %(survivor)s) involves these people: "
                "undo it first, merges are undone in reverse order."
            )
            % {"merged": blocker.merged.display_name, "survivor": blocker.survivor.display_name}
        )
    survivor_id, merged_id = merge.survivor_id, merge.merged_id
    snapshot = merge.snapshot

    Identity.objects.filter(pk__in=snapshot["identities"], person_id=survivor_id).update(
        person_id=merged_id
    )
    for rows in snapshot["following"]:
        model = _model_of_label(rows["model"])
        model._default_manager.filter(pk__in=rows["ids"], **{rows["field"]: survivor_id}).update(
            **{rows["field"]: merged_id}
        )
    Membership.objects.filter(pk__in=snapshot["memberships"], person_id=survivor_id).update(
        person_id=merged_id
    )
    _restore_memberships(snapshot["set_aside_memberships"])
    survivor = Person.objects.select_for_update().get(pk=survivor_id)
    restored = {
        name: _python_value(name, change["before"])
        for name, change in snapshot["survivor_fields"].items()
        # A fact changed again since the merge keeps its newer value.
        if getattr(survivor, name) == _python_value(name, change["after"])
    }
    if restored:
        Person.objects.filter(pk=survivor_id).update(updated_at=timezone.now(), **restored)
    Person.objects.filter(pk=merged_id).update(merged_into=None, updated_at=timezone.now())
    MergeSuggestion.objects.filter(
        pk__in=snapshot["suggestions"], status=SuggestionStatus.ACCEPTED
    ).update(status=SuggestionStatus.PENDING, decided_by=None, decided_at=None)

    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    reason = " ".join(reason.split())[:REASON_MAX_LENGTH]
    payload = {"merge": merge.pk, "survivor": survivor_id, "merged": merged_id, "reason": reason}
    for subject_id in (survivor_id, merged_id):
        record_event(
            merge.workspace_id,
            "person.unmerged",
            "person",
            subject_id,
            actor=actor,
            payload=payload,
        )


def default_survivor(suggestion: MergeSuggestion) -> Person:
    """The person a suggestion keeps unless told otherwise: the one first seen the earliest,
    the older record (the smaller id, named first) on a tie. The review page checks the
    same one (``_suggestion.html``)."""
    person, other = suggestion.person, suggestion.other
    return other if other.first_seen_at < person.first_seen_at else person


@transaction.atomic
def do_accept_suggestion(
    suggestion: MergeSuggestion, *, actor: Seat | None = None, survivor_id: int | None = None
) -> PersonMerge:
    """Merge the two people of a pending suggestion; by default the one known the longest
    survives (see ``default_survivor``)."""
    suggestion = (
        MergeSuggestion.objects.select_for_update()
        .select_related("person", "other")
        .get(pk=suggestion.pk)
    )
    if suggestion.status != SuggestionStatus.PENDING:
        raise MergeConflictError(gettext("This suggestion was already decided."))
    survivor_id = survivor_id or default_survivor(suggestion).pk
    if survivor_id not in (suggestion.person_id, suggestion.other_id):
        raise MergeError(gettext("The person kept must be one of the two suggested."))
    survivor, merged = (
        (suggestion.person, suggestion.other)
        if survivor_id == suggestion.person_id
        else (suggestion.other, suggestion.person)
    )
    signals = ", ".join(
        str(SIGNAL_LABELS.get(reason.get("signal", ""), reason.get("signal", ""))).lower()
        for reason in suggestion.reasons
    )
    reason = gettext("Suggestion #%(id)s accepted: %(signals)s") % {
        "id": suggestion.pk,
        "signals": signals,
    }
    return do_merge_people(survivor, merged, reason=reason, actor=actor)


@transaction.atomic
def do_reject_suggestion(
    suggestion: MergeSuggestion, *, actor: Seat | None = None
) -> MergeSuggestion:
    """Two different people: the pair is never suggested again."""
    suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != SuggestionStatus.PENDING:
        raise MergeConflictError(gettext("This suggestion was already decided."))
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        suggestion.workspace_id,
        "merge_suggestion.rejected",
        "merge_suggestion",
        suggestion.pk,
        actor=actor,
        payload={"person": suggestion.person_id, "other": suggestion.other_id},
    )
    return suggestion


def _restore_memberships(copies: list[dict[str, Any]]) -> None:
    if not copies:
        return
    rows = [
        Membership(**{name: _field_value(Membership, name, value) for name, value in c.items()})
        for c in copies
    ]
    # Every set-aside membership was the merged person's, one per organisation.
    taken = Membership.objects.filter(
        person_id=rows[0].person_id, organization_id__in=[row.organization_id for row in rows]
    )
    if taken.exists():
        raise MergeConflictError(
            gettext("A membership set aside by this merge has been recreated since.")
        )
    created_at = {row.pk: row.created_at for row in rows}
    Membership.objects.bulk_create(rows)
    # bulk_create stamps auto_now_add fields with the current time; bulk_update does not.
    for row in rows:
        row.created_at = created_at[row.pk]
    Membership.objects.bulk_update(rows, ["created_at"])


def _row_copy(row: models.Model) -> dict[str, Any]:
    """Every column of a row, JSON-safe, to recreate it as it was."""
    return {
        field.attname: _json_value(field.value_from_object(row))
        for field in row._meta.concrete_fields
    }


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _field_value(model: type[models.Model], attname: str, value: Any) -> Any:
    if value is None:
        return None
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    return field.to_python(value)


def _python_value(attname: str, value: Any) -> Any:
    return _field_value(Person, attname, value)


def _model_of(relation: ForeignObjectRel) -> type[models.Model]:
    model = relation.related_model
    if model is None or isinstance(model, str):  # pragma: no cover - resolved at app load
        raise TypeError(f"unresolved relation {relation}")
    return model


def _model_of_label(label: str) -> type[models.Model]:
    # By name, from the app registry: the model belongs to an app above people.
    return apps.get_model(label)
