"""Weak signals that two people may be one human: they make suggestions, never merges.

Deterministic keys (the same platform id, email, phone or declared profile link) merge
people during ingestion. What is left are hints, each with a weight:

=============== ====== =================================================================
signal          weight when
=============== ====== =================================================================
display_name    0.5 to similar names: rapidfuzz's token_sort_ratio of the accent-folded,
                0.6    lower-case names is at least 90 (0.5 at 90, 0.6 when identical);
                       halved when either name is a single word (a first name or a
                       handle alone says little)
avatar          0.4    an identity of each has the same avatar URL, and at most three
                       people share it (more is a network's default picture)
email_domain    0.3    each has an email address on the same domain, and it is not a
                       webmail domain (gmail.com, orange.fr…)
same_thread     0.2    both wrote inbound messages in one conversation thread of at most
                       six authors (a crowd under a public post proves nothing)
=============== ====== =================================================================

A pair is suggested when the sum of its weights reaches ``THRESHOLD`` (0.6), capped at 1.
So identical full names alone are suggested, a similar name needs another hint, and an
organisation domain never suffices, even with a shared thread: colleagues of one company
write in the same email threads all day.

Candidate pairs come from the signals that can start a pair (names, avatars, threads),
each through a narrow lookup; the domain only adds to pairs found that way. That is
complete because ``DOMAIN_WEIGHT`` alone is below the threshold. Names are compared only
within blocks that share a first or last folded word, so the cost follows the block
sizes, not the square of the workspace.

Never suggested: a person with themselves, a merged person, or a pair that already has a
suggestion, whatever its status (a rejected pair stays rejected). Calling
``suggest_merges`` again changes nothing; the unique pair constraint guards against two
workers racing.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise
from rapidfuzz import fuzz, process

from comptoir.people.models import Identity, IdentityKind, MergeSuggestion, Person
from comptoir.workspaces.models import Workspace

THRESHOLD = 0.6
NAME_MIN_RATIO = 90
NAME_WEIGHT_AT_MIN_RATIO = 0.5
NAME_WEIGHT_IDENTICAL = 0.6
SINGLE_WORD_FACTOR = 0.5
AVATAR_WEIGHT = 0.4
DOMAIN_WEIGHT = 0.3
THREAD_WEIGHT = 0.2
MAX_AVATAR_SHARERS = 3
MAX_THREAD_AUTHORS = 6
# People handled per round of queries; keeps every IN (...) list well under the databases'
# limits on bound parameters.
CHUNK_SIZE = 2000
# The value of inbox's Direction.INBOUND: people cannot import inbox, which sits above it.
INBOUND = "inbound"

# Addresses anybody can get: a shared domain among them says nothing about a company.
WEBMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "bbox.fr",
        "free.fr",
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "hotmail.fr",
        "icloud.com",
        "laposte.net",
        "live.com",
        "live.fr",
        "mac.com",
        "me.com",
        "msn.com",
        "neuf.fr",
        "orange.fr",
        "outlook.com",
        "outlook.fr",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "sfr.fr",
        "wanadoo.fr",
        "yahoo.com",
        "yahoo.fr",
        "ymail.com",
    }
)
# Webmail families with one domain per country (gmx.de, gmx.fr, yahoo.co.uk…).
WEBMAIL_PREFIXES = ("gmx.", "yahoo.", "hotmail.", "outlook.", "live.")


class Signal(StrEnum):
    DISPLAY_NAME = "display_name"
    AVATAR = "avatar"
    EMAIL_DOMAIN = "email_domain"
    SAME_THREAD = "same_thread"
    # Not a weak signal: the ingest pipeline writes it when a sure key (an email, a phone,
    # a declared profile link) links two people who already exist, for a person to confirm.
    SHARED_KEY = "shared_key"


# What each signal is called where people read it (the review queue, a merge's reason).
SIGNAL_LABELS: dict[str, StrOrPromise] = {
    Signal.DISPLAY_NAME: _("Similar names"),
    Signal.AVATAR: _("Same profile picture"),
    Signal.EMAIL_DOMAIN: _("Same company email domain"),
    Signal.SAME_THREAD: _("Wrote in the same thread"),
    Signal.SHARED_KEY: _("Same email, phone or profile link"),
}


@dataclass
class Evidence:
    """The reasons found so far for one pair (smaller id first)."""

    reasons: dict[Signal, dict[str, Any]] = field(default_factory=dict)

    def add(self, signal: Signal, detail: str, weight: float, **extra: Any) -> None:
        if signal in self.reasons and self.reasons[signal]["weight"] >= weight:
            return
        self.reasons[signal] = {"signal": str(signal), "detail": detail, "weight": weight, **extra}

    @property
    def score(self) -> float:
        total: float = sum(r["weight"] for r in self.reasons.values())
        return round(min(1.0, total), 2)

    def as_json(self) -> list[dict[str, Any]]:
        return sorted(self.reasons.values(), key=lambda r: (-r["weight"], r["signal"]))


Pair = tuple[int, int]


def suggest_merges(workspace: Workspace, person_ids: Collection[int]) -> int:
    """Suggest merges between these (new or changed) people and anyone of the workspace.

    Returns how many suggestions were created. Safe to call twice with the same ids.
    """
    created = 0
    ordered = sorted(set(person_ids))
    for start in range(0, len(ordered), CHUNK_SIZE):
        created += _suggest_for(workspace, ordered[start : start + CHUNK_SIZE])
    return created


def _suggest_for(workspace: Workspace, person_ids: list[int]) -> int:
    names = dict(
        Person.objects.filter(workspace=workspace, pk__in=person_ids, merged_into__isnull=True)
        .values_list("pk", "display_name")
        .order_by()
    )
    if not names:
        return 0
    candidates = list(names)
    evidence: dict[Pair, Evidence] = defaultdict(Evidence)
    _similar_names(workspace, names, evidence)
    _same_avatars(workspace, candidates, evidence)
    _same_threads(workspace, candidates, evidence)
    if not evidence:
        return 0
    _same_domains(workspace, evidence)

    known = set(
        MergeSuggestion.objects.filter(workspace=workspace)
        .filter(Q(person_id__in=candidates) | Q(other_id__in=candidates))
        .values_list("person_id", "other_id")
        .order_by()
    )
    new = [
        MergeSuggestion(
            workspace=workspace,
            person_id=pair[0],
            other_id=pair[1],
            score=found.score,
            reasons=found.as_json(),
        )
        for pair, found in sorted(evidence.items())
        if pair not in known and found.score >= THRESHOLD
    ]
    # ignore_conflicts: a worker that raced this one may have stored the same pair.
    MergeSuggestion.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def fold_name(name: str) -> str:
    """ "Hélène  MÜLLER-Roy" -> "helene muller roy": no accents, no case, words only."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def name_blocks(folded: str) -> set[str]:
    """The keys under which a name is compared: its first and last words.

    Two names similar enough (token_sort_ratio >= 90) almost always share one of them
    exactly, in whatever order the words come ("Dupont Marie", "Marie Dupond").
    """
    words = folded.split()
    return {word for word in (words[0], words[-1]) if len(word) > 1} if words else set()


def _similar_names(
    workspace: Workspace, names: dict[int, str], evidence: dict[Pair, Evidence]
) -> None:
    folded = {pk: fold_name(name) for pk, name in names.items()}
    wanted = {key for name in folded.values() for key in name_blocks(name)}
    blocks: dict[str, dict[int, str]] = defaultdict(dict)
    originals: dict[int, str] = {}
    # One pass over the workspace's names (id and name only), keeping those in a wanted block.
    for pk, name in (
        Person.objects.filter(workspace=workspace, merged_into__isnull=True)
        .values_list("pk", "display_name")
        .order_by()
        .iterator(chunk_size=5000)
    ):
        other = fold_name(name)
        for key in name_blocks(other) & wanted:
            blocks[key][pk] = other
            originals[pk] = name
    for pk, name in folded.items():
        if len(name) < 3:
            continue
        for key in name_blocks(name):
            choices = {other_pk: other for other_pk, other in blocks[key].items() if other_pk != pk}
            for other, ratio, other_pk in process.extract(
                name,
                choices,
                scorer=fuzz.token_sort_ratio,
                processor=None,
                score_cutoff=NAME_MIN_RATIO,
                limit=None,
            ):
                weight = NAME_WEIGHT_AT_MIN_RATIO + (
                    NAME_WEIGHT_IDENTICAL - NAME_WEIGHT_AT_MIN_RATIO
                ) * (ratio - NAME_MIN_RATIO) / (100 - NAME_MIN_RATIO)
                if len(name.split()) == 1 or len(other.split()) == 1:
                    weight *= SINGLE_WORD_FACTOR
                first, second = _pair(pk, other_pk)
                evidence[(first, second)].add(
                    Signal.DISPLAY_NAME,
                    f"{originals[first]} ≈ {originals[second]}",
                    round(weight, 2),
                    ratio=round(ratio),
                )


def _same_avatars(
    workspace: Workspace, candidates: list[int], evidence: dict[Pair, Evidence]
) -> None:
    alive = Identity.objects.filter(workspace=workspace, person__merged_into__isnull=True)
    theirs = (
        Identity.objects.filter(workspace=workspace, person_id__in=candidates)
        .exclude(avatar_url="")
        .values("avatar_url")
    )
    rare = (
        alive.filter(avatar_url__in=theirs)
        .values("avatar_url")
        .annotate(people=Count("person_id", distinct=True))
        .filter(people__gte=2, people__lte=MAX_AVATAR_SHARERS)
        .values("avatar_url")
    )
    sharers: dict[str, set[int]] = defaultdict(set)
    for url, person_id in (
        alive.filter(avatar_url__in=rare).values_list("avatar_url", "person_id").order_by()
    ):
        sharers[url].add(person_id)
    for url, people in sharers.items():
        for pair in _pairs_with(people, candidates):
            evidence[pair].add(Signal.AVATAR, url, AVATAR_WEIGHT)


def _same_threads(
    workspace: Workspace, candidates: list[int], evidence: dict[Pair, Evidence]
) -> None:
    their_threads = _inbound_writers(workspace, person_id__in=candidates).values(
        "messages__conversation_id"
    )
    small_threads = (
        _inbound_writers(
            workspace,
            person__merged_into__isnull=True,
            messages__conversation_id__in=their_threads,
        )
        .values("messages__conversation_id")
        .annotate(authors=Count("person_id", distinct=True))
        .filter(authors__gte=2, authors__lte=MAX_THREAD_AUTHORS)
        .values("messages__conversation_id")
    )
    authors: dict[tuple[int, str], set[int]] = defaultdict(set)
    for conversation_id, subject, person_id in (
        _inbound_writers(
            workspace,
            person__merged_into__isnull=True,
            messages__conversation_id__in=small_threads,
        )
        .values_list("messages__conversation_id", "messages__conversation__subject", "person_id")
        .order_by()
        .distinct()
    ):
        authors[(conversation_id, subject)].add(person_id)
    for (conversation_id, subject), people in sorted(authors.items()):
        for pair in _pairs_with(people, candidates):
            evidence[pair].add(
                Signal.SAME_THREAD,
                subject or f"#{conversation_id}",
                THREAD_WEIGHT,
                conversation_id=conversation_id,
            )


def _inbound_writers(workspace: Workspace, **conditions: Any) -> QuerySet[Identity]:
    """Identities that wrote inbound messages, through Identity's reverse relation
    ``messages`` (inbox's Message: people cannot import inbox).

    One filter() call, so that every condition on ``messages`` is about the same message.
    """
    return Identity.objects.filter(workspace=workspace, messages__direction=INBOUND, **conditions)


def _same_domains(workspace: Workspace, evidence: dict[Pair, Evidence]) -> None:
    people = sorted({pk for pair in evidence for pk in pair})
    domains: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(people), CHUNK_SIZE):
        for person_id, address in (
            Identity.objects.filter(
                workspace=workspace,
                kind=IdentityKind.EMAIL,
                person_id__in=people[start : start + CHUNK_SIZE],
            )
            .values_list("person_id", "external_id")
            .order_by()
        ):
            domain = email_domain(address)
            if domain:
                domains[person_id].add(domain)
    for (first, second), found in evidence.items():
        shared = sorted(domains[first] & domains[second])
        if shared:
            found.add(Signal.EMAIL_DOMAIN, shared[0], DOMAIN_WEIGHT)


def email_domain(address: str) -> str:
    """The organisation domain of an address, or "" for webmail and malformed addresses."""
    domain = address.rpartition("@")[2].strip().lower().rstrip(".")
    if "@" not in address or "." not in domain:
        return ""
    if domain in WEBMAIL_DOMAINS or domain.startswith(WEBMAIL_PREFIXES):
        return ""
    return domain


def _pair(first: int, second: int) -> Pair:
    return (first, second) if first < second else (second, first)


def _pairs_with(people: Iterable[int], candidates: Collection[int]) -> Iterator[Pair]:
    """Pairs among ``people`` with at least one candidate in them."""
    wanted = set(candidates)
    for first, second in combinations(sorted(people), 2):
        if first in wanted or second in wanted:
            yield (first, second)
