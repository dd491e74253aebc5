"""The ingestion pipeline: one function takes events from any source through validate,
deduplicate, understand, resolve, thread, store and act.

Every source (webhook, polling worker, file import, replay) calls ``ingest``. It works in
batches: each batch is read with a few bulk queries and written with bulk inserts in one
transaction, so a batch lands whole or not at all and the cost per message stays flat.
Re-delivering an event is a no-op: (channel, external id) is unique in the database and
duplicates are counted, not stored. The understand step is in ``comptoir.ingest.reading``:
a long input shares it with a helper process on the other core.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import TypeAdapter, ValidationError

from comptoir import bulk
from comptoir.cases.actions import open_after_sales_cases_of
from comptoir.channels.events import InboundEvent
from comptoir.channels.models import Channel
from comptoir.inbox.actions import preview_of
from comptoir.inbox.models import (
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    highest_urgency,
)
from comptoir.ingest.models import RejectedEvent, Source
from comptoir.ingest.reading import read, reading_fields
from comptoir.ingest.resolve import author_key, resolve
from comptoir.ingest.threading import assign_conversations
from comptoir.ingest.types import Candidate, IngestReport, Rejection
from comptoir.listening.matching import mentions_in
from comptoir.listening.models import Mention
from comptoir.people.models import Identity, MergeSuggestion, Person, ProfileLink
from comptoir.understanding.analyzer import Context
from comptoir.understanding.intents import AFTER_SALES
from comptoir.webhooks.dispatch import enqueue_messages_created
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Workspace

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
REOPENED = (ConversationStatus.RESOLVED, ConversationStatus.CLOSED)


def ingest(
    workspace: Workspace,
    channel: Channel,
    candidates: Iterable[Candidate],
    *,
    source: str = Source.API,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Ingest candidates in batches of ``batch_size``; each batch lands whole or not at all.

    Re-running with the same input changes nothing (duplicates are counted, not stored).
    """
    if channel.workspace_id != workspace.pk:
        raise ValueError("the channel belongs to another workspace")
    report = IngestReport()
    pending: _Pending | None = None
    for batch in _batches(candidates, batch_size):
        with bulk.collector_paused():
            started = perf_counter()
            events, rejected = _validate(batch)
            # A long input (a second batch, or a first one that is full) shares its reading
            # with the helper process, which reads ahead while the batch before is stored.
            long_input = pending is not None or len(batch) >= batch_size
            readings = read(events, channel.kind, share=long_input)
            upcoming = _Pending(batch, events, rejected, readings, perf_counter() - started)
            if pending is not None:
                report.add(_ingest_batch(workspace, channel, pending, source))
            pending = upcoming
    if pending is not None:
        with bulk.collector_paused():
            report.add(_ingest_batch(workspace, channel, pending, source))
    return report


def _batches(candidates: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    batch: list[Candidate] = []
    for candidate in candidates:
        batch.append(candidate)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Pending:
    """A validated batch whose readings are being made, waiting to be stored."""

    batch: list[Candidate]
    events: list[InboundEvent]
    rejected: list[tuple[Candidate, str]]
    readings: Callable[[], dict[str, dict[str, Any]]]
    elapsed: float


def _ingest_batch(
    workspace: Workspace, channel: Channel, pending: _Pending, source: str
) -> IngestReport:
    started = perf_counter()
    readings = pending.readings()
    # A concurrent delivery of the same events can win the race between our duplicate
    # check and our insert; the unique constraint stops it, and a second pass counts them.
    for attempt in (1, 2):
        report = IngestReport(received=len(pending.batch))
        try:
            with transaction.atomic():
                _reject(workspace, channel, pending.rejected, source, report)
                _store(workspace, channel, pending.events, readings, report)
            break
        except IntegrityError:
            if attempt == 2:
                raise
            logger.info("batch for channel %s raced another delivery; retrying", channel.pk)
    report.elapsed = pending.elapsed + perf_counter() - started
    return report


# 1. validate ------------------------------------------------------------------------------


_EVENTS = TypeAdapter(list[InboundEvent])


def _validate(batch: list[Candidate]) -> tuple[list[InboundEvent], list[tuple[Candidate, str]]]:
    # The common case, a clean batch of dicts, is validated in one call; any problem and
    # each item is validated alone so that its own reason is kept.
    if all(isinstance(c.payload, dict) and not c.error for c in batch):
        try:
            return _EVENTS.validate_python([c.payload for c in batch]), []
        except ValidationError:
            pass
    events: list[InboundEvent] = []
    rejected: list[tuple[Candidate, str]] = []
    for candidate in batch:
        if candidate.error or candidate.payload is None:
            rejected.append((candidate, candidate.error or "nothing could be read"))
        elif isinstance(candidate.payload, InboundEvent):
            events.append(candidate.payload)
        else:
            try:
                events.append(InboundEvent.model_validate(candidate.payload))
            except ValidationError as exc:
                rejected.append((candidate, describe_errors(exc)))
    return events, rejected


def describe_errors(exc: ValidationError) -> str:
    """``author.kind: Input should be 'email', 'phone'…; created_at: Input should have…``."""
    parts = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "event"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def _reject(
    workspace: Workspace,
    channel: Channel,
    rejected: list[tuple[Candidate, str]],
    source: str,
    report: IngestReport,
) -> None:
    rows = []
    for candidate, reason in rejected:
        text, exact = _raw_of(candidate)
        rows.append(
            RejectedEvent(
                workspace=workspace,
                channel=channel,
                source=source,
                location=candidate.location[:200],
                raw=text,
                raw_bytes=exact,
                reason=reason,
            )
        )
        report.rejected.append(Rejection(candidate.location, reason))
    RejectedEvent.objects.bulk_create(rows, batch_size=500)


def _raw_of(candidate: Candidate) -> tuple[str, bytes | None]:
    """The received payload as storable text, and the exact bytes when text could not hold
    them. NUL becomes U+FFFD and a lone surrogate its \\uXXXX escape: the rest is kept."""
    raw = candidate.raw
    if isinstance(raw, bytes):
        try:
            return _storable(raw.decode("utf-8")), None
        except UnicodeDecodeError:
            return raw.decode("utf-8", errors="replace"), raw
    if raw:
        return _storable(raw), None
    payload = candidate.payload
    if isinstance(payload, InboundEvent):
        return _storable(payload.model_dump_json()), None
    return _storable(json.dumps(payload, default=str, ensure_ascii=False)), None


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd").encode("utf-8", "backslashreplace").decode("utf-8")


# 2-7. deduplicate, understand, resolve, thread, store, act ----------------------------------


def context_of(visibility: str, channel_kind: str) -> Context:
    """What the pipeline knows of a text before resolution. ``previous_contacts_7d`` stays 0:
    the author is not resolved yet, so a repeated contact is only seen when the text says
    so; ``comptoir reanalyze`` runs after storage with the same rule, for stable readings."""
    return Context(is_public=visibility == "public", channel_kind=channel_kind)


def _store(
    workspace: Workspace,
    channel: Channel,
    events: list[InboundEvent],
    reading_of: dict[str, dict[str, Any]],
    report: IngestReport,
) -> None:
    fresh = _deduplicate(channel, events, report)
    if not fresh:
        return
    # Oldest first, so that within a batch a reply comes after what it answers.
    fresh.sort(key=lambda e: e.created_at)
    readings = [reading_of.get(e.external_id) or reading_fields(None, e.direction) for e in fresh]
    languages = [r["language"] for r in readings]
    inbound = [e.direction == "inbound" and e.author is not None for e in fresh]
    resolution = resolve(
        workspace,
        [e for e, is_in in zip(fresh, inbound, strict=True) if is_in],
        [lang for lang, is_in in zip(languages, inbound, strict=True) if is_in],
    )
    identities: list[Identity | None] = [
        resolution.identity_of[author_key(e.author)] if is_in and e.author else None
        for e, is_in in zip(fresh, inbound, strict=True)
    ]
    conversations, new_conversations = assign_conversations(channel, fresh, identities, languages)
    activity = _Activity.of(fresh, conversations, readings)
    activity.apply_to_new_people(resolution.new_people, identities, fresh)

    bulk.insert(Person, resolution.new_people)
    bulk.insert(Identity, resolution.new_identities)
    if resolution.changed_identities:
        bulk.update(
            Identity,
            resolution.changed_identities,
            ["handle", "display_name", "avatar_url", "profile_url"],
        )
    ProfileLink.objects.bulk_create(resolution.new_links, ignore_conflicts=True)
    MergeSuggestion.objects.bulk_create(resolution.suggestions, ignore_conflicts=True)
    for conversation in new_conversations:
        activity.apply_to_conversation(conversation)
    bulk.insert(Conversation, new_conversations)

    messages = _messages(workspace, channel, fresh, conversations, identities, readings)
    _link_replies(channel, messages)
    bulk.insert(Message, messages)
    bulk.insert(Mention, mentions_in(workspace, channel, messages))

    new_ids = {id(c) for c in new_conversations}
    existing = [c for key, c in {id(c): c for c in conversations}.items() if key not in new_ids]
    for conversation in existing:
        activity.apply_to_conversation(conversation)
    bulk.update(Conversation, existing, _Activity.CONVERSATION_FIELDS)
    # Nothing dropped: an after-sales request (lost item, refund, return) opens its case in
    # the same transaction as the message, so one never exists without the other.
    open_after_sales_cases_of(
        workspace.pk,
        [m for m in messages if m.direction == Direction.INBOUND and AFTER_SALES in m.intents],
    )
    _touch_existing_people(activity, resolution.new_people)

    report.stored = len(messages)
    report.new_people = len(resolution.new_people)
    report.new_identities = len(resolution.new_identities)
    report.new_conversations = len(new_conversations)
    Channel.objects.filter(pk=channel.pk).update(last_received_at=timezone.now())
    record_event(
        workspace,
        "ingest.batch",
        "channel",
        channel.pk,
        payload={
            "stored": report.stored,
            "duplicates": report.duplicates,
            "rejected": len(report.rejected),
            "new_people": report.new_people,
            "new_conversations": report.new_conversations,
        },
    )
    new_people = [p.pk for p in resolution.new_people]
    touched = sorted(set(activity.people_inbound) | set(new_people))
    inbound_ids = [m.pk for m in messages if m.direction == Direction.INBOUND]
    transaction.on_commit(lambda: _after_commit(workspace.pk, touched, inbound_ids))


def _deduplicate(
    channel: Channel, events: list[InboundEvent], report: IngestReport
) -> list[InboundEvent]:
    unique: dict[str, InboundEvent] = {}
    for event in events:
        if event.external_id in unique:
            report.duplicates += 1
        else:
            unique[event.external_id] = event
    stored = set(
        Message.objects.filter(
            channel=channel, external_id__in=bulk.one_of(sorted(unique))
        ).values_list("external_id", flat=True)
    )
    report.duplicates += len(stored)
    return [event for key, event in unique.items() if key not in stored]


def _messages(
    workspace: Workspace,
    channel: Channel,
    events: Sequence[InboundEvent],
    conversations: Sequence[Conversation],
    identities: Sequence[Identity | None],
    readings: Sequence[dict[str, Any]],
) -> list[Message]:
    """Unsaved messages, with the readings of ``reading_fields``."""
    return [
        bulk.new(
            Message,
            workspace_id=workspace.pk,
            conversation=conversation,
            channel_id=channel.pk,
            direction=event.direction,
            visibility=event.visibility,
            kind=event.kind,
            author_identity=identity,
            author_seat_id=None,
            in_reply_to_id=None,
            external_id=event.external_id,
            in_reply_to_external_id=event.in_reply_to,
            text=event.text,
            full_text=event.full_text,
            html=event.html,
            attachments=[a.model_dump() for a in event.attachments],
            url=event.url,
            sent_at=event.created_at,
            **reading,
        )
        for event, conversation, identity, reading in zip(
            events, conversations, identities, readings, strict=True
        )
    ]


def _link_replies(channel: Channel, messages: Sequence[Message]) -> None:
    """Give every message its id now, and point each reply at the message it answers,
    stored earlier (one lookup) or in this very batch."""
    for message, pk in zip(messages, bulk.reserve_ids(Message, len(messages)), strict=True):
        message.pk = pk
    pk_of = {m.external_id: m.pk for m in messages if m.external_id}
    wanted = sorted({m.in_reply_to_external_id for m in messages} - set(pk_of) - {""})
    if wanted:
        for external_id, pk in Message.objects.filter(
            channel=channel, external_id__in=bulk.one_of(wanted)
        ).values_list("external_id", "pk"):
            if external_id:
                pk_of[external_id] = pk
    for message in messages:
        parent = pk_of.get(message.in_reply_to_external_id)
        if parent is not None and parent != message.pk:
            message.in_reply_to_id = parent


@dataclass
class _Activity:
    """What a batch changes on each conversation and person, computed once from events."""

    CONVERSATION_FIELDS = (
        "message_count",
        "last_activity_at",
        "first_inbound_at",
        "first_response_at",
        "last_message_preview",
        "status",
        "sentiment",
        "urgency",
        "unhandled_since",
    )

    by_conversation: dict[int, list[InboundEvent]] = field(default_factory=dict)
    # Each event's stored readings (``reading_fields``), by its external id.
    readings: dict[str, dict[str, Any]] = field(default_factory=dict)
    people_inbound: dict[int, datetime] = field(default_factory=dict)
    people_outbound: dict[int, datetime] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        events: Sequence[InboundEvent],
        conversations: Sequence[Conversation],
        readings: Sequence[dict[str, Any]] = (),
    ) -> _Activity:
        activity = cls()
        activity.readings = {e.external_id: r for e, r in zip(events, readings, strict=False)}
        grouped: dict[int, list[InboundEvent]] = defaultdict(list)
        for event, conversation in zip(events, conversations, strict=True):
            grouped[id(conversation)].append(event)
            person_id = conversation.person_id
            if person_id is None:
                continue
            target = (
                activity.people_inbound
                if event.direction == "inbound"
                else activity.people_outbound
            )
            if person_id not in target or target[person_id] < event.created_at:
                target[person_id] = event.created_at
        activity.by_conversation = dict(grouped)
        return activity

    def apply_to_new_people(
        self,
        people: Sequence[Person],
        identities: Sequence[Identity | None],
        events: Sequence[InboundEvent],
    ) -> None:
        latest: dict[int, datetime] = {}
        new = {id(person) for person in people}
        for identity, event in zip(identities, events, strict=True):
            # Only new identities can point at a new person; asking an existing identity
            # for its person would cost a query each.
            if identity is not None and identity.pk is None and id(identity.person) in new:
                key = id(identity.person)
                if key not in latest or latest[key] < event.created_at:
                    latest[key] = event.created_at
        for person in people:
            person.last_inbound_at = latest.get(id(person))

    def apply_to_conversation(self, conversation: Conversation) -> None:
        events = self.by_conversation.get(id(conversation), [])
        if not events:
            return
        newest = max(events, key=lambda e: e.created_at)
        previous_activity = conversation.last_activity_at if conversation.pk else None
        conversation.message_count = (conversation.message_count or 0) + len(events)
        if previous_activity is None or newest.created_at >= previous_activity:
            conversation.last_activity_at = newest.created_at
            conversation.last_message_preview = preview_of(newest.text or newest.subject)
        inbound = [e.created_at for e in events if e.direction == "inbound"]
        outbound = [e.created_at for e in events if e.direction == "outbound"]
        if inbound:
            first = min(inbound)
            if conversation.first_inbound_at is None or first < conversation.first_inbound_at:
                conversation.first_inbound_at = first
            if conversation.status in REOPENED and (
                previous_activity is None or max(inbound) > previous_activity
            ):
                conversation.status = ConversationStatus.OPEN
        if outbound:
            first = min(outbound)
            if conversation.first_response_at is None or first < conversation.first_response_at:
                conversation.first_response_at = first
        self._keep_unhandled_clock(conversation, inbound, outbound, previous_activity)
        self._roll_up_readings(conversation, events, previous_activity)

    @staticmethod
    def _keep_unhandled_clock(
        conversation: Conversation,
        inbound: list[datetime],
        outbound: list[datetime],
        previous_activity: datetime | None,
    ) -> None:
        """An inbound message waits to be handled until a reply comes after it. A reply
        stops the clock when nothing stored or in the batch is newer than it; an older reply
        imported late leaves it running, since what came after it may still wait. Inbound
        messages after the last reply start the clock, from the earliest, unless it runs."""
        last_reply = max(outbound, default=None)
        since = conversation.unhandled_since
        newest = last_reply is not None and (
            previous_activity is None or last_reply >= previous_activity
        )
        if newest and since is not None and last_reply is not None and since <= last_reply:
            since = None
        waiting = [when for when in inbound if last_reply is None or when > last_reply]
        if waiting:
            since = min([since, *waiting]) if since else min(waiting)
        conversation.unhandled_since = since

    def _roll_up_readings(
        self,
        conversation: Conversation,
        events: Sequence[InboundEvent],
        previous_activity: datetime | None,
    ) -> None:
        """Sentiment: that of the latest inbound message with one (an older backfilled
        message does not replace it). Urgency: the highest of any inbound message."""
        read = [
            (e.created_at, self.readings[e.external_id])
            for e in events
            if e.direction == "inbound" and e.external_id in self.readings
        ]
        felt = [(when, r["sentiment_label"]) for when, r in read if r["sentiment_label"]]
        if felt:
            when, label = max(felt, key=lambda pair: pair[0])
            if not conversation.sentiment or previous_activity is None or when >= previous_activity:
                conversation.sentiment = label
        conversation.urgency = highest_urgency(
            [conversation.urgency or "", *(r["urgency"] for _, r in read)]
        )


def _touch_existing_people(activity: _Activity, new_people: Sequence[Person]) -> None:
    new_ids = {p.pk for p in new_people}
    ids = sorted((set(activity.people_inbound) | set(activity.people_outbound)) - new_ids)
    if not ids:
        return
    changed = []
    for person in (
        Person.objects.select_for_update()
        .filter(pk__in=ids)
        .only("pk", "last_inbound_at", "last_outbound_at")
    ):
        before = (person.last_inbound_at, person.last_outbound_at)
        seen_in = activity.people_inbound.get(person.pk)
        seen_out = activity.people_outbound.get(person.pk)
        if seen_in and (person.last_inbound_at is None or seen_in > person.last_inbound_at):
            person.last_inbound_at = seen_in
        if seen_out and (person.last_outbound_at is None or seen_out > person.last_outbound_at):
            person.last_outbound_at = seen_out
        if (person.last_inbound_at, person.last_outbound_at) != before:
            changed.append(person)
    bulk.update(Person, changed, ["last_inbound_at", "last_outbound_at"])


def _after_commit(
    workspace_id: int, person_ids: list[int], message_ids: Sequence[int] = ()
) -> None:
    """Follow-up work that must not slow the batch down: weak-signal merge suggestions and,
    when a strong analyzer is configured, the refinement of the stored inbound messages."""
    from comptoir.ingest.tasks import refine_readings_task, suggest_merges_task

    if message_ids:
        enqueue_messages_created(workspace_id, message_ids)

    if message_ids and settings.STRONG_ANALYZER_PATH:
        refine_readings_task(workspace_id, list(message_ids))
    if person_ids:
        suggest_merges_task(workspace_id, person_ids)
