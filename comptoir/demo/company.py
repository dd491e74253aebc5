"""What a demo company is: who works there, where it talks, to whom and about what.

The two companies themselves are in ``maison_lumiere`` and ``nordlys``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from comptoir.channels.models import ChannelKind
from comptoir.demo.corpus import Topic
from comptoir.demo.names import EmailStyle, Gender, Origin
from comptoir.people.models import CommitteeRole, CompanySize, Tier
from comptoir.workspaces.models import Role

DEMO_PASSWORD = "comptoir-demo"  # noqa: S105 -- the published password of the demo logins

Stage = Literal["customer", "prospect", "former"]
# Values drawn for a conversation: the slots of its templates, beyond the people's names.
SlotMaker = Callable[[random.Random, str, datetime], dict[str, str]]


@dataclass(frozen=True)
class Employee:
    first_name: str
    last_name: str
    gender: Gender
    role: Role
    languages: tuple[str, ...]
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class ChannelSpec:
    kind: ChannelKind
    name: str
    settings: Mapping[str, Any]
    mention: str  # how people name the brand there: the {brand} slot
    weight: int  # its share of the workspace's conversations
    private_share: float = 0.0  # the part of those held in private messages
    topics: tuple[str, ...] = ()  # the only topics it receives; empty: any


@dataclass(frozen=True)
class OrganizationSpec:
    name: str
    domain: str
    industry: str
    size: CompanySize
    tier: Tier
    language: str
    origin: Origin
    stage: Stage = "customer"
    email_style: EmailStyle = "first.last"

    @property
    def members(self) -> int:
        """How many of its people the workspace knows: larger companies, larger committees."""
        return {
            CompanySize.MICRO: 2,
            CompanySize.SMALL: 3,
            CompanySize.MEDIUM: 5,
            CompanySize.LARGE: 6,
            CompanySize.ENTERPRISE: 8,
        }[CompanySize(self.size)]


@dataclass(frozen=True)
class Company:
    slug: str
    name: str
    timezone: str
    default_language: str
    corpus: str  # the corpus files: data/<corpus>.<language>.txt
    topics: Mapping[str, Topic]
    topic_weights: Mapping[str, int]
    # What an organisation's people write about, by where the account stands.
    member_topics: Mapping[Stage, tuple[str, ...]]
    independent_topics: tuple[str, ...]  # what everyone else writes about
    team_language: str  # the language of internal notes
    employees: tuple[Employee, ...]  # the first one owns the workspace
    channels: tuple[ChannelSpec, ...]
    organizations: tuple[OrganizationSpec, ...]
    peak_hours: tuple[int, int]  # when its people write most: evenings, or office hours
    independents: int  # people in no organisation
    french_share: float  # of those independents
    spammers: int
    conversations: int
    slots: SlotMaker
    # Job titles by language and committee role; "Directeur|Directrice" when gendered.
    titles: Mapping[str, Mapping[CommitteeRole, tuple[str, ...]]]
    # Names people give to spam accounts.
    spam_names: tuple[str, ...]
    # Small firms that independents write on behalf of: (name, domain).
    loose_companies: tuple[tuple[str, str], ...] = ()

    def employee(self, email: str) -> Employee:
        return next(e for e in self.employees if e.email == email)


# The owner of both workspaces: one login that shows the workspace switcher.
OWNER = Employee("Camille", "Laurent", "f", Role.OWNER, ("fr", "en"), "camille@comptoir.demo")

MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}


def gendered(title: str, gender: Gender) -> str:
    """The masculine or feminine half of "Directeur|Directrice"; a title without "|" fits both."""
    masculine, _, feminine = title.partition("|")
    return feminine if gender == "f" and feminine else masculine


def day_label(when: datetime, language: str) -> str:
    return f"{when.day} {MONTHS[language].split()[when.month - 1]}"


def euros(cents: int, language: str) -> str:
    """129,00 € in French, €129.00 in English; thousands spaced or comma'd."""
    whole, rest = divmod(cents, 100)
    if language == "fr":
        return f"{whole:,}".replace(",", "\u202f") + f",{rest:02d} €"
    return f"€{whole:,}.{rest:02d}"


def whole_euros(amount: int, language: str) -> str:
    return f"{amount:,}".replace(",", "\u202f") + " €" if language == "fr" else f"€{amount:,}"
