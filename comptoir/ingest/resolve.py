"""Identity resolution for one batch: every author becomes an Identity of a Person.

Deterministic keys decide, in bulk (a handful of queries per batch, whatever its size):

* the same platform id (kind + external id) is the same identity;
* a new identity joins the person who already owns one of its keys: the same normalised
  email, the same phone number in E.164, a profile URL that another identity's profile
  declares, or a URL it declares that is another identity's profile;
* new authors of one batch that share a key become one new person.

When the keys of a batch link two people who already exist separately, nothing is merged
here: the new identities join the oldest of them and a merge suggestion with the keys as
its reasons goes to review. Merging two existing histories is the one resolution mistake
that hurts customers, so a person confirms it (``do_merge_people``), and can undo it.
Weak signals (similar names, shared domains, avatars) are scored after commit by
``comptoir.people.resolution`` and only ever suggest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from comptoir import bulk
from comptoir.channels.events import Author, InboundEvent
from comptoir.people.keys import declared_keys, normalize_email, normalize_phone, normalize_url
from comptoir.people.models import (
    Identity,
    IdentityKind,
    LifecycleStage,
    MergeSuggestion,
    Person,
    ProfileLink,
)
from comptoir.workspaces.models import Workspace

AuthorKey = tuple[str, str]  # (identity kind, normalised external id)


def author_key(author: Author) -> AuthorKey:
    kind = str(author.kind)
    external = author.external_id.strip()
    if kind == IdentityKind.EMAIL:
        external = normalize_email(external) or external.lower()
    elif kind == IdentityKind.PHONE:
        external = normalize_phone(external) or external
    return kind, external


@dataclass
class _Author:
    """Everything a batch says about one author, merged across its events."""

    key: AuthorKey
    author: Author
    first_seen: datetime
    language: str
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    declared_urls: set[str] = field(default_factory=set)
    profile_url: str = ""


@dataclass
class Resolution:
    identity_of: dict[AuthorKey, Identity]
    new_people: list[Person]
    new_identities: list[Identity]
    new_links: list[ProfileLink]
    suggestions: list[MergeSuggestion]
    changed_identities: list[Identity]


def _collect(events: Sequence[InboundEvent], languages: Sequence[str]) -> dict[AuthorKey, _Author]:
    authors: dict[AuthorKey, _Author] = {}
    for event, language in zip(events, languages, strict=True):
        if event.author is None:
            continue
        key = author_key(event.author)
        seen = authors.get(key)
        if seen is None:
            seen = authors[key] = _Author(key, event.author, event.created_at, language)
        elif event.created_at < seen.first_seen:
            seen.first_seen = event.created_at
        author = event.author
        for email in (author.email, author.external_id if key[0] == IdentityKind.EMAIL else ""):
            if normalize_email(email):
                seen.emails.add(normalize_email(email))
        if author.phone and normalize_phone(author.phone):
            seen.phones.add(normalize_phone(author.phone))
        emails, urls = declared_keys(author.declared)
        seen.emails.update(emails)
        seen.declared_urls.update(urls)
        if author.profile_url and not seen.profile_url:
            seen.profile_url = normalize_url(author.profile_url)
    return authors


def resolve(
    workspace: Workspace, events: Sequence[InboundEvent], languages: Sequence[str]
) -> Resolution:
    """Find or prepare (unsaved) the identity and person of every inbound author."""
    authors = _collect(events, languages)
    existing = _existing_identities(workspace, authors)
    emails = sorted({e for a in authors.values() for e in a.emails})
    phones = sorted({p for a in authors.values() for p in a.phones})
    declared = sorted({u for a in authors.values() for u in a.declared_urls})
    profiles = sorted({a.profile_url for a in authors.values() if a.profile_url})

    owners_by_key: dict[str, set[int]] = defaultdict(set)
    key_identities: set[tuple[str, str]] = set()
    for kind, lookups in ((IdentityKind.EMAIL, emails), (IdentityKind.PHONE, phones)):
        if not lookups:
            continue
        for external_id, person_id in Identity.objects.filter(
            workspace=workspace, kind=kind, external_id__in=bulk.one_of(lookups)
        ).values_list("external_id", "person_id"):
            owners_by_key[f"{kind}:{external_id}"].add(person_id)
            key_identities.add((str(kind), external_id))
    if declared:
        for url, person_id in Identity.objects.filter(
            workspace=workspace, profile_url__in=bulk.one_of(declared)
        ).values_list("profile_url", "person_id"):
            owners_by_key[f"url:{url}"].add(person_id)
    if profiles:
        for url, person_id in ProfileLink.objects.filter(
            workspace=workspace, url__in=bulk.one_of(profiles)
        ).values_list("url", "identity__person_id"):
            owners_by_key[f"declared:{url}"].add(person_id)

    # Group the batch's authors: two authors sharing a key are one human. Each group's
    # owners are the existing people its identities or keys already belong to.
    members = list(authors.values())
    parent = list(range(len(members)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with_key: dict[str, int] = {}
    owners: list[set[int]] = []
    for index, author in enumerate(members):
        known = existing.get(author.key)
        found = {known.person_id} if known is not None else set()
        for key in _keys(author):
            found.update(owners_by_key.get(key, ()))
            other = first_with_key.setdefault(key, index)
            if other != index:
                parent[root(index)] = root(other)
        owners.append(found)
    people_in: dict[int, set[int]] = defaultdict(set)
    authors_in: dict[int, list[_Author]] = defaultdict(list)
    for index, author in enumerate(members):
        group = root(index)
        people_in[group].update(owners[index])
        authors_in[group].append(author)

    first_seen = _first_seen_of({p for ids in people_in.values() for p in ids})
    resolution = Resolution({}, [], [], [], [], [])
    for group, grouped in authors_in.items():
        people = people_in.get(group, set())
        person: Person
        if people:
            oldest = min(people, key=lambda pid: (first_seen[pid], pid))
            [person] = bulk.loaded(Person, ("id", "workspace_id"), [(oldest, workspace.pk)])
            if len(people) > 1:
                resolution.suggestions.extend(_claim_suggestions(workspace, people, grouped))
        else:
            earliest = min(grouped, key=lambda a: a.first_seen)
            person = bulk.new(
                Person,
                workspace_id=workspace.pk,
                display_name=_display_name(earliest.author),
                preferred_language=earliest.language,
                lifecycle_stage=LifecycleStage.STRANGER,
                first_seen_at=earliest.first_seen,
            )
            resolution.new_people.append(person)
        for author in grouped:
            identity = existing.get(author.key)
            if identity is None:
                identity = _new_identity(workspace, author, person)
                resolution.new_identities.append(identity)
            elif _refresh(identity, author):
                resolution.changed_identities.append(identity)
            resolution.identity_of[author.key] = identity
            resolution.new_links.extend(
                ProfileLink(workspace=workspace, identity=identity, url=url)
                for url in sorted(author.declared_urls)
            )
            for kind, values in (
                (IdentityKind.EMAIL, author.emails),
                (IdentityKind.PHONE, author.phones),
            ):
                for value in sorted(values):
                    if (str(kind), value) in key_identities or (str(kind), value) == author.key:
                        continue
                    key_identities.add((str(kind), value))
                    extra = bulk.new(
                        Identity,
                        workspace_id=workspace.pk,
                        kind=kind,
                        external_id=value,
                        handle=value,
                        display_name=author.author.display_name,
                    )
                    extra.person = person
                    resolution.new_identities.append(extra)
    return resolution


def _keys(author: _Author) -> list[str]:
    """The keys an author carries. ``url:U`` is a profile URL (its own, or one it
    declares); ``declared:U`` looks up who declared the author's own profile."""
    keys = [f"email:{e}" for e in author.emails]
    keys += [f"phone:{p}" for p in author.phones]
    keys += [f"url:{u}" for u in author.declared_urls]
    if author.profile_url:
        keys += [f"url:{author.profile_url}", f"declared:{author.profile_url}"]
    return keys


def _existing_identities(
    workspace: Workspace, authors: dict[AuthorKey, _Author]
) -> dict[AuthorKey, Identity]:
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, external_id in authors:
        by_kind[kind].append(external_id)
    found: dict[AuthorKey, Identity] = {}
    for kind, ids in by_kind.items():
        rows = Identity.objects.filter(
            workspace=workspace, kind=kind, external_id__in=bulk.one_of(sorted(ids))
        ).values_list(*_IDENTITY_FIELDS)
        for identity in bulk.loaded(Identity, _IDENTITY_FIELDS, rows):
            found[(identity.kind, identity.external_id)] = identity
    return found


# What resolution reads and may change of an existing identity; the rest stays deferred.
_IDENTITY_FIELDS = (
    "id",
    "workspace_id",
    "person_id",
    "kind",
    "external_id",
    "handle",
    "display_name",
    "profile_url",
    "avatar_url",
)


def _first_seen_of(person_ids: set[int]) -> dict[int, datetime]:
    if not person_ids:
        return {}
    return dict(
        Person.objects.filter(pk__in=bulk.one_of(sorted(person_ids))).values_list(
            "pk", "first_seen_at"
        )
    )


def _display_name(author: Author) -> str:
    name = author.display_name or author.handle or author.external_id
    return name[:200]


def _new_identity(workspace: Workspace, author: _Author, person: Person) -> Identity:
    return bulk.new(
        Identity,
        workspace_id=workspace.pk,
        person=person,
        kind=author.key[0],
        external_id=author.key[1],
        handle=author.author.handle[:255],
        display_name=author.author.display_name,
        profile_url=author.profile_url,
        avatar_url=author.author.avatar_url,
    )


def _refresh(identity: Identity, author: _Author) -> bool:
    """Keep what the platform now says about an account (renamed handle, new avatar)."""
    changed = False
    for field_name, value in (
        ("handle", author.author.handle[:255]),
        ("display_name", author.author.display_name),
        ("avatar_url", author.author.avatar_url),
        ("profile_url", author.profile_url),
    ):
        if value and getattr(identity, field_name) != value:
            setattr(identity, field_name, value)
            changed = True
    return changed


def _claim_suggestions(
    workspace: Workspace, people: set[int], members: list[_Author]
) -> list[MergeSuggestion]:
    accounts = ", ".join(sorted(f"{a.key[0]}:{a.key[1]}" for a in members))
    ordered = sorted(people)
    return [
        MergeSuggestion(
            workspace=workspace,
            person_id=first,
            other_id=second,
            score=0.95,
            reasons=[
                {
                    "signal": "shared_key",
                    "detail": f"an email, phone or profile link claimed by both ({accounts})",
                    "weight": 0.95,
                }
            ],
        )
        for index, first in enumerate(ordered)
        for second in ordered[index + 1 :]
    ]
