"""Things in a message a CRM can act on: handles, hashtags, links, emails, phones, orders.

Order and ticket numbers come first and claim their characters, so "order no.
123-4567890" is an order, not a phone number. Phone numbers go through ``phonenumbers``
(Google's libphonenumber), tried for the regions that the message's language suggests, and
are kept only when valid; they come back in E.164 form so they match a stored identity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import phonenumbers

EntityKind = Literal["handle", "hashtag", "url", "email", "phone", "order"]


@dataclass(frozen=True)
class Entity:
    kind: EntityKind
    value: str  # normalised: a phone in E.164, an email in lower case, an order as written
    start: int  # where it sits in the text, for highlighting
    end: int


# Regions tried for numbers written without a country code, by language.
PHONE_REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "fr": ("FR", "BE", "CH", "CA"),
    "en": ("GB", "US"),
    "de": ("DE",),
    "es": ("ES",),
    "it": ("IT",),
    "nl": ("NL",),
    "pt": ("PT",),
}
DEFAULT_REGIONS: Final = ("FR", "GB", "US")

_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# @user, or @user@instance on Mastodon; not the middle of an email address.
_HANDLE = re.compile(r"(?<![\w@.])@\w{1,30}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?")
# A hashtag has a letter somewhere: "#12345" is a ticket number, not a tag.
_HASHTAG = re.compile(r"(?<![\w&#])#\w*[^\W\d_]\w*")
_URL = re.compile(
    r"\bhttps?://[^\s<>\"']+"
    r"|\bwww\.[^\s<>\"']+"
    r"|\b(?:bit\.ly|t\.co|tinyurl\.com|goo\.gl|ow\.ly|buff\.ly|lnkd\.in)/[^\s<>\"']+",
    re.IGNORECASE,
)
_WWW = re.compile(r"www\.", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"»"
_ORDER_PATTERNS: Final = (
    # CMD-2026-48213, TCK-48213: a prefix in capitals and numbers joined by hyphens.
    re.compile(r"\b(?P<value>[A-Z]{2,6}(?:-[A-Z0-9]*\d[A-Z0-9]*){1,3})\b"),
    # "commande 123456", "order no. 123-4567890", "ticket #4821", "facture n° 2026-0412"
    re.compile(
        r"\b(?:commandes?|cmd|cde|orders?|tickets?|dossiers?|cases?|r[ée]f(?:[ée]rence)?|"
        r"invoices?|factures?|claims?|r[ée]clamations?)"
        r"\s*(?:n[°o]\.?|no\.?|num(?:[ée]ro)?\.?|number|#|:)?\s*"
        r"(?P<value>(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,}[A-Z0-9])\b",
        re.IGNORECASE,
    ),
    # "#12345": a number after a hash is a ticket or an order in customer care.
    re.compile(r"(?<![\w&#])#(?P<value>\d{4,})\b"),
)
_DIGITS = re.compile(r"\d")
_ENOUGH_DIGITS_FOR_A_PHONE = 8


def extract_entities(
    texts: Sequence[str], languages: Sequence[str] | None = None
) -> list[list[Entity]]:
    """The entities of each text, in the order they appear."""
    return [
        _extract(text, languages[index] if languages else "") for index, text in enumerate(texts)
    ]


def _extract(text: str, language: str) -> list[Entity]:
    found: list[Entity] = []
    taken: list[tuple[int, int]] = []

    def claim(kind: EntityKind, value: str, start: int, end: int) -> None:
        if any(start < other_end and other_start < end for other_start, other_end in taken):
            return
        taken.append((start, end))
        found.append(Entity(kind, value, start, end))

    # Each kind needs a character most texts lack: test for it before the patterns.
    if "/" in text or _WWW.search(text):
        for match in _URL.finditer(text):
            url = match.group().rstrip(_TRAILING)
            claim("url", url, match.start(), match.start() + len(url))
    if "@" in text:
        for match in _EMAIL.finditer(text):
            claim("email", match.group().lower(), match.start(), match.end())
        for match in _HANDLE.finditer(text):
            claim("handle", match.group(), match.start(), match.end())
    digits = len(_DIGITS.findall(text))
    if digits:
        for pattern in _ORDER_PATTERNS:
            for match in pattern.finditer(text):
                claim("order", match.group("value"), match.start("value"), match.end("value"))
    if "#" in text:
        for match in _HASHTAG.finditer(text):
            claim("hashtag", match.group(), match.start(), match.end())
    if digits >= _ENOUGH_DIGITS_FOR_A_PHONE:
        for start, end, number in _phones(text, language):
            claim("phone", number, start, end)
    return sorted(found, key=lambda entity: entity.start)


def _phones(text: str, language: str) -> list[tuple[int, int, str]]:
    phones: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for region in PHONE_REGIONS.get(language, DEFAULT_REGIONS):
        for match in phonenumbers.PhoneNumberMatcher(text, region):
            if match.start in seen:
                continue
            seen.add(match.start)
            number = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            phones.append((match.start, match.end, number))
    return phones
