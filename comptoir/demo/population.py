"""The people of a demo workspace: buying committees, independent customers, spammers.

Each person gets the identities a real one would have: a committee member has a work
address at the organisation's domain and often a LinkedIn profile; a consumer has a
personal mailbox or a social account or both. All are derived from the person's name.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from comptoir.channels.models import IDENTITY_KIND_OF_CHANNEL
from comptoir.demo.company import Company, OrganizationSpec, gendered
from comptoir.demo.names import (
    Handles,
    Name,
    Origin,
    ascii_slug,
    draw_names,
    instagram_handle,
    linkedin_vanity,
    mastodon_account,
    personal_email,
    work_email,
    x_handle,
)
from comptoir.people.models import CommitteeRole, IdentityKind, LifecycleStage, Stance

_T = TypeVar("_T")

# Committees fill in this order: a decision maker and a champion first, then the others.
COMMITTEE_ORDER = (
    CommitteeRole.DECISION_MAKER,
    CommitteeRole.CHAMPION,
    CommitteeRole.USER,
    CommitteeRole.INFLUENCER,
    CommitteeRole.BUYER,
    CommitteeRole.USER,
    CommitteeRole.GATEKEEPER,
    CommitteeRole.INFLUENCER,
)
STANCES: dict[CommitteeRole, tuple[tuple[Stance, int], ...]] = {
    CommitteeRole.DECISION_MAKER: ((Stance.SUPPORTER, 4), (Stance.NEUTRAL, 4), (Stance.UNKNOWN, 2)),
    CommitteeRole.CHAMPION: ((Stance.SUPPORTER, 8), (Stance.NEUTRAL, 2)),
    CommitteeRole.INFLUENCER: (
        (Stance.SUPPORTER, 3),
        (Stance.NEUTRAL, 3),
        (Stance.OPPONENT, 2),
        (Stance.UNKNOWN, 2),
    ),
    CommitteeRole.USER: (
        (Stance.SUPPORTER, 4),
        (Stance.NEUTRAL, 3),
        (Stance.OPPONENT, 1),
        (Stance.UNKNOWN, 2),
    ),
    CommitteeRole.BUYER: ((Stance.NEUTRAL, 5), (Stance.UNKNOWN, 3), (Stance.OPPONENT, 2)),
    CommitteeRole.GATEKEEPER: ((Stance.NEUTRAL, 4), (Stance.UNKNOWN, 4), (Stance.OPPONENT, 2)),
}


@dataclass
class PlannedIdentity:
    kind: IdentityKind
    external_id: str
    handle: str
    display_name: str
    profile_url: str = ""
    verified: bool = False

    @property
    def mention(self) -> str:
        """How a reply names this person on their network: a handle, or their name."""
        return self.handle if self.kind != IdentityKind.EMAIL and self.handle else self.display_name


@dataclass
class PlannedMembership:
    organization: int  # index in the company's organisations
    title: str
    committee_role: CommitteeRole
    stance: Stance
    is_primary_contact: bool


@dataclass
class PlannedPerson:
    name: Name
    display_name: str
    language: str
    identities: list[PlannedIdentity] = field(default_factory=list)
    membership: PlannedMembership | None = None
    spammer: bool = False
    # Filled once the conversations are known.
    lifecycle_stage: LifecycleStage = LifecycleStage.STRANGER
    owner: str | None = None  # the relationship owner's login
    first_seen_at: datetime | None = None
    last_inbound_at: datetime | None = None
    last_outbound_at: datetime | None = None


def draw_people(company: Company, rng: random.Random, handles: Handles) -> list[PlannedPerson]:
    """Committee members first, organisation by organisation; then independents; spammers."""
    taken = {employee.full_name for employee in company.employees}
    people: list[PlannedPerson] = []
    for index, organization in enumerate(company.organizations):
        people.extend(_committee(company, rng, handles, taken, index, organization))
    for _ in range(company.independents):
        language = "fr" if rng.random() < company.french_share else "en"
        origin: Origin = "fr" if language == "fr" else "en"
        (name,) = draw_names(rng, origin, 1, taken)
        person = PlannedPerson(name, name.full, language)
        kinds = _independent_kinds(company, rng)
        person.identities = [_identity(kind, person, rng, handles) for kind in kinds]
        people.append(person)
    for number in range(company.spammers):
        people.append(_spammer(company, rng, handles, number))
    return people


def _committee(
    company: Company,
    rng: random.Random,
    handles: Handles,
    taken: set[str],
    index: int,
    organization: OrganizationSpec,
) -> list[PlannedPerson]:
    names = draw_names(rng, organization.origin, organization.members, taken)
    roles = list(COMMITTEE_ORDER[: len(names)])
    members: list[PlannedPerson] = []
    for name, role in zip(names, roles, strict=True):
        stance = weighted(rng, STANCES[role])
        if organization.stage == "former" and role == CommitteeRole.DECISION_MAKER:
            stance = Stance.OPPONENT  # the one who decided to leave
        title = gendered(rng.choice(company.titles[organization.language][role]), name.gender)
        person = PlannedPerson(
            name,
            name.full,
            organization.language,
            membership=PlannedMembership(
                index, title, role, stance, is_primary_contact=role == CommitteeRole.CHAMPION
            ),
        )
        address = work_email(name, organization.domain, organization.email_style, handles)
        person.identities.append(
            PlannedIdentity(IdentityKind.EMAIL, address, address, name.full, verified=True)
        )
        for kind, chance in (
            (IdentityKind.LINKEDIN, 0.7),
            (IdentityKind.X, 0.15),
            (IdentityKind.MASTODON, 0.1),
        ):
            if rng.random() < chance and _has_channel(company, kind):
                person.identities.append(_identity(kind, person, rng, handles))
        members.append(person)
    return members


def _independent_kinds(company: Company, rng: random.Random) -> list[IdentityKind]:
    """One network to start from, picked as the company's channels are busy; often more."""
    kinds = list(dict.fromkeys(identity_kind(c.kind) for c in company.channels))
    weights = [
        sum(c.weight for c in company.channels if identity_kind(c.kind) == kind) for kind in kinds
    ]
    first = rng.choices(kinds, weights)[0]
    chosen = [first]
    if rng.random() < 0.42:
        others = [k for k in kinds if k != first and k != IdentityKind.LINKEDIN]
        chosen.extend(rng.sample(others, k=min(len(others), rng.choice((1, 1, 2)))))
    return chosen


def _spammer(company: Company, rng: random.Random, handles: Handles, number: int) -> PlannedPerson:
    """A throwaway account with a catchy name, on one of the company's networks."""
    display = company.spam_names[number % len(company.spam_names)]
    slug = f"{ascii_slug(display) or 'promo'}{rng.randint(10, 9999)}"
    kind = identity_kind(company.channels[number % len(company.channels)].kind)
    if kind == IdentityKind.EMAIL:
        address = handles.claim("email", [f"{slug}@mail-promo.biz"])
        identity = PlannedIdentity(kind, address, address, display)
    elif kind == IdentityKind.MASTODON:
        identity = _mastodon(handles.claim("mastodon", [f"{slug}@mastodon.social"]), display)
    elif kind in (IdentityKind.X, IdentityKind.INSTAGRAM):
        handle = handles.claim(kind, [slug])
        identity = PlannedIdentity(
            kind, _platform_user_id(kind, rng, handles), f"@{handle}", display
        )
    else:
        identity = PlannedIdentity(kind, _platform_user_id(kind, rng, handles), "", display)
    return PlannedPerson(Name(display, "", "f"), display, "", [identity], spammer=True)


def _identity(
    kind: IdentityKind, person: PlannedPerson, rng: random.Random, handles: Handles
) -> PlannedIdentity:
    name, language = person.name, person.language
    if kind == IdentityKind.EMAIL:
        address = personal_email(rng, name, language, handles)
        return PlannedIdentity(kind, address, address, name.full, verified=rng.random() < 0.7)
    if kind == IdentityKind.X:
        handle = x_handle(rng, name, handles)
        shown = rng.choice((name.full, name.full, f"{name.first} {name.last[0]}.", name.first))
        return PlannedIdentity(
            kind,
            _platform_user_id(kind, rng, handles),
            f"@{handle}",
            shown,
            f"https://x.com/{handle}",
        )
    if kind == IdentityKind.INSTAGRAM:
        handle = instagram_handle(rng, name, handles)
        return PlannedIdentity(
            kind,
            _platform_user_id(kind, rng, handles),
            f"@{handle}",
            name.full,
            f"https://www.instagram.com/{handle}/",
        )
    if kind == IdentityKind.MASTODON:
        return _mastodon(mastodon_account(rng, name, language, handles), name.full)
    if kind == IdentityKind.LINKEDIN:
        vanity = linkedin_vanity(rng, name, handles)
        return PlannedIdentity(
            kind,
            _platform_user_id(kind, rng, handles),
            "",
            name.full,
            f"https://www.linkedin.com/in/{vanity}/",
        )
    # Facebook gives a page only a page-scoped id and the name: no handle, no profile link.
    return PlannedIdentity(kind, _platform_user_id(kind, rng, handles), "", name.full)


def _mastodon(account: str, display_name: str) -> PlannedIdentity:
    """``user@instance``'s identity; ids are per instance, so the actor URI is the id."""
    user, _, instance = account.partition("@")
    return PlannedIdentity(
        IdentityKind.MASTODON,
        f"https://{instance}/users/{user}",
        f"@{account}",
        display_name,
        f"https://{instance}/@{user}",
    )


def _platform_user_id(kind: IdentityKind, rng: random.Random, handles: Handles) -> str:
    """The id the platform gives the account, in its own shape."""
    if kind == IdentityKind.X:
        candidate = str(rng.randint(10**8, 1_890_000_000_000_000_000))
    elif kind == IdentityKind.INSTAGRAM:
        candidate = f"1784{rng.randint(10**12, 10**13 - 1)}"
    elif kind == IdentityKind.LINKEDIN:
        token = base64.urlsafe_b64encode(rng.randbytes(8)).decode().rstrip("=")
        candidate = f"urn:li:person:{token}"
    else:  # Facebook's page-scoped ids
        candidate = f"{rng.randint(2 * 10**15, 10**16 - 1)}"
    return handles.claim(f"{kind}:id", [candidate])


def identity_kind(channel_kind: str) -> IdentityKind:
    return IdentityKind(IDENTITY_KIND_OF_CHANNEL[channel_kind])


def _has_channel(company: Company, kind: IdentityKind) -> bool:
    return any(identity_kind(c.kind) == kind for c in company.channels)


def weighted(rng: random.Random, options: Sequence[tuple[_T, int]]) -> _T:
    """One of the options, each as likely as its weight."""
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]
