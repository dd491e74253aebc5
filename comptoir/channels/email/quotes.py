"""The visible part of a reply: the new words, without the quoted history and the signature.

mail-parser-reply finds where the quoted history starts ("Le ... a écrit :", "On ... wrote:",
an Outlook "De : / Envoyé : / À :" block, "-----Original Message-----"). Signatures are cut
here rather than by the library, whose sign-off list ("Thanks,", "Best,") also matches the
first words of real sentences ("Thanks, the parcel arrived broken").

A forward is content, not history: the customer forwards an order confirmation or an
earlier exchange for it to be read, so the forwarded block stays in the visible text.
"""

from __future__ import annotations

import re

from mailparser_reply.parser import EmailMessage

_LANGUAGES = ["fr", "en"]

# Gmail wraps a long attribution line: "Le lun. 16 nov. 2026 à 10:12, X <x@y> a\nécrit :".
# The second line must not be a whole attribution of its own.
_WRAPPED_ATTRIBUTION = re.compile(
    r"^((?:> ?)*(?:Le|On) [^\n]+)(?<!:)\n(?!(?:> ?)*(?:Le|On) )(?:> ?)*"
    r"([^\n]{0,80}?(?:écrit|wrote) ?:)[ \t]*$",
    re.MULTILINE,
)
_FORWARD_MARKER = re.compile(
    r"^[ \t]*(?:-{3,} ?(?:Forwarded message|Message transféré) ?-{3,}"
    r"|Begin forwarded message:|Début du message réexpédié ?:)[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
# Where the author's own words end, when the library does not know the marker.
_END_OF_WORDS = re.compile(
    r"^(?:-- ?"  # RFC 3676 signature separator
    r"|_{10,}"  # Outlook's line above the quoted message
    r"|-{3,} ?(?:Original Message|Message d'origine) ?-{3,}"
    r"|(?:Envoyé (?:de|depuis) (?:mon|ma|l'application) |Sent from my |Get Outlook for "
    r"|Obtenir Outlook pour |Télécharger Outlook pour )[^\n]*"
    r")[ \t]*$",
    re.MULTILINE | re.IGNORECASE,
)
_QUOTED_OR_BLANK = re.compile(r"^(?:>[^\n]*)?[ \t]*$")


def visible_text(full_text: str) -> str:
    """The part of ``full_text`` a person reads as this message; never empty if it is not."""
    # No-break spaces (French "a écrit :", Outlook's "De :") would hide the markers.
    text = full_text.replace("\xa0", " ").replace("\u202f", " ")
    text = _WRAPPED_ATTRIBUTION.sub(r"\1 \2", text)
    forwarded = ""
    marker = _FORWARD_MARKER.search(text)
    if marker:
        text, forwarded = text[: marker.start()], text[marker.start() :].strip()
    visible = _own_words(text)
    if forwarded:
        visible = f"{visible}\n\n{forwarded}" if visible else forwarded
    return visible or full_text.strip()


def _own_words(text: str) -> str:
    end = _END_OF_WORDS.search(text)
    if end:
        text = text[: end.start()]
    replies = EmailMessage(text, languages=list(_LANGUAGES), keep_hyphen_lists=True).read().replies
    if not replies:
        return ""
    # When the author wrote below the quote, the first part is the quote with its header.
    first = replies[0].full_body if replies[0].headers else replies[0].content
    return _strip_quoted_edges(first)


def _strip_quoted_edges(text: str) -> str:
    """Drop quoted lines above and below the words; quotes between answers stay."""
    lines = text.split("\n")
    while lines and _QUOTED_OR_BLANK.match(lines[0]):
        lines.pop(0)
    while lines and _QUOTED_OR_BLANK.match(lines[-1]):
        lines.pop()
    return "\n".join(lines)
