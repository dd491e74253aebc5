"""Small presentation helpers shared by the templates: channel badges, initials, lookups."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from comptoir.channels.models import ChannelKind
from comptoir.people.models import IdentityKind

register = template.Library()

# A short mark per network, drawn in its colour by the stylesheet (no icon font to load).
CHANNEL_MARKS: dict[str, str] = {
    "email": "@",
    "phone": "☎",
    "x": "X",
    "facebook": "f",
    "instagram": "IG",
    "linkedin": "in",
    "mastodon": "M",
    "bluesky": "B",
    "web_chat": "…",
    "feed": "R",
    "webhook": "{}",
    "other": "•",
}
# Identity kinds and channel kinds share their values; channel labels win where both exist.
KIND_LABELS: dict[str, Any] = {**dict(IdentityKind.choices), **dict(ChannelKind.choices)}


@register.simple_tag
def channel_badge(kind: str, detail: str = "", *, compact: bool = False) -> SafeString:
    """A network's mark and name; ``compact`` keeps only the mark (the name goes in a title)."""
    label = KIND_LABELS.get(kind, kind)
    title = f"{label} · {detail}" if detail else str(label)
    if compact:
        return format_html(
            '<span class="chan chan-{} chan-compact" title="{}">'
            '<span class="chan-mark" aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></span>',
            kind,
            title,
            CHANNEL_MARKS.get(kind, "•"),
            label,
        )
    return format_html(
        '<span class="chan chan-{}" title="{}"><span class="chan-mark" aria-hidden="true">{}'
        "</span>{}</span>",
        kind,
        title,
        CHANNEL_MARKS.get(kind, "•"),
        label,
    )


@register.filter
def initials(name: str) -> str:
    """Up to two initials for an avatar: "Marie-Claire Dupont" gives "MD"."""
    words = [word for word in str(name).replace("-", " ").split() if word[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


@register.filter
def get_item(mapping: Mapping[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def avatar_hue(name: str) -> int:
    """A stable hue per name, so a person's avatar keeps its colour from page to page."""
    return zlib.crc32(str(name).encode()) % 360


@register.filter
def attachment_name(attachment: object) -> str:
    """The file name of an attachment's metadata, whichever key its channel used."""
    if isinstance(attachment, Mapping):
        for key in ("name", "filename", "title", "url"):
            if attachment.get(key):
                return str(attachment[key])
    return str(gettext("Attachment"))


@register.filter
def web_url(url: str) -> str:
    """The URL if it is an http(s) link, else "": platform data must not smuggle javascript:."""
    return url if urlsplit(str(url)).scheme in {"http", "https"} else ""
