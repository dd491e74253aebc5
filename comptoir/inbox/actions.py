"""Writes on conversations and messages.

Adding a message also keeps the conversation's and the person's timestamps and the
denormalised list fields (count, preview) right, in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comptoir.channels.models import Channel
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageKind,
    Presence,
    Priority,
    SavedReply,
    Tag,
    Visibility,
)
from comptoir.people.models import Identity, Person
from comptoir.workspaces.actions import record_event, record_events
from comptoir.workspaces.models import Event, Language, Notification, Seat, Team, Workspace

PREVIEW_LENGTH = 280
# A new inbound message brings these conversations back to the open inbox.
REOPENED_BY_INBOUND = (
    ConversationStatus.SNOOZED,
    ConversationStatus.RESOLVED,
    ConversationStatus.CLOSED,
)


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
        # The Unhandled clock starts with the oldest inbound message nobody handled yet.
        updates["unhandled_since"] = Coalesce("unhandled_since", when)
        if conversation.status in REOPENED_BY_INBOUND:
            updates |= {"status": ConversationStatus.OPEN, "snoozed_until": None}
            updates["closed_reason"] = ""
    elif direction == Direction.OUTBOUND:
        updates["first_response_at"] = Coalesce("first_response_at", when)
        updates["unhandled_since"] = None  # answered
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


# Working the inbox: assignment, status, priority, tags ------------------------------------


def _same_workspace(conversation: Conversation, *rows: Seat | Team | Tag | None) -> None:
    for row in rows:
        if row is not None and row.workspace_id != conversation.workspace_id:
            raise ValueError("rows of different workspaces")


@transaction.atomic
def do_assign(
    conversation: Conversation,
    *,
    seat: Seat | None,
    team: Team | None = None,
    actor: Seat | None = None,
) -> Conversation:
    """Give the conversation to a seat, a team, both (a seat within a team), or nobody."""
    _same_workspace(conversation, seat, team)
    if seat is not None and not seat.is_active:
        raise ValidationError({"assignee": _("This colleague's seat is not active.")})
    conversation.assignee = seat
    conversation.assignee_team = team
    conversation.save(update_fields=["assignee", "assignee_team"])
    record_event(
        conversation.workspace_id,
        "conversation.assigned",
        "conversation",
        conversation.pk,
        actor=actor,
        payload={"seat": seat.pk if seat else None, "team": team.pk if team else None},
    )
    return conversation


MAX_SNOOZE = timedelta(days=3653)


@transaction.atomic
def do_set_status(
    conversation: Conversation,
    status: str,
    *,
    reason: str = "",
    snoozed_until: datetime | None = None,
    actor: Seat | None = None,
    now: datetime | None = None,
) -> Conversation:
    """Move the conversation to ``status``. Closing needs a reason, and handles it: the
    Unhandled clock stops. Snoozing needs a time to come back, in the future."""
    status = ConversationStatus(status)
    reason = reason.strip()
    if status == ConversationStatus.CLOSED and not reason:
        raise ValidationError({"closed_reason": _("Say why you close this conversation.")})
    if status == ConversationStatus.SNOOZED:
        if snoozed_until is None:
            raise ValidationError({"snoozed_until": _("Say until when to snooze it.")})
        if timezone.is_naive(snoozed_until):
            raise ValidationError({"snoozed_until": _("Give a time with its time zone.")})
        now = now or timezone.now()
        try:
            in_range = now < snoozed_until <= now + MAX_SNOOZE
        except OverflowError:  # an offset that pushes the date out of the calendar
            in_range = False
        if not in_range:
            raise ValidationError(
                {"snoozed_until": _("Snooze until a time in the future, within ten years.")}
            )
    previous = conversation.status
    conversation.status = status
    conversation.snoozed_until = snoozed_until if status == ConversationStatus.SNOOZED else None
    conversation.closed_reason = reason[:200] if status == ConversationStatus.CLOSED else ""
    fields = ["status", "snoozed_until", "closed_reason"]
    if status == ConversationStatus.CLOSED:
        conversation.unhandled_since = None
        fields.append("unhandled_since")
    conversation.save(update_fields=fields)
    record_event(
        conversation.workspace_id,
        "conversation.status_changed",
        "conversation",
        conversation.pk,
        actor=actor,
        payload={
            "from": previous,
            "to": status,
            "reason": conversation.closed_reason,
            "snoozed_until": (
                conversation.snoozed_until.isoformat() if conversation.snoozed_until else None
            ),
        },
    )
    return conversation


WAKE_BATCH = 500


def wake_snoozed_conversations(now: datetime | None = None) -> int:
    """Reopen every snoozed conversation whose time has come; returns how many.

    Works in batches through the partial index on ``snoozed_until``, each batch one
    transaction, so a long backlog never holds a long lock.
    """
    now = now or timezone.now()
    woken = 0
    while True:
        with transaction.atomic():
            due = list(
                Conversation.objects.filter(
                    snoozed_until__isnull=False,
                    snoozed_until__lte=now,
                    status=ConversationStatus.SNOOZED,
                )
                .order_by("snoozed_until", "id")
                .values_list("pk", "workspace_id", "snoozed_until")[:WAKE_BATCH]
            )
            if not due:
                # Snooze times left on conversations no longer snoozed would be found again.
                Conversation.objects.filter(
                    snoozed_until__isnull=False, snoozed_until__lte=now
                ).exclude(status=ConversationStatus.SNOOZED).update(snoozed_until=None)
                return woken
            Conversation.objects.filter(pk__in=[pk for pk, _w, _s in due]).update(
                status=ConversationStatus.OPEN, snoozed_until=None
            )
            record_events(
                Event(
                    workspace_id=workspace_id,
                    verb="conversation.status_changed",
                    subject_type="conversation",
                    subject_id=pk,
                    payload={
                        "from": ConversationStatus.SNOOZED,
                        "to": ConversationStatus.OPEN,
                        "reason": "snooze_ended",
                        "snoozed_until": until.isoformat() if until else None,
                    },
                )
                for pk, workspace_id, until in due
            )
            woken += len(due)


@transaction.atomic
def do_set_priority(
    conversation: Conversation, priority: str, *, actor: Seat | None = None
) -> Conversation:
    previous = conversation.priority
    conversation.priority = Priority(priority)
    conversation.save(update_fields=["priority"])
    record_event(
        conversation.workspace_id,
        "conversation.priority_changed",
        "conversation",
        conversation.pk,
        actor=actor,
        payload={"from": previous, "to": conversation.priority},
    )
    return conversation


def clean_tag_name(name: str) -> str:
    return " ".join(name.split())[:60]


@transaction.atomic
def do_create_tag(
    workspace: Workspace, *, name: str, color: str = "", actor: Seat | None = None
) -> Tag:
    """The workspace's tag of that name (case-insensitive), created when it is new."""
    name = clean_tag_name(name)
    if not name:
        raise ValidationError({"name": _("A tag needs a name.")})
    if color and not re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        raise ValidationError({"color": _("A colour is written #rrggbb.")})
    existing = Tag.objects.filter(workspace=workspace, name__iexact=name).first()
    if existing is not None:
        return existing
    tag = Tag.objects.create(workspace=workspace, name=name, color=color)
    record_event(workspace, "tag.created", "tag", tag.pk, actor=actor, payload={"name": name})
    return tag


@transaction.atomic
def do_tag(
    conversation: Conversation,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    actor: Seat | None = None,
) -> list[Tag]:
    """Add tags by name (created on the fly) and remove others; returns the tags now on it."""
    workspace = conversation.workspace
    added = [do_create_tag(workspace, name=name, actor=actor) for name in add if name.strip()]
    cleaned = [clean_tag_name(name).lower() for name in remove]
    removed = [t for t in conversation.tags.all() if t.name.lower() in cleaned]
    if added:
        conversation.tags.add(*added)
    if removed:
        conversation.tags.remove(*removed)
    if added or removed:
        record_event(
            conversation.workspace_id,
            "conversation.tagged",
            "conversation",
            conversation.pk,
            actor=actor,
            payload={
                "added": [t.pk for t in added],
                "removed": [t.pk for t in removed],
            },
        )
    return list(conversation.tags.order_by("name"))


# Internal notes and @mentions -----------------------------------------------------------

MENTION = re.compile(r"(?<![\w@])@([^\W\d_][\w.'-]*(?: [^\W\d_][\w'-]*)?)")


def mentioned_in(text: str, seats: Sequence[Seat]) -> list[Seat]:
    """The seats a note @mentions, by display name (``@Marie Curie``) or first name
    (``@Marie``), case-insensitive, each once, in the order of the seats given."""
    wanted: set[str] = set()
    for match in MENTION.finditer(text):
        words = match.group(1).rstrip(".'-").lower()
        wanted.add(words)
        wanted.add(words.split(" ")[0])
    found: list[Seat] = []
    for seat in seats:
        name = seat.display_name.strip().lower()
        if name and (name in wanted or name.split()[0] in wanted):
            found.append(seat)
    return found


@transaction.atomic
def do_add_note(conversation: Conversation, *, seat: Seat, text: str) -> Message:
    """An internal note, never sent; each colleague it @mentions is notified."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the note first.")})
    if seat.workspace_id != conversation.workspace_id:
        raise ValueError("the seat belongs to another workspace")
    note = do_add_message(
        conversation,
        direction=Direction.NOTE,
        kind=MessageKind.DIRECT,
        text=text,
        author_seat=seat,
    )
    colleagues = (
        list(
            Seat.objects.filter(workspace_id=conversation.workspace_id, is_active=True).exclude(
                pk=seat.pk
            )
        )
        if "@" in text  # a mention needs one: no colleagues to read otherwise
        else []
    )
    mentioned = mentioned_in(text, colleagues)
    if mentioned:
        note.mentioned_seats.add(*mentioned)
        summary = preview_of(text)[:200]
        Notification.objects.bulk_create(
            Notification(
                workspace_id=conversation.workspace_id,
                seat=colleague,
                verb="note.mention",
                subject_type="conversation",
                subject_id=conversation.pk,
                text=f"{seat.display_name}: {summary}"[:300],
            )
            for colleague in mentioned
        )
    return note


@transaction.atomic
def do_mark_notifications_read(
    seat: Seat, ids: Sequence[int] | None = None, *, now: datetime | None = None
) -> int:
    """Mark the seat's notifications read: those named, or all of them. Returns how many."""
    rows = Notification.objects.filter(seat=seat, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=now or timezone.now())


# Saved replies ---------------------------------------------------------------------------

SAVED_REPLY_VARIABLES = ("first_name", "name", "agent_name")
_VARIABLE = re.compile(r"\{(\w+)\}")


def render_saved_reply(body: str, person_name: str, agent_name: str) -> str:
    """The body with {first_name}, {name} and {agent_name} filled; other braces stay."""
    name = " ".join(person_name.split())
    values = {
        "first_name": name.split(" ")[0] if name else "",
        "name": name,
        "agent_name": agent_name,
    }
    return _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _check_saved_reply(reply: SavedReply) -> None:
    errors: dict[str, Any] = {}
    reply.title = reply.title.strip()
    if not reply.title:
        errors["title"] = _("Give it a title.")
    if reply.language not in Language.values:
        errors["language"] = _("Choose French or English.")
    if not reply.body.strip():
        errors["body"] = _("Write the reply.")
    unknown = sorted(set(_VARIABLE.findall(reply.body)) - set(SAVED_REPLY_VARIABLES))
    if unknown:
        errors["body"] = _("Unknown variable: %(names)s.") % {
            "names": ", ".join("{" + n + "}" for n in unknown)
        }
    clash = SavedReply.objects.filter(
        workspace_id=reply.workspace_id, title=reply.title, language=reply.language
    ).exclude(pk=reply.pk)
    if not errors and clash.exists():
        errors["title"] = _("A saved reply with this title exists in this language.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def do_create_saved_reply(
    workspace: Workspace, *, title: str, language: str, body: str, actor: Seat | None = None
) -> SavedReply:
    reply = SavedReply(
        workspace=workspace, title=title, language=language, body=body, created_by=actor
    )
    _check_saved_reply(reply)
    reply.save()
    record_event(
        workspace,
        "saved_reply.created",
        "saved_reply",
        reply.pk,
        actor=actor,
        payload={"title": reply.title, "language": reply.language},
    )
    return reply


@transaction.atomic
def do_update_saved_reply(
    reply: SavedReply, *, actor: Seat | None = None, **fields: str
) -> SavedReply:
    for name in ("title", "language", "body"):
        if fields.get(name) is not None:
            setattr(reply, name, fields[name])
    _check_saved_reply(reply)
    reply.save(update_fields=["title", "language", "body"])
    record_event(
        reply.workspace_id,
        "saved_reply.updated",
        "saved_reply",
        reply.pk,
        actor=actor,
        payload={"title": reply.title, "language": reply.language},
    )
    return reply


@transaction.atomic
def do_delete_saved_reply(reply: SavedReply, *, actor: Seat | None = None) -> None:
    pk = reply.pk
    reply.delete()
    record_event(reply.workspace_id, "saved_reply.deleted", "saved_reply", pk, actor=actor)


# Presence --------------------------------------------------------------------------------

PRESENCE_SECONDS = 30


def do_ping_presence(
    conversation: Conversation, seat: Seat, *, replying: bool, now: datetime | None = None
) -> Presence:
    """The seat is on the conversation (and typing, when ``replying``) for the next 30 s.
    A heartbeat, not a change of state: no event is recorded."""
    now = now or timezone.now()
    presence, _created = Presence.objects.update_or_create(
        conversation=conversation,
        seat=seat,
        defaults={"replying": replying, "expires_at": now + timedelta(seconds=PRESENCE_SECONDS)},
    )
    return presence
