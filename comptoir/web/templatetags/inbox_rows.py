"""The inbox's rows and filter selects, drawn in Python.

A page of the inbox shows 50 rows of a dozen cells each; through the template engine each
row cost about 0.4 ms (translations, choice labels, dates and URLs worked out again for
every row). Here what is the same for every row (labels, the URL's prefix, the current
time) is worked out once per page, and each row is one ``format_html`` call: every value
from the database is escaped there as the template engine would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms, template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

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


class _Labels:
    """What every row of one page shares, in the request's language."""

    def __init__(self) -> None:
        self.status = {value: str(label) for value, label in ConversationStatus.choices}
        self.priority = {value: str(label) for value, label in Priority.choices}
        self.urgency = {value: str(label) for value, label in Urgency.choices}
        self.sentiment = {value: str(label) for value, label in Sentiment.choices}
        self.sentiment_title = {
            value: gettext("Sentiment: %(sentiment)s") % {"sentiment": label}
            for value, label in self.sentiment.items()
        }
        self.language = gettext("Language")
        self.unknown = gettext("Unknown person")
        self.untitled = gettext("(no subject)")
        self.unassigned = format_html('<span class="muted">{}</span>', gettext("Unassigned"))
        self.channels: dict[tuple[str, str], SafeString] = {}

    def channel(self, kind: str, name: str) -> SafeString:
        key = (kind, name)
        if key not in self.channels:
            self.channels[key] = channel_badge(kind, name)
        return self.channels[key]


def _tags_of(conversations: Sequence[Conversation]) -> dict[int, list[tuple[str, str]]]:
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


def _tag_list(tags: list[tuple[str, str]]) -> SafeString:
    if not tags:
        return mark_safe("")  # noqa: S308 - an empty string
    chips = format_html_join(
        "",
        '<li class="tag-chip"{}>{}</li>',
        (
            (format_html(' style="--tag: {}"', color) if color else "", name)
            for name, color in tags
        ),
    )
    return format_html('<ul class="tag-list tag-list-sm" role="list">{}</ul>', chips)


def _badges(convo: Conversation, labels: _Labels) -> SafeString:
    parts: list[SafeString] = []
    if convo.language:
        parts.append(
            format_html(
                '<span class="lang-tag" title="{}">{}</span>', labels.language, convo.language.upper()
            )
        )
    if convo.sentiment:
        label = labels.sentiment.get(convo.sentiment, convo.sentiment)
        title = labels.sentiment_title.get(
            convo.sentiment, gettext("Sentiment: %(sentiment)s") % {"sentiment": label}
        )
        parts.append(
            format_html(
                '<span class="sentiment-dot sentiment-{}" title="{}">'
                '<span class="visually-hidden">{}</span></span>',
                convo.sentiment,
                title,
                label,
            )
        )
    if convo.priority in HIGH:
        parts.append(
            format_html(
                '<span class="badge badge-sm priority-{}">{}</span>',
                convo.priority,
                labels.priority.get(convo.priority, convo.priority),
            )
        )
    if convo.urgency in HIGH:
        parts.append(
            format_html(
                '<span class="badge badge-sm urgency-{}">{}</span>',
                convo.urgency,
                labels.urgency.get(convo.urgency, convo.urgency),
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))


def _subject(convo: Conversation, url: str, labels: _Labels) -> SafeString:
    if convo.subject:
        return format_html(
            '<a class="subject" href="{}">{}</a>', url, Truncator(convo.subject).chars(120)
        )
    text = convo.last_message_preview or labels.untitled
    return format_html(
        '<a class="subject subject-untitled" href="{}">{}</a>', url, Truncator(text).chars(160)
    )


def _assignee(convo: Conversation, labels: _Labels) -> SafeString:
    seat, team = convo.assignee, convo.assignee_team
    if seat is None and team is None:
        return labels.unassigned
    parts: list[SafeString] = []
    if seat is not None:
        parts.append(format_html("{}", seat.display_name))
    if team is not None:
        if seat is not None:
            parts.append(mark_safe("<br>"))  # noqa: S308 - a constant tag
        parts.append(format_html('<span class="muted">{}</span>', team.name))
    return format_html_join("", "{}", ((part,) for part in parts))


@register.simple_tag(takes_context=True)
def inbox_rows(context: template.Context, conversations: Sequence[Conversation]) -> SafeString:
    """The <tr> of each conversation of an inbox page (see inbox/_page.html)."""
    if not conversations:
        return mark_safe("")  # noqa: S308 - an empty string
    slug = context["seat"].workspace.slug
    # The conversation's URL is its prefix and its id: one reverse() for the page.
    prefix, _zero, suffix = reverse("web:conversation", args=[slug, 0]).rpartition("0")
    labels = _Labels()
    tags = _tags_of(conversations)
    rows = []
    for convo in conversations:
        url = f"{prefix}{convo.pk}{suffix}"
        person, identity = convo.person, convo.identity
        handle = identity.label if identity is not None else ""
        name = (person.display_name if person is not None else "") or handle or labels.unknown
        channel = convo.channel
        when = template_localtime(convo.last_activity_at)
        rows.append(
            format_html(
                ROW,
                status=convo.status,
                hue=avatar_hue(name),
                initials=initials(name),
                name=name,
                handle=format_html('<span class="who-handle">{}</span>', handle)
                if identity is not None
                else "",
                channel=labels.channel(channel.kind, channel.name),
                badges=_badges(convo, labels),
                subject=_subject(convo, url, labels),
                tags=_tag_list(tags.get(convo.pk, [])),
                preview=format_html(
                    '<div class="preview">{}</div>',
                    Truncator(convo.last_message_preview).chars(140),
                )
                if convo.subject and convo.last_message_preview
                else "",
                status_label=labels.status.get(convo.status, convo.status),
                assignee=_assignee(convo, labels),
                count=convo.message_count,
                iso=formats.date_format(when, "c") if when else "",
                when=formats.date_format(when, "DATETIME_FORMAT") if when else "",
                ago=naturaltime(when) if when else "",
            )
        )
    return format_html_join("\n", "{}", ((row,) for row in rows))


def _select(field: forms.BoundField) -> SafeString:
    """One filter as Django's Select widget draws it, without the widget's templates."""
    value = field.value()
    chosen = "" if value is None else str(value)
    choices: Iterable[tuple[Any, Any]] = getattr(field.field, "choices", ())
    options = format_html_join(
        "\n",
        '<option value="{}"{}>{}</option>',
        (
            (
                "" if key is None else key,
                mark_safe(" selected") if str("" if key is None else key) == chosen else "",  # noqa: S308 - a constant
                label,
            )
            for key, label in choices
        ),
    )
    return format_html(
        '<label class="field">\n<span class="field-label">{}</span>\n'
        '<select name="{}" id="{}">\n{}\n</select>\n</label>',
        field.label,
        field.html_name,
        field.auto_id,
        options,
    )


@register.simple_tag
def filter_selects(form: forms.Form) -> SafeString:
    """Every field of the inbox's filter form but the search box, each a labelled select."""
    return format_html_join(
        "\n", "{}", ((_select(field),) for field in form if field.name != "q")
    )
