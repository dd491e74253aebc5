"""How soon a person should answer, and why.

Urgency is built from reasons a team can check, never from a score alone:

- ``safety``: words about danger to people (fire, smoke, gas, injury, electric shock);
- ``legal_threat``: a lawyer, a lawsuit, a consumer body or a regulator named;
- ``churn_threat``: the intent reader found a threat to leave;
- ``public_complaint``: a complaint that everyone can see (a public post or reply);
- ``repeated_contact``: the person wrote several times this week, or says so.

Each reason carries points: safety is urgent by itself; legal threats and churn threats
make a message high; a public complaint or a repeated contact raises it by one step.
Three points or more is urgent, one or two is high. With no reason, a complaint, a
question, an after-sales request or a wish to buy is normal, and everything else (praise,
spam, small talk) is low.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from comptoir.understanding.intents import (
    AFTER_SALES,
    CHURN_THREAT,
    COMPLAINT,
    PURCHASE_INTENT,
    QUESTION,
    THRESHOLD,
    IntentReading,
    alternatives_literals,
    normalise,
    required_literals,
    word_key,
    word_keys,
)


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Reason(StrEnum):
    SAFETY = "safety"
    LEGAL_THREAT = "legal_threat"
    CHURN_THREAT = "churn_threat"
    PUBLIC_COMPLAINT = "public_complaint"
    REPEATED_CONTACT = "repeated_contact"


POINTS: Final = {
    Reason.SAFETY: 3,
    Reason.LEGAL_THREAT: 2,
    Reason.CHURN_THREAT: 2,
    Reason.PUBLIC_COMPLAINT: 1,
    Reason.REPEATED_CONTACT: 1,
}
URGENT_FROM: Final = 3
REPEATED_FROM: Final = 2  # earlier contacts in the last seven days that make this one repeated


@dataclass(frozen=True)
class Context:
    """What the pipeline knows about a text that the text does not say."""

    is_public: bool = False
    previous_contacts_7d: int = 0
    channel_kind: str = ""  # "email", "x", "facebook", ... as the channel names itself


@dataclass(frozen=True)
class UrgencyReading:
    level: Urgency
    reasons: tuple[Reason, ...]  # strongest first
    cues: tuple[str, ...]  # the words that gave the safety and legal reasons


# Matched on the normalised text (lower case, no accents). "fire" alone is slang for
# "great", so English fire needs company; French "feu" is as ambiguous ("feu vert").
_SAFETY = re.compile(
    r"\b(?:incendie|flammes?|fumee|brule|brulure|explos\w*|electrocut\w*|electrise|"
    r"court-circuit|fuite de gaz|odeur de gaz|surchauffe|etincelles?|intoxi\w*|"
    r"empoisonn\w*|blesse\w*|hopital|urgences|danger\w*|avale|s'etouffe\w*|"
    r"caught fire|on fire|fire hazard|flames?|smoke|smoking hot|burn(?:t|ed|s|ing)?|"
    r"explod\w*|electric shock|electrocut\w*|short circuit|gas leak|smell of gas|"
    r"overheat\w*|sparks?|poison\w*|injur\w*|hurt|hospital|a&e|unsafe|choking|swallowed)\b"
)
_LEGAL = re.compile(
    r"\b(?:avocats?|proces|tribunal|justice|poursuites?|poursuivre|porter plainte|"
    r"plainte contre|mise en demeure|ufc[- ]que[- ]choisir|que choisir|dgccrf|signalconso|"
    r"60 millions|mediateur|cnil|huissier|"
    r"lawyers?|attorneys?|solicitors?|lawsuit|sue|suing|court|legal action|small claims|"
    r"trading standards|ombudsman|ofcom|fcc|bbb|better business bureau|class action|"
    r"letter before action|chargeback)\b"
)
_SAID_REPEATED = re.compile(
    r"\b(?:(?:deuxieme|troisieme|quatrieme|enieme|nieme|\d+e) fois|je (?:vous )?relance|"
    r"deja (?:appele|ecrit|signale|contacte)|"
    r"(?:second|third|fourth|fifth|\d+(?:nd|rd|th)) time|already (?:called|written|emailed|"
    r"reported|contacted)|chased|chasing|again and again|still waiting)\b"
)


# Most texts name no danger and no lawyer. Both patterns open on a word boundary, so a
# match starts a word with one of their literals: when no word of the text starts like
# one of them (``word_keys``), the pattern is skipped.
@dataclass(frozen=True)
class _Gate:
    literals: dict[str, tuple[str, ...]]  # the pattern's literals by ``word_key``
    keys: frozenset[str]  # the same keys: a set intersects a set faster than dict keys


def _gate(pattern: re.Pattern[str]) -> _Gate:
    literals = required_literals(pattern.pattern)
    if not pattern.pattern.startswith("\\b") or not literals:
        raise ValueError(f"no word-start literals to gate {pattern.pattern[:40]}")
    gate: dict[str, tuple[str, ...]] = {}
    for literal in literals:
        # Keyed as the text's words are, so that "on fire" and "a&e" are looked for when
        # a word "on" or "a" is there: their first three characters are no word's key.
        key = word_key(literal)
        gate[key] = (*gate.get(key, ()), literal)
    return _Gate(gate, frozenset(gate))


_SAFETY_GATE: Final = _gate(_SAFETY)
_LEGAL_GATE: Final = _gate(_LEGAL)
# Few texts say they wrote before; one of these substring tests costs less than the search.
_SAID_REPEATED_NEEDS: Final = alternatives_literals(_SAID_REPEATED.pattern)
if not _SAID_REPEATED_NEEDS:
    raise ValueError("no literals to gate _SAID_REPEATED")


def _findall(pattern: re.Pattern[str], gate: _Gate, keys: frozenset[str], text: str) -> list[str]:
    for key in keys & gate.keys:
        if any(literal in text for literal in gate.literals[key]):
            return list(pattern.findall(text))
    return []


def assess_urgency(
    texts: Sequence[str],
    intents: Sequence[IntentReading],
    contexts: Sequence[Context] | None = None,
    *,
    normalised: Sequence[str] | None = None,
) -> list[UrgencyReading]:
    """One reading per text, from its words, its intents and what the pipeline knows.
    ``normalised`` holds the intents' ``normalise(text)`` when the caller has it."""
    folded = normalised or [normalise(text) for text in texts]
    return [
        _assess(folded[index], intents[index], contexts[index] if contexts else Context())
        for index in range(len(texts))
    ]


def _assess(normalised: str, intents: IntentReading, context: Context) -> UrgencyReading:
    scores = intents.scores
    keys = word_keys(normalised)
    reasons: list[Reason] = []
    cues: list[str] = []
    if safety := _findall(_SAFETY, _SAFETY_GATE, keys, normalised):
        reasons.append(Reason.SAFETY)
        cues.extend(safety)
    if legal := _findall(_LEGAL, _LEGAL_GATE, keys, normalised):
        reasons.append(Reason.LEGAL_THREAT)
        cues.extend(legal)
    if scores[CHURN_THREAT] >= THRESHOLD:
        reasons.append(Reason.CHURN_THREAT)
    if context.is_public and scores[COMPLAINT] >= THRESHOLD:
        reasons.append(Reason.PUBLIC_COMPLAINT)
    if context.previous_contacts_7d >= REPEATED_FROM or (
        any(map(normalised.__contains__, _SAID_REPEATED_NEEDS))
        and _SAID_REPEATED.search(normalised)
    ):
        reasons.append(Reason.REPEATED_CONTACT)

    points = sum(POINTS[reason] for reason in reasons)
    if points >= URGENT_FROM:
        level = Urgency.URGENT
    elif points:
        level = Urgency.HIGH
    elif any(
        scores[name] >= THRESHOLD for name in (COMPLAINT, QUESTION, AFTER_SALES, PURCHASE_INTENT)
    ):
        level = Urgency.NORMAL
    else:
        level = Urgency.LOW
    return UrgencyReading(level, tuple(reasons), tuple(dict.fromkeys(cues)))
