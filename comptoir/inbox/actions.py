"""Writes on conversations and messages.

Adding a message also keeps the conversation's and the person's timestamps and the
denormalised list fields (count, preview) right, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from comptoir.channels.models import Channel
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageKind,
    Priority,
    Visibility,
)
from comptoir.people.models import Identity, Person
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat

PREVIEW_LENGTH = 280


def preview_of(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


@transaction.atomic
def do_start_conversation(
    channel: Channel,
    *,
    identity: Identity | None,
    subject: str = "",
    priority: str = Priority.NORMAL,
    language: str = "",
    started_at: datetime | None = None,
    actor: Seat | None = None,
) -> Conversation:
    if identity is not None and identity.workspace_id != channel.workspace_id:
        raise ValueError("the identity and the channel belong to different workspaces")
    conversation = Conversation.objects.create(
        workspace_id=channel.workspace_id,
        channel=channel,
        identity=identity,
        person_id=identity.person_id if identity else None,
        subject=subject,
        priority=Priority(priority),
        language=language,
        last_activity_at=started_at or timezone.now(),
    )
    record_event(
        channel.workspace_id,
        "conversation.started",
        "conversation",
        conversation.pk,
        actor=actor,
        payload={"channel": channel.pk, "identity": identity.pk if identity else None},
    )
    return conversation


@transaction.atomic
def do_add_message(
    conversation: Conversation,
    *,
    direction: str,
    kind: str,
    text: str,
    sent_at: datetime | None = None,
    visibility: str = Visibility.PRIVATE,
    author_identity: Identity | None = None,
    author_seat: Seat | None = None,
    external_id: str | None = None,
    in_reply_to: Message | None = None,
    html: str = "",
    attachments: list[dict[str, Any]] | None = None,
    url: str = "",
    actor: Seat | None = None,
) -> Message:
    """Store one message and update its conversation and person. A batch of inbound
    messages goes through the ingest pipeline instead, which does the same in bulk."""
    direction = Direction(direction)
    if direction == Direction.INBOUND and author_seat is not None:
        raise ValueError("an inbound message is written by an identity, not a seat")
    if direction != Direction.INBOUND and author_identity is not None:
        raise ValueError("outbound messages and notes are written by a seat")
    when = sent_at or timezone.now()
    message = Message.objects.create(
        workspace_id=conversation.workspace_id,
        conversation=conversation,
        channel_id=conversation.channel_id,
        direction=direction,
        visibility=Visibility(visibility),
        kind=MessageKind(kind),
        author_identity=author_identity,
        author_seat=author_seat,
        external_id=external_id,
        in_reply_to=in_reply_to,
        in_reply_to_external_id=in_reply_to.external_id or "" if in_reply_to else "",
        text=text,
        html=html,
        attachments=attachments or [],
        url=url,
        sent_at=when,
    )
    updates: dict[str, Any] = {
        "message_count": F("message_count") + 1,
        "last_activity_at": Greatest("last_activity_at", when),
    }
    if direction != Direction.NOTE:
        updates["last_message_preview"] = preview_of(text)
    if direction == Direction.INBOUND:
        updates["first_inbound_at"] = Coalesce("first_inbound_at", when)
        if conversation.status in (ConversationStatus.RESOLVED, ConversationStatus.CLOSED):
            updates["status"] = ConversationStatus.OPEN
    elif direction == Direction.OUTBOUND:
        updates["first_response_at"] = Coalesce("first_response_at", when)
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    if conversation.person_id and direction != Direction.NOTE:
        field = "last_inbound_at" if direction == Direction.INBOUND else "last_outbound_at"
        Person.objects.filter(pk=conversation.person_id).update(
            **{field: Coalesce(Greatest(field, when), when)}
        )
    conversation.refresh_from_db()
    record_event(
        conversation.workspace_id,
        f"message.{direction}",
        "conversation",
        conversation.pk,
        actor=actor or author_seat,
        payload={"message": message.pk, "kind": message.kind},
    )
    return message
