"""Conversations and their messages: the thread a person and the brand share on a channel.

A conversation is not a case: it is where people talk; a case (its own app) is a problem
followed to its end, and may span several conversations.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.people.models import Identity, Person
from comptoir.workspaces.models import Seat, Team, Workspace


class ConversationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SNOOZED = "snoozed", _("Snoozed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class DeliveryStatus(models.TextChoices):
    """Where an outbound reply is on its way out. Inbound messages and notes leave it empty."""

    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    NOTE = "note", _("Internal note")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class MessageKind(models.TextChoices):
    POST = "post", _("Post")
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    DIRECT = "direct", _("Direct message")
    EMAIL = "email", _("Email")
    REVIEW = "review", _("Review")


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    NEUTRAL = "neutral", _("Neutral")
    POSITIVE = "positive", _("Positive")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


URGENCY_REASONS = {
    "safety": _("a safety issue"),
    "legal_threat": _("a legal threat"),
    "churn_threat": _("a threat to leave"),
    "public_complaint": _("a public complaint"),
    "repeated_contact": _("repeated contact"),
}
INTENT_LABELS = {
    "complaint": _("Complaint"),
    "question": _("Question"),
    "praise": _("Praise"),
    "purchase_intent": _("Purchase intent"),
    "churn_threat": _("Churn threat"),
    "after_sales": _("After-sales"),
    "spam_or_advertising": _("Spam"),
    "other": _("Other"),
}
URGENCY_RANK = {"": 0, Urgency.LOW: 1, Urgency.NORMAL: 2, Urgency.HIGH: 3, Urgency.URGENT: 4}


def highest_urgency(levels: Iterable[str]) -> str:
    """The highest of urgency levels ("" when there are none)."""
    return max(levels, key=lambda level: URGENCY_RANK.get(level, 0), default="")


class Conversation(models.Model):
    workspace = models.ForeignKey(
        Workspace,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("workspace"),
        db_index=False,  # the inbox indexes start with the workspace
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="conversations",
        verbose_name=_("channel"),
        db_index=False,  # conversation_by_thread (channel, thread_key) serves these lookups
    )
    identity = models.ForeignKey(
        Identity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("identity"),
    )
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("person"),
        db_index=False,  # conversation_by_person (person, last_activity_at) serves these
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # The platform's thread id (root post, DM thread, first Message-ID): new messages of the
    # same thread join this conversation.
    thread_key = models.CharField(_("thread key"), max_length=255, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ConversationStatus.choices,
        default=ConversationStatus.OPEN,
    )
    assignee = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        verbose_name=_("assignee"),
    )
    assignee_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        verbose_name=_("team"),
    )
    # Until when a snoozed conversation stays out of the way; the worker reopens it then.
    snoozed_until = models.DateTimeField(_("snoozed until"), null=True, blank=True)
    # Why a person closed it: closing without a reply needs one ("spam", "duplicate", ...).
    closed_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)
    # Since when an inbound message waits to be handled: answered, attached to a case or
    # closed with a reason clears it; new inbound sets it when empty. The Unhandled view
    # and its count read only rows where it is set.
    unhandled_since = models.DateTimeField(_("unhandled since"), null=True, blank=True)
    tags: models.ManyToManyField[Tag, Any] = models.ManyToManyField(
        "Tag", related_name="conversations", blank=True, verbose_name=_("tags")
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    first_inbound_at = models.DateTimeField(_("first inbound"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))
    # Kept by the actions that add messages, so the inbox list never touches messages.
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    last_message_preview = models.CharField(_("last message"), max_length=280, blank=True)
    # Rolled up from the inbound messages' readings: the sentiment of the latest inbound
    # message that has one, and the highest urgency of any inbound message ("" until read).
    sentiment = models.CharField(
        _("sentiment"), max_length=8, choices=Sentiment.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(
                fields=["workspace", "-last_activity_at", "-id"], name="conversation_inbox"
            ),
            models.Index(
                fields=["workspace", "status", "-last_activity_at", "-id"],
                name="conversation_inbox_status",
            ),
            models.Index(
                fields=["workspace", "assignee", "-last_activity_at", "-id"],
                name="conversation_inbox_assignee",
            ),
            models.Index(
                fields=["workspace", "urgency", "-last_activity_at", "-id"],
                name="conversation_inbox_urgency",
            ),
            models.Index(
                fields=["workspace", "unhandled_since", "id"],
                name="conversation_unhandled",
                condition=models.Q(unhandled_since__isnull=False),
            ),
            models.Index(
                fields=["snoozed_until"],
                name="conversation_snoozed",
                condition=models.Q(snoozed_until__isnull=False),
            ),
            models.Index(fields=["person", "-last_activity_at"], name="conversation_by_person"),
            models.Index(fields=["channel", "thread_key"], name="conversation_by_thread"),
        ]

    def __str__(self) -> str:
        return self.subject or f"#{self.pk}"


class Message(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
        db_index=False,  # message_thread (conversation, sent_at, id) serves these lookups
    )
    channel = models.ForeignKey(
        Channel,
        on_delete=models.PROTECT,
        related_name="messages",
        verbose_name=_("channel"),
        db_index=False,  # the unique (channel, external_id) index serves these lookups
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    visibility = models.CharField(
        _("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MessageKind.choices)
    author_identity = models.ForeignKey(
        Identity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("author identity"),
    )
    author_seat = models.ForeignKey(
        Seat,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("author seat"),
    )
    # NULL, not "", for messages with no platform id (notes, replies not yet sent), so that
    # the unique (channel, external_id) constraint leaves them alone.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"), max_length=255, null=True, blank=True
    )
    in_reply_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replies",
        verbose_name=_("in reply to"),
    )
    in_reply_to_external_id = models.CharField(
        _("in reply to (external id)"), max_length=255, blank=True
    )
    text = models.TextField(_("text"), blank=True)
    # The whole body when ``text`` is a trimmed view (an email without its quoted replies).
    full_text = models.TextField(_("full text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    created_at = models.DateTimeField(_("stored at"), auto_now_add=True)
    # Outbound replies: stored first as pending, then sent or failed by the worker.
    delivery_status = models.CharField(
        _("delivery"), max_length=8, choices=DeliveryStatus.choices, blank=True
    )
    delivery_error = models.TextField(_("delivery error"), blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # Colleagues @mentioned in an internal note.
    mentioned_seats = models.ManyToManyField(
        Seat, related_name="mentioned_in", blank=True, verbose_name=_("mentioned")
    )
    # Readings filled by the understanding work; empty until then.
    language = models.CharField(_("language"), max_length=8, blank=True)
    sentiment_label = models.CharField(
        _("sentiment"), max_length=8, choices=Sentiment.choices, blank=True
    )
    sentiment_score = models.FloatField(_("sentiment score"), null=True, blank=True)
    intents = models.JSONField(_("intents"), default=dict, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, blank=True)
    # Why the urgency is what it is: "safety", "legal_threat", "churn_threat",
    # "public_complaint", "repeated_contact", strongest first.
    urgency_reasons = models.JSONField(_("urgency reasons"), default=list, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["sent_at", "id"]
        constraints = [
            # Re-delivery of the same platform message is a no-op, enforced by the database.
            # NULL external ids (notes, drafts) are distinct in SQLite and PostgreSQL alike.
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="message_unique_per_channel"
            ),
            models.CheckConstraint(
                condition=~models.Q(author_identity__isnull=False, author_seat__isnull=False),
                name="message_one_author",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "-sent_at", "-id"], name="message_thread"),
            models.Index(
                fields=["delivery_status", "next_attempt_at"],
                name="message_outbox",
                condition=models.Q(delivery_status__in=["pending", "sending", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.sent_at:%Y-%m-%d %H:%M}"

    @property
    def urgency_reasons_text(self) -> str:
        """The reasons of the urgency in words, for a badge's title."""
        return ", ".join(str(URGENCY_REASONS.get(r, r)) for r in self.urgency_reasons or [])

    @property
    def intent_labels(self) -> list[str]:
        """The intents that fired, strongest first, in words."""
        ranked = sorted((self.intents or {}).items(), key=lambda item: -float(item[1]))
        return [str(INTENT_LABELS.get(name, name)) for name, _score in ranked]


class Tag(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    name = models.CharField(_("name"), max_length=60)
    color = models.CharField(_("colour"), max_length=7, blank=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SavedReply(models.Model):
    """A reusable answer. ``body`` may hold {first_name}, {name} and {agent_name}."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", verbose_name=_("workspace")
    )
    title = models.CharField(_("title"), max_length=120)
    language = models.CharField(_("language"), max_length=8)
    body = models.TextField(_("body"))
    created_by = models.ForeignKey(
        Seat, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["title", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "title", "language"], name="saved_reply_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class Presence(models.Model):
    """A seat is viewing or replying to a conversation until ``expires_at`` (a heartbeat
    renews it), so that colleagues see that someone is on it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="+", verbose_name=_("conversation")
    )
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="+")
    replying = models.BooleanField(_("replying"), default=False)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seat"], name="presence_one_per_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.seat} on {self.conversation}"
