"""The whole demo of one company, in memory: who talks, where, about what, and what follows.

``plan_company`` is a pure function of the company and the fixed seed: the builder writes
what it returns, so two builds hold the same people saying the same things at the same
times. Who starts a conversation: every independent customer and every organisation's
primary contact at least once, then the talkative ones more often (a champion of a
strategic account writes far more than a gatekeeper).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from comptoir.demo.company import Company, Employee, Stage
from comptoir.demo.corpus import TopicText, corpus
from comptoir.demo.names import Handles
from comptoir.demo.platform import Register
from comptoir.demo.population import PlannedPerson, draw_people, identity_kind, weighted
from comptoir.demo.threads import ANCHOR, PlannedConversation, ThreadWriter
from comptoir.inbox.models import Direction
from comptoir.people.models import CommitteeRole, LifecycleStage, Tier
from comptoir.workspaces.models import Role

SEED = 20261120

ROLE_TALK = {
    CommitteeRole.CHAMPION: 4.0,
    CommitteeRole.DECISION_MAKER: 2.0,
    CommitteeRole.USER: 2.0,
    CommitteeRole.INFLUENCER: 1.5,
    CommitteeRole.BUYER: 1.0,
    CommitteeRole.GATEKEEPER: 0.5,
}
TIER_TALK = {Tier.STRATEGIC: 2.0, Tier.KEY: 1.5, Tier.STANDARD: 1.0}
STAGE_LIFECYCLE: dict[Stage, LifecycleStage] = {
    "customer": LifecycleStage.CUSTOMER,
    "prospect": LifecycleStage.PROSPECT,
    "former": LifecycleStage.FORMER_CUSTOMER,
}
CURIOUS_TOPICS = frozenset({"purchase_intent", "question", "pricing", "feature_request"})


@dataclass
class Plan:
    company: Company
    people: list[PlannedPerson]
    conversations: list[PlannedConversation]


def plan_company(company: Company) -> Plan:
    rng = random.Random(f"{SEED}:{company.slug}")
    people = draw_people(company, rng, Handles())
    writer = ThreadWriter(company, rng)
    conversations: list[PlannedConversation] = []
    for person_index in _speakers(company, people, rng):
        person = people[person_index]
        choice = _channel_and_topic(company, person, rng)
        if choice is not None:
            identity, channel, register, topic = choice
            conversations.append(
                writer.conversation(person, person_index, identity, channel, register, topic)
            )
    _roll_up(people, conversations, rng)
    _lifecycle(people, conversations, company, rng)
    _owners(people, conversations, company, rng)
    return Plan(company, people, conversations)


def _speakers(company: Company, people: list[PlannedPerson], rng: random.Random) -> list[int]:
    """One person index per conversation to hold."""
    speakers: list[int] = []
    regular: list[int] = []
    for index, person in enumerate(people):
        if person.spammer:
            speakers.extend([index] * rng.choice((1, 1, 2)))
            continue
        regular.append(index)
        if person.membership is None or person.membership.is_primary_contact:
            speakers.append(index)
    weights = [_talkativeness(company, people[i], rng) for i in regular]
    speakers.extend(rng.choices(regular, weights, k=max(0, company.conversations - len(speakers))))
    rng.shuffle(speakers)
    return speakers


def _talkativeness(company: Company, person: PlannedPerson, rng: random.Random) -> float:
    if person.membership is None:
        return float(rng.choice((1, 1, 1, 2, 2, 3, 5)))
    organization = company.organizations[person.membership.organization]
    stage = 0.5 if organization.stage == "former" else 1.0
    return ROLE_TALK[person.membership.committee_role] * TIER_TALK[organization.tier] * stage


def _channel_and_topic(
    company: Company, person: PlannedPerson, rng: random.Random
) -> tuple[int, int, Register, str] | None:
    """Where the person writes (one of their identities on one of the company's channels),
    in which register, and about what; None if nothing fits."""
    options = [
        (identity_index, channel_index)
        for identity_index, identity in enumerate(person.identities)
        for channel_index, channel in enumerate(company.channels)
        if identity_kind(channel.kind) == identity.kind
    ]
    while options:
        option = weighted(rng, [(o, company.channels[o[1]].weight) for o in options])
        options.remove(option)
        channel = company.channels[option[1]]
        registers: list[Register]
        if channel.kind == "email":
            registers = ["email"]
        elif channel.kind == "linkedin":
            registers = ["pro"]
        elif rng.random() < channel.private_share:
            registers = ["private", "public"]
        else:
            registers = ["public", "private"]
        for register in registers:
            topics = _topics(company, person, channel.topics, register)
            if topics:
                return option[0], option[1], register, weighted(rng, topics)
    return None


def _topics(
    company: Company, person: PlannedPerson, channel_topics: tuple[str, ...], register: Register
) -> list[tuple[str, int]]:
    texts = corpus(company.corpus, person.language or company.default_language).topics
    if person.membership is not None:
        stage = company.organizations[person.membership.organization].stage
        allowed = company.member_topics[stage]
    else:
        allowed = company.independent_topics
    found: list[tuple[str, int]] = []
    for key, weight in company.topic_weights.items():
        if person.spammer:
            weight = 1 if key == "spam" else 0
        elif key not in allowed:
            continue
        if (
            weight
            and (not channel_topics or key in channel_topics)
            and _can_write(texts[key], register, answered=company.topics[key].answered)
        ):
            found.append((key, weight))
    return found


def _can_write(text: TopicText, register: Register, *, answered: bool) -> bool:
    """The topic has an opener in this register and, if answered, replies to match."""
    opener = (
        bool(text.subjects and text.email) if register == "email" else bool(getattr(text, register))
    )
    if not answered:
        return opener
    replies = text.replies_casual
    if register == "email":
        replies = text.replies_formal
    elif register == "pro":
        replies = text.replies_pro or text.replies_formal
    return opener and bool(replies)


def _roll_up(
    people: list[PlannedPerson], conversations: list[PlannedConversation], rng: random.Random
) -> None:
    """First seen, last inbound and last outbound, from the messages; people nobody has
    heard from yet were entered by hand (from a trade show, a CRM import) months ago."""
    for conversation in conversations:
        person = people[conversation.person]
        for message in conversation.messages:
            when = message.sent_at
            if message.direction == Direction.INBOUND:
                person.first_seen_at = min(person.first_seen_at or when, when)
                person.last_inbound_at = max(person.last_inbound_at or when, when)
            elif message.direction == Direction.OUTBOUND:
                person.last_outbound_at = max(person.last_outbound_at or when, when)
    for person in people:
        if person.first_seen_at is None:
            person.first_seen_at = ANCHOR - timedelta(
                days=rng.randint(20, 400), hours=rng.randint(0, 9)
            )


def _lifecycle(
    people: list[PlannedPerson],
    conversations: list[PlannedConversation],
    company: Company,
    rng: random.Random,
) -> None:
    topics: dict[int, list[str]] = defaultdict(list)
    for conversation in conversations:
        topics[conversation.person].append(conversation.topic)
    for index, person in enumerate(people):
        said = topics[index]
        if person.spammer:
            person.lifecycle_stage = LifecycleStage.STRANGER
        elif person.membership is not None:
            stage = company.organizations[person.membership.organization].stage
            person.lifecycle_stage = STAGE_LIFECYCLE[stage]
            if stage == "customer" and "praise" in said:
                person.lifecycle_stage = LifecycleStage.ADVOCATE
        elif "churn" in said:
            former = rng.random() < 0.4
            person.lifecycle_stage = (
                LifecycleStage.FORMER_CUSTOMER if former else LifecycleStage.CUSTOMER
            )
        elif "praise" in said and rng.random() < 0.5:
            person.lifecycle_stage = LifecycleStage.ADVOCATE
        elif set(said) <= CURIOUS_TOPICS:
            person.lifecycle_stage = rng.choice((LifecycleStage.PROSPECT, LifecycleStage.FOLLOWER))
        else:
            person.lifecycle_stage = LifecycleStage.CUSTOMER


def _owners(
    people: list[PlannedPerson],
    conversations: list[PlannedConversation],
    company: Company,
    rng: random.Random,
) -> None:
    """Accounts have an owner (strategic ones the manager); so do advocates and regulars."""
    account_owner: dict[int, Employee | None] = {}
    for index, organization in enumerate(company.organizations):
        if organization.tier == Tier.STRATEGIC:
            account_owner[index] = _staff(company, Role.MANAGER, organization.language)
        elif organization.tier == Tier.KEY or rng.random() < 0.4:
            account_owner[index] = _staff(company, Role.AGENT, organization.language, rng)
        else:
            account_owner[index] = None
    held: dict[int, int] = defaultdict(int)
    for conversation in conversations:
        held[conversation.person] += 1
    for index, person in enumerate(people):
        owner: Employee | None = None
        if person.spammer:
            continue
        if person.membership is not None:
            owner = account_owner[person.membership.organization]
        elif person.lifecycle_stage == LifecycleStage.ADVOCATE and rng.random() < 0.5:
            owner = _staff(company, Role.ADVOCATE, person.language, rng)
        elif held[index] >= 3 and rng.random() < 0.5:
            owner = _staff(company, Role.AGENT, person.language, rng)
        person.owner = owner.email if owner else None


def _staff(
    company: Company, role: Role, language: str, rng: random.Random | None = None
) -> Employee | None:
    """An employee of that role speaking the language (the first, or one drawn by rng)."""
    fitting = [e for e in company.employees if e.role == role and language in e.languages]
    fitting = fitting or [e for e in company.employees if e.role == role]
    if not fitting:
        return None
    return rng.choice(fitting) if rng else fitting[0]


def first_seen(person: PlannedPerson) -> datetime:
    """The person's first-seen time, always set once the plan is complete."""
    if person.first_seen_at is None:
        raise ValueError(f"{person.display_name} has no first-seen time")
    return person.first_seen_at
