"""Threading for one batch: which conversation each new message joins.

In order of preference: the conversation of the message it answers (``in_reply_to``, then
any of its ``references``), the conversation holding the platform's thread id, for email
an open conversation with the same person and the same subject (clients that drop their
headers), for private messages the person's running direct thread; else a new one.
All lookups are a few bulk queries per batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from comptoir import bulk
from comptoir.channels.events import InboundEvent
from comptoir.channels.models import Channel
from comptoir.inbox.actions import preview_of
from comptoir.inbox.models import Conversation, ConversationStatus, Message, Priority
from comptoir.people.models import Identity

SUBJECT_FALLBACK_WINDOW = timedelta(days=30)
_REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|tr|réf|ref|aw|wg)\s*(\[\d+\])?\s*:\s*)+", re.I)


def normalize_subject(subject: str) -> str:
    """``RE: Fwd: TR: Où est ma commande ?`` -> ``Où est ma commande ?``."""
    return _REPLY_PREFIX.sub("", subject).strip()[:300]


def _thread_key(event: InboundEvent) -> str:
    if event.thread_id:
        return event.thread_id
    if event.visibility == "private" and event.kind == "direct" and event.author:
        return f"dm:{event.author.external_id}"
    if event.references:
        return event.references[0]
    return event.in_reply_to or event.external_id


def assign_conversations(
    channel: Channel,
    events: Sequence[InboundEvent],
    identities: Sequence[Identity | None],
    languages: Sequence[str],
) -> tuple[list[Conversation], list[Conversation]]:
    """The conversation of each event (in order) and the new ones among them (unsaved).

    Existing conversations come back locked for update, ready for the counters to move.
    """
    replied = sorted({r for e in events for r in (e.in_reply_to, *e.references) if r})
    conversation_of_message: dict[str, int] = {}
    if replied:
        for external_id, conversation_id in Message.objects.filter(
            channel=channel, external_id__in=bulk.one_of(replied)
        ).values_list("external_id", "conversation_id"):
            if external_id:
                conversation_of_message[external_id] = conversation_id
    keys = sorted({_thread_key(e) for e in events})
    conversation_of_key: dict[str, int] = {}
    # The most recent conversation wins when a thread key was reused.
    for key, pk in (
        Conversation.objects.filter(channel=channel, thread_key__in=bulk.one_of(keys))
        .order_by("last_activity_at", "id")
        .values_list("thread_key", "id")
    ):
        conversation_of_key[key] = pk
    by_subject = _email_subject_candidates(channel, events, identities)

    chosen: list[int | Conversation] = []
    new: list[Conversation] = []
    new_by_key: dict[str, Conversation] = {}
    message_in_batch: dict[str, int | Conversation] = {}
    for event, identity, language in zip(events, identities, languages, strict=True):
        key = _thread_key(event)
        target: int | Conversation | None = None
        for ref in (event.in_reply_to, *reversed(event.references)):
            if not ref:
                continue
            target = message_in_batch.get(ref) or conversation_of_message.get(ref)
            if target is not None:
                break
        if target is None:
            target = new_by_key.get(key) or conversation_of_key.get(key)
        if target is None and event.kind == "email" and identity is not None:
            target = by_subject.get((identity.pk, normalize_subject(event.subject)))
        if target is None:
            conversation = bulk.new(
                Conversation,
                workspace_id=channel.workspace_id,
                channel_id=channel.pk,
                identity=identity,
                subject=normalize_subject(event.subject) or preview_of(event.text)[:120],
                thread_key=key[:255],
                status=ConversationStatus.OPEN,
                priority=Priority.NORMAL,
                language=language,
                last_activity_at=event.created_at,
            )
            if identity is not None:
                # A new identity's person is new too: link the object so its id follows.
                if identity.pk is None:
                    conversation.person = identity.person
                else:
                    conversation.person_id = identity.person_id
            new.append(conversation)
            new_by_key[key] = conversation
            target = conversation
        message_in_batch[event.external_id] = target
        chosen.append(target)

    existing_ids = sorted({t for t in chosen if isinstance(t, int)})
    # Whole rows (none of their fields deferred), built without the ORM's per-row machinery.
    fields = [f.attname for f in Conversation._meta.concrete_fields]
    rows = (
        Conversation.objects.select_for_update()
        .filter(pk__in=bulk.one_of(existing_ids))
        .values_list(*fields)
    )
    locked = {c.pk: c for c in bulk.loaded(Conversation, fields, rows)}
    return [t if isinstance(t, Conversation) else locked[t] for t in chosen], new


def _email_subject_candidates(
    channel: Channel, events: Sequence[InboundEvent], identities: Sequence[Identity | None]
) -> dict[tuple[int | None, str], int]:
    wanted = {
        (identity.pk, normalize_subject(event.subject))
        for event, identity in zip(events, identities, strict=True)
        if event.kind == "email" and identity is not None and identity.pk and event.subject
    }
    if not wanted:
        return {}
    oldest = min(e.created_at for e in events) - SUBJECT_FALLBACK_WINDOW
    rows = (
        Conversation.objects.filter(
            channel=channel,
            identity_id__in=sorted({pk for pk, _ in wanted}),
            subject__in=sorted({s for _, s in wanted}),
            last_activity_at__gte=oldest,
        )
        .exclude(status=ConversationStatus.CLOSED)
        .order_by("last_activity_at", "id")
        .values_list("identity_id", "subject", "id")
    )
    return {(identity_id, subject): pk for identity_id, subject, pk in rows}
