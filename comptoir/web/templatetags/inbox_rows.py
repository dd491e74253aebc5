"""The inbox's rows and filter selects, drawn in Python.

A page of the inbox shows 50 rows of a dozen cells each; through the template engine each
row cost about 0.4 ms (translations, choice labels, dates and URLs worked out again for
every row). Here what is the same for every row (labels, the URL's prefix, the current
time) is worked out once per page, and each row is one string: every value from the
database is escaped (``_e``, the html.escape Django's own escaping uses) before it joins
the markup, so the output is what the template engine would give.
"""

from __future__ import annotations

import html
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from django import forms, template
from django.contrib.humanize.templatetags.humanize import NaturalTimeFormatter
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext

from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Priority,
    Sentiment,
    Urgency,
)
from comptoir.web.templatetags.comptoir_ui import avatar_hue, channel_badge, initials

register = template.Library()

HIGH = ("high", "urgent")

# What a row shows: the conversation's columns and the names of what it points to. A row
# answers to ``pk`` like a model, and to ``id``, the end of the inbox's keyset ordering.
ROW_FIELDS = (
    "pk",
    "id",
    "status",
    "language",
    "sentiment",
    "priority",
    "urgency",
    "subject",
    "last_message_preview",
    "message_count",
    "last_activity_at",
    "channel__kind",
    "channel__name",
    "person__display_name",
    "identity_id",
    "identity__handle",
    "identity__display_name",
    "identity__external_id",
    "assignee_id",
    "assignee__display_name",
    "assignee_team_id",
    "assignee_team__name",
)

ROW = (
    '<tr class="status-row-{status}">'
    '<td class="col-person"><div class="who">'
    '<span class="avatar" style="--hue: {hue}" aria-hidden="true">{initials}</span>'
    '<span class="who-text"><span class="who-name">{name}</span>{handle}</span>'
    "</div></td>"
    '<td class="col-channel">{channel}</td>'
    '<td class="col-subject"><div class="subject-line">{badges}{subject}</div>{tags}{preview}</td>'
    '<td><span class="badge status-{status}">{status_label}</span></td>'
    '<td class="col-assignee">{assignee}</td>'
    '<td class="num">{count}</td>'
    '<td class="col-when"><time datetime="{iso}" title="{when}">{ago}</time></td>'
    "</tr>"
)


def _truncate(text: str, length: int) -> str:
    """The truncatechars filter: Truncator's answer, without its walk when the text fits."""
    text = unicodedata.normalize("NFC", text)
    return text if len(text) <= length else Truncator(text).chars(length)


def _e(value: object) -> str:
    """Escaped as Django's ``escape`` does (the same html.escape), without its lazy wrapper:
    every value from the database goes through here before it joins the markup."""
    return html.escape(str(value))


class _Labels:
    """What every row of one page shares, in the request's language, escaped."""

    def __init__(self) -> None:
        self.status = {value: _e(label) for value, label in ConversationStatus.choices}
        self.priority = {value: _e(label) for value, label in Priority.choices}
        self.urgency = {value: _e(label) for value, label in Urgency.choices}
        self.sentiment = {value: _e(label) for value, label in Sentiment.choices}
        self.sentiment_title = {
            value: _e(gettext("Sentiment: %(sentiment)s") % {"sentiment": label})
            for value, label in Sentiment.choices
        }
        self.language = _e(gettext("Language"))
        self.unknown = gettext("Unknown person")
        self.untitled = gettext("(no subject)")
        self.unassigned = f'<span class="muted">{_e(gettext("Unassigned"))}</span>'
        self.when = _WhenFormat(formats.get_format("DATETIME_FORMAT"))
        self.ago = _natural_time()
        self.channels: dict[tuple[str, str], str] = {}

    def channel(self, kind: str, name: str) -> str:
        key = (kind, name)
        if key not in self.channels:
            self.channels[key] = str(channel_badge(kind, name))
        return self.channels[key]


# Format specifiers whose text depends on the date alone, and on the time of day alone.
_DATE_PARTS = frozenset("bdDEFjlLmMnNoStwWyYz")
_CLOCK_PARTS = frozenset("aAfgGhHiP")
# The text of a time-of-day specifier by language, specifier, hour and minute: at most
# 1,440 entries a specifier, worked out once per process.
_CLOCK_TEXTS: dict[tuple[str, str, int, int], str] = {}


class _WhenFormat:
    """``dateformat.format(when, format)`` for the rows of one page, piece by piece.

    A format made only of date and time-of-day specifiers (as DATETIME_FORMAT is in
    English and in French) is split once; each date specifier is worked out once per day
    shown, and each time-of-day one once per minute of the day in the language. Any other
    format is left to ``dateformat.format`` for each value.
    """

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.language = get_language() or ""
        split = dateformat.re_formatchars.split(str(fmt))
        self.simple = all(part in _DATE_PARTS or part in _CLOCK_PARTS for part in split[1::2])
        # (True, specifier) or (False, literal text, unescaped as dateformat does).
        self.pieces = [
            (True, part) if index % 2 else (False, dateformat.re_escaped.sub(r"\1", part))
            for index, part in enumerate(split)
            if part
        ]
        self.dates: dict[tuple[str, int, int, int], str] = {}

    def __call__(self, when: datetime) -> str:
        if not self.simple:
            return dateformat.format(when, self.fmt)
        texts = []
        for specifier, part in self.pieces:
            if not specifier:
                texts.append(part)
            elif part in _DATE_PARTS:
                key = (part, when.year, when.month, when.day)
                text = self.dates.get(key)
                if text is None:
                    text = self.dates[key] = str(getattr(dateformat.DateFormat(when), part)())
                texts.append(text)
            else:
                clock = (self.language, part, when.hour, when.minute)
                text = _CLOCK_TEXTS.get(clock)
                if text is None:
                    text = _CLOCK_TEXTS[clock] = str(getattr(dateformat.DateFormat(when), part)())
                texts.append(text)
        return "".join(texts)


class _Kept:
    """A translated string whose ``%`` results are kept for one page (one language): the
    rows' "3 hours ago" and "1 day, 2 hours" repeat the same few words and numbers."""

    def __init__(self, text: Any) -> None:
        self.text = text
        self.done: dict[tuple[tuple[str, object], ...], str] = {}

    def __mod__(self, mapping: dict[str, object]) -> str:
        key = tuple(mapping.items())
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = str(self.text % mapping)
        return found

    def __str__(self) -> str:
        return str(self.text)


def _natural_time() -> Any:
    """The naturaltime filter's formatter, its strings kept for the page (see _Kept)."""
    base = NaturalTimeFormatter

    def kept(strings: dict[str, str]) -> dict[str, str]:
        # A _Kept answers to % and str() as the lazy string it keeps does.
        return {key: cast(str, _Kept(text)) for key, text in strings.items()}

    class PageNaturalTime(NaturalTimeFormatter):
        time_strings = kept(base.time_strings)
        past_substrings = kept(base.past_substrings)
        future_substrings = kept(base.future_substrings)

    return PageNaturalTime.string_for


def _tags_of(conversations: Sequence[Any]) -> dict[int, list[tuple[str, str]]]:
    """Each conversation's tags (name, colour) by name, in one query for the page."""
    through = Conversation.tags.through
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        through.objects.filter(conversation_id__in=[convo.pk for convo in conversations])
        .order_by("tag__name", "tag_id")
        .values_list("conversation_id", "tag__name", "tag__color")
    )
    for convo_id, name, color in rows:
        found[convo_id].append((name, color))
    return found


def _tag_list(tags: list[tuple[str, str]]) -> str:
    if not tags:
        return ""
    chips = "".join(
        '<li class="tag-chip"{}>{}</li>'.format(
            f' style="--tag: {_e(color)}"' if color else "", _e(name)
        )
        for name, color in tags
    )
    return f'<ul class="tag-list tag-list-sm" role="list">{chips}</ul>'


def _badges(convo: Any, labels: _Labels) -> str:
    parts: list[str] = []
    if convo.language:
        language = _e(convo.language.upper())
        parts.append(f'<span class="lang-tag" title="{labels.language}">{language}</span>')
    if convo.sentiment:
        value = _e(convo.sentiment)
        label = labels.sentiment.get(convo.sentiment, value)
        title = labels.sentiment_title.get(convo.sentiment, label)
        parts.append(
            f'<span class="sentiment-dot sentiment-{value}" title="{title}">'
            f'<span class="visually-hidden">{label}</span></span>'
        )
    if convo.priority in HIGH:
        label = labels.priority.get(convo.priority, _e(convo.priority))
        parts.append(f'<span class="badge badge-sm priority-{convo.priority}">{label}</span>')
    if convo.urgency in HIGH:
        label = labels.urgency.get(convo.urgency, _e(convo.urgency))
        parts.append(f'<span class="badge badge-sm urgency-{convo.urgency}">{label}</span>')
    return "".join(parts)


def _subject(convo: Any, url: str, labels: _Labels) -> str:
    if convo.subject:
        return f'<a class="subject" href="{url}">{_e(_truncate(convo.subject, 120))}</a>'
    text = _e(_truncate(convo.last_message_preview or labels.untitled, 160))
    return f'<a class="subject subject-untitled" href="{url}">{text}</a>'


def _assignee(convo: Any, labels: _Labels) -> str:
    seat, team = convo.assignee_id, convo.assignee_team_id
    if seat is None and team is None:
        return labels.unassigned
    text = _e(convo.assignee__display_name) if seat is not None else ""
    if team is not None:
        name = _e(convo.assignee_team__name)
        text += f'{"<br>" if seat is not None else ""}<span class="muted">{name}</span>'
    return text


@register.simple_tag(takes_context=True)
def inbox_rows(context: template.Context, conversations: Sequence[Any]) -> SafeString:
    """The <tr> of each conversation of an inbox page (see inbox/_page.html).

    Each conversation is a row of ``ROW_FIELDS`` (``values_list(*ROW_FIELDS, named=True)``):
    the columns shown and the names of what they point to, without building models.
    """
    if not conversations:
        return SafeString("")
    slug = context["seat"].workspace.slug
    # The conversation's URL is its prefix and its id: one reverse() for the page.
    prefix, _zero, suffix = reverse("web:conversation", args=[slug, 0]).rpartition("0")
    prefix, suffix = _e(prefix), _e(suffix)
    labels = _Labels()
    tags = _tags_of(conversations)
    rows = []
    for convo in conversations:
        identity = convo.identity_id is not None
        # Identity.label: its handle, else its display name, else its external id.
        handle = (
            convo.identity__handle or convo.identity__display_name or convo.identity__external_id
            if identity
            else ""
        )
        name = convo.person__display_name or handle or labels.unknown
        when = localtime(convo.last_activity_at) if convo.last_activity_at else None
        preview = convo.last_message_preview
        rows.append(
            ROW.format(
                status=_e(convo.status),
                hue=avatar_hue(name),
                initials=_e(initials(name)),
                name=_e(name),
                handle=f'<span class="who-handle">{_e(handle)}</span>' if identity else "",
                channel=labels.channel(convo.channel__kind, convo.channel__name),
                badges=_badges(convo, labels),
                subject=_subject(convo, f"{prefix}{int(convo.pk)}{suffix}", labels),
                tags=_tag_list(tags.get(convo.pk, [])),
                preview=f'<div class="preview">{_e(_truncate(preview, 140))}</div>'
                if convo.subject and preview
                else "",
                status_label=labels.status.get(convo.status, _e(convo.status)),
                assignee=_assignee(convo, labels),
                count=int(convo.message_count),
                iso=_e(when.isoformat()) if when else "",
                when=_e(labels.when(when)) if when else "",
                ago=_e(labels.ago(when)) if when else "",
            )
        )
    # Every value above went through _e (or is a number, or a safe channel badge).
    return mark_safe("\n".join(rows))  # noqa: S308


def _select(field: forms.BoundField) -> str:
    """One filter as Django's Select widget draws it, without the widget's templates."""
    value = field.value()
    chosen = "" if value is None else str(value)
    choices: Iterable[tuple[Any, Any]] = getattr(field.field, "choices", ())
    options = "\n".join(
        '<option value="{}"{}>{}</option>'.format(
            _e(key), " selected" if key == chosen else "", _e(label)
        )
        for key, label in ((("" if key is None else str(key)), label) for key, label in choices)
    )
    # A value the field refused is marked as Django's widget marks it.
    invalid = (
        f' aria-invalid="true" aria-describedby="{_e(field.auto_id)}_error"' if field.errors else ""
    )
    return (
        f'<label class="field">\n<span class="field-label">{_e(field.label)}</span>\n'
        f'<select name="{_e(field.html_name)}"{invalid} id="{_e(field.auto_id)}">\n{options}\n'
        "</select>\n"
        "</label>"
    )


@register.simple_tag
def filter_selects(form: forms.Form) -> SafeString:
    """Every field of the inbox's filter form but the search box, each a labelled select."""
    selects = [_select(field) for field in form if field.name != "q"]
    # Labels, names and choices went through _e.
    return mark_safe("\n".join(selects))  # noqa: S308
