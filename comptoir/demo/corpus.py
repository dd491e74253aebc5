"""What the demo's people and employees write, as templates with slots.

A conversation is about one topic (a lost parcel, an SSO question...). For each topic and
language a ``TopicText`` holds the openers by register (a formal email, a public post, a
private message, a LinkedIn comment), the customer's follow-ups and thanks, the employee's
replies and closings (formal: email, "vous" in French; casual: the other networks, "tu" in
French; on LinkedIn a short public answer that takes the matter to private messages) and
internal notes. A ``Voice`` holds what wraps those texts
(greetings, sign-offs, signatures, the emojis and hashtags of a public post).

The texts themselves are prose, so they live as prose in ``data/<company>.<language>.txt``:
``== key`` opens a block (a topic, or ``voice``), ``-- field`` a field of it, and each line
after that is one template. Lines starting with "# " are comments; hashtags are not.

A topic holds several stories (a parcel short of an item, an umbrella forgotten in a
shop): a line that belongs to one starts with its tag, ``[store] ...``, the same tag in
every language. A thread keeps to the story its opener (or, failing that, its first
reply) took; untagged lines fit every story.

Slots are ``str.format`` fields ({name}, {order}, {product}...); the plan fills them with
values drawn once per conversation, so a thread speaks of one order throughout. A template
naming a slot the plan does not fill fails loudly (KeyError), never silently.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, get_args

from comptoir.inbox.models import Priority

Mood = Literal["negative", "neutral", "positive"]
Lines = tuple[str, ...]


@dataclass(frozen=True)
class Topic:
    """What a conversation is about, the same in every language."""

    key: str
    mood: Mood
    # Weights of each priority for a conversation on this topic.
    priorities: tuple[tuple[Priority, int], ...] = ((Priority.NORMAL, 1),)
    # Spam is read and closed, never answered.
    answered: bool = True
    # File names a customer may attach to the first email (photos of a broken lamp...).
    attachments: Lines = ()


@dataclass(frozen=True)
class TopicText:
    """The texts of one topic in one language. Empty registers are not used for it."""

    subjects: Lines = ()
    email: Lines = ()
    public: Lines = ()
    private: Lines = ()
    pro: Lines = ()
    follow_ups: Lines = ()
    thanks: Lines = ()
    replies_formal: Lines = ()
    replies_pro: Lines = ()  # public LinkedIn answers; the formal replies stand in if none
    replies_casual: Lines = ()
    closings_formal: Lines = ()
    closings_casual: Lines = ()
    # Internal notes, written in the team's working language whatever the customer's.
    notes: Lines = ()


@dataclass(frozen=True)
class Voice:
    """What surrounds the topic texts in one language for one company."""

    customer_greetings: Lines
    customer_signoffs: Lines
    agent_greetings: Lines  # with {name}
    agent_signoffs: Lines
    team_signature: str  # under the employee's name in an email
    casual_signature: str  # after a social reply, with {agent}
    pro_thanks: Lines  # how people acknowledge a public answer on LinkedIn
    garnish: dict[Mood, Lines] = field(default_factory=dict)  # ends of public posts


def fill(template: str, slots: dict[str, str]) -> str:
    return template.format_map(slots)


def story_of(line: str) -> tuple[str, str]:
    """("store", "Je suis passée...") for "[store] Je suis passée..."; ("", line) untagged."""
    if line.startswith("[") and "] " in line:
        tag, _, text = line[1:].partition("] ")
        return tag, text
    return "", line


# Priority mixes shared by both companies' topics.
CALM = ((Priority.LOW, 3), (Priority.NORMAL, 7))
USUAL = ((Priority.LOW, 1), (Priority.NORMAL, 8), (Priority.HIGH, 1))
PRESSING = ((Priority.NORMAL, 5), (Priority.HIGH, 4), (Priority.URGENT, 1))
BURNING = ((Priority.NORMAL, 2), (Priority.HIGH, 5), (Priority.URGENT, 3))
IGNORABLE = ((Priority.LOW, 1),)

PHOTOS = ("photo1.jpg", "IMG_2048.jpg", "IMG_3117.HEIC", "colis_abime.jpg", "carton.jpg")
SCREENSHOTS = ("capture.png", "Screenshot 2026-11-14 at 10.12.41.png", "erreur_sso.png")

B2C_TOPICS: dict[str, Topic] = {
    t.key: t
    for t in (
        Topic("damaged", "negative", PRESSING, attachments=PHOTOS),
        Topic("late_delivery", "negative", USUAL),
        Topic("lost_parcel", "negative", PRESSING),
        Topic("missing_item", "negative", USUAL, attachments=PHOTOS[:2]),
        Topic("refund", "negative", PRESSING),
        Topic("question", "neutral", USUAL),
        Topic("purchase_intent", "positive", CALM),
        Topic("praise", "positive", CALM),
        Topic("churn", "negative", BURNING),
        Topic("spam", "neutral", IGNORABLE, answered=False),
    )
}

B2B_TOPICS: dict[str, Topic] = {
    t.key: t
    for t in (
        Topic("licences", "neutral", USUAL),
        Topic("sso", "neutral", PRESSING, attachments=SCREENSHOTS),
        Topic("invoice", "neutral", USUAL, attachments=("PO-scan.pdf", "bon_de_commande.pdf")),
        Topic("renewal", "neutral", PRESSING),
        Topic("outage", "negative", BURNING, attachments=SCREENSHOTS[:2]),
        Topic("feature_request", "neutral", CALM),
        Topic("pricing", "positive", USUAL),
        Topic("praise", "positive", CALM),
        Topic("churn", "negative", BURNING),
        Topic("spam", "neutral", IGNORABLE, answered=False),
    )
}


@dataclass(frozen=True)
class Corpus:
    voice: Voice
    topics: dict[str, TopicText]


class CorpusError(ValueError):
    """A corpus file that does not follow the format; names the file and the line."""


@cache
def corpus(company: str, language: str) -> Corpus:
    """The texts of ``company`` ("b2c" or "b2b") in ``language``, parsed once per process."""
    name = f"{company}.{language}.txt"
    text = resources.files(__package__).joinpath("data", name).read_text("utf-8")
    blocks = _blocks(name, text)
    voice = blocks.pop("voice", None)
    if voice is None:
        raise CorpusError(f"{name}: no voice block")
    return Corpus(
        voice=_voice(name, voice),
        topics={key: _topic(name, key, fields) for key, fields in blocks.items()},
    )


def _blocks(name: str, text: str) -> dict[str, dict[str, list[str]]]:
    blocks: dict[str, dict[str, list[str]]] = {}
    block: dict[str, list[str]] | None = None
    lines: list[str] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("== "):
            block = blocks.setdefault(line[3:].strip(), {})
            lines = None
        elif line.startswith("-- "):
            if block is None:
                raise CorpusError(f"{name}:{number}: a field before any block")
            lines = block.setdefault(line[3:].strip(), [])
        elif lines is None:
            raise CorpusError(f"{name}:{number}: a text before any field")
        else:
            lines.append(line)
    return blocks


def _topic(name: str, key: str, fields: dict[str, list[str]]) -> TopicText:
    known = {f.name for f in dataclasses.fields(TopicText)}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise CorpusError(f"{name}: topic {key} has unknown fields {', '.join(unknown)}")
    return TopicText(**{field_name: tuple(lines) for field_name, lines in fields.items()})


def _voice(name: str, fields: dict[str, list[str]]) -> Voice:
    def lines(field_name: str) -> Lines:
        found = fields.get(field_name)
        if not found:
            raise CorpusError(f"{name}: the voice has no {field_name}")
        return tuple(found)

    garnish: dict[Mood, Lines] = {
        mood: tuple(fields.get(f"garnish_{mood}", ())) for mood in get_args(Mood)
    }
    return Voice(
        customer_greetings=lines("customer_greetings"),
        customer_signoffs=lines("customer_signoffs"),
        agent_greetings=lines("agent_greetings"),
        agent_signoffs=lines("agent_signoffs"),
        team_signature=lines("team_signature")[0],
        casual_signature=lines("casual_signature")[0],
        pro_thanks=lines("pro_thanks"),
        garnish=garnish,
    )
