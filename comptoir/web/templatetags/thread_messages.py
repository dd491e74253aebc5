"""A conversation's messages, drawn in Python.

A thread page shows 50 messages; through the template engine each one cost about 0.3 ms
(choice labels, translations and dates worked out again for every message). Here the
labels are looked up once per page and each message is one string: every value from the
database is escaped (``_e``, Django's own html.escape) before it joins the markup. A
reply's delivery badge is drawn here too, for the thread and for its own poll
(inbox/_delivery.html).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from django import template
from django.template import loader
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

from comptoir.inbox.models import Conversation, Message
from comptoir.web.templatetags.comptoir_ui import attachment_name, web_url

register = template.Library()

MESSAGE = (
    '<article class="msg msg-{direction}" id="message-{pk}">'
    '<header class="msg-head">'
    '<span class="msg-author">{author}</span>{kind}{sentiment}{urgency}{intents}'
    '<time class="msg-time" datetime="{iso}">{when}</time>'
    "</header>"
    '<div class="msg-body">{body}</div>'
    "{attachments}{link}{delivery}"
    "</article>"
)


def _e(value: object) -> str:
    return html.escape(str(value))


def _choices(name: str) -> dict[str, str]:
    """A field's labels by value, escaped, as get_<name>_display gives them."""
    field = Message._meta.get_field(name)
    return {str(value): _e(label) for value, label in field.flatchoices}  # type: ignore[union-attr]


class _Page:
    """What every message of one page shares, in the request's language."""

    def __init__(self, context: template.Context) -> None:
        self.context = context
        self.kind = _choices("kind")
        self.visibility = _choices("visibility")
        self.sentiment = _choices("sentiment_label")
        self.urgency = _choices("urgency")
        self.delivery_status = _choices("delivery_status")
        self.retry = _e(gettext("Retry"))
        self.urgency_badge = {
            value: _e(gettext("Urgency: %(urgency)s") % {"urgency": html.unescape(label)})
            for value, label in self.urgency.items()
        }
        self.note = f'<span class="badge badge-note">{_e(gettext("Internal note"))}</span>'
        self.sentiment_title = _e(gettext("Sentiment"))
        self.urgency_title = _e(gettext("Urgency"))
        self.intents = _e(gettext("Intents"))
        self.attachments = _e(gettext("Attachments"))
        self.view = _e(gettext("View on the network"))
        self.unknown = gettext("Unknown person")
        self.datetime_format = formats.get_format("DATETIME_FORMAT")
        self.paperclip = loader.get_template("web/_paperclip.svg").render()
        seat = context.get("seat")
        self.workspace_name = _e(seat.workspace.name) if seat is not None else ""

    def author(self, message: Message, conversation: Conversation | None) -> str:
        if message.direction == "inbound":
            author = message.author_identity
            if author is not None and author.display_name:
                name = _e(author.display_name)
                if author.label != author.display_name:
                    return f'{name} <span class="msg-handle">{_e(author.label)}</span>'
                return name
            person = conversation.person if conversation is not None else None
            return _e(
                (author.label if author is not None else "")
                or (person.display_name if person is not None else "")
                or self.unknown
            )
        if message.author_seat is not None:
            return _e(message.author_seat.display_name)
        return self.workspace_name

    def urgency_badge_of(self, message: Message) -> str:
        if not message.urgency:
            return ""
        if message.urgency_reasons:
            title = _e(
                gettext("Urgency because of %(reasons)s")
                % {"reasons": message.urgency_reasons_text}
            )
        else:
            title = self.urgency_title
        label = self.urgency.get(message.urgency, _e(message.urgency))
        text = self.urgency_badge.get(message.urgency, label)
        return f'<span class="badge urgency-{_e(message.urgency)}" title="{title}">{text}</span>'

    def delivery_of(self, message: Message) -> str:
        """A reply's delivery badge; it polls itself while the reply is on its way, and
        offers to send a failed reply again."""
        if message.direction != "outbound" or not message.delivery_status:
            return ""
        status = message.delivery_status
        slug = self.context["seat"].workspace.slug
        conversation_pk = message.conversation_id
        polling = ""
        if status in ("pending", "sending"):
            url = reverse("web:message_delivery", args=[slug, conversation_pk, message.pk])
            every = _e(self.context.get("poll_seconds") or 5)
            polling = f' hx-get="{_e(url)}" hx-trigger="every {every}s" hx-swap="outerHTML"'
        label = self.delivery_status.get(status, _e(status))
        failed = ""
        if status == "failed":
            if message.delivery_error:
                failed = f'<span class="delivery-error">{_e(message.delivery_error)}</span>'
            retry = reverse("web:message_retry", args=[slug, conversation_pk, message.pk])
            token = self.context.get("csrf_token")
            csrf = (
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{_e(token)}">'
                if token and token != "NOTPROVIDED"  # noqa: S105 - the "no token" marker
                else ""
            )
            failed += (
                f'<form method="post" action="{_e(retry)}" class="inline-form">{csrf}'
                f'<button type="submit" class="button button-sm">{self.retry}</button></form>'
            )
        return (
            f'<div class="delivery delivery-{_e(status)}" id="delivery-{int(message.pk)}"{polling}>'
            f'<span class="badge delivery-badge-{_e(status)}">{label}</span>{failed}</div>'
        )

    def render(self, message: Message) -> str:
        conversation = self.context.get("conversation")
        if message.direction == "note":
            kind = self.note
        else:
            kind = (
                f'<span class="muted">{self.kind.get(message.kind, _e(message.kind))}</span>'
                f'<span class="badge visibility-{_e(message.visibility)}">'
                f"{self.visibility.get(message.visibility, _e(message.visibility))}</span>"
            )
        sentiment = ""
        if message.sentiment_label:
            label = self.sentiment.get(message.sentiment_label, _e(message.sentiment_label))
            sentiment = (
                f'<span class="badge sentiment-{_e(message.sentiment_label)}"'
                f' title="{self.sentiment_title}">{label}</span>'
            )
        intents = ""
        if message.intents:
            chips = "".join(
                f'<span class="intent-chip">{_e(label)}</span>' for label in message.intent_labels
            )
            intents = f'<span class="intent-chips" aria-label="{self.intents}">{chips}</span>'
        attachments = ""
        if message.attachments:
            items = "".join(
                f"<li>{self.paperclip} {_e(attachment_name(item))}</li>"
                for item in message.attachments
            )
            attachments = (
                f'<ul class="attachments" role="list" aria-label="{self.attachments}">{items}</ul>'
            )
        link = web_url(message.url)
        when = localtime(message.sent_at) if message.sent_at else None
        return MESSAGE.format(
            direction=_e(message.direction),
            pk=int(message.pk),
            author=self.author(message, conversation),
            kind=kind,
            sentiment=sentiment,
            urgency=self.urgency_badge_of(message),
            intents=intents,
            iso=_e(when.isoformat()) if when else "",
            when=_e(dateformat.format(when, self.datetime_format)) if when else "",
            # linebreaksbr escapes the text, then turns its line breaks into <br>.
            body=linebreaksbr(message.text, autoescape=True),
            attachments=attachments,
            link=(
                f'<p class="msg-link"><a href="{_e(link)}" rel="noopener noreferrer"'
                f' target="_blank">{self.view}</a></p>'
                if link
                else ""
            ),
            delivery=self.delivery_of(message),
        )


@register.simple_tag(takes_context=True)
def delivery_badge(context: template.Context, message: Message) -> SafeString:
    """One reply's delivery badge alone (see inbox/_delivery.html, which its poll renders)."""
    # Escaped in delivery_of.
    return mark_safe(_Page(context).delivery_of(message))  # noqa: S308


@register.simple_tag(takes_context=True)
def thread_messages(context: template.Context, messages: Sequence[Message]) -> SafeString:
    """Each message as an <article> (see inbox/_thread.html and inbox/_live.html)."""
    if not messages:
        return SafeString("")
    page = _Page(context)
    # Every value went through _e, linebreaksbr's escaping or a template.
    return mark_safe("\n".join(page.render(message) for message in messages))  # noqa: S308
