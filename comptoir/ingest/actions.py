"""Writes of the ingestion floor besides the pipeline itself: webhook deliveries, and the
replay and discard of rejected events.

Replay reads a rejected event's payload again, the way its source first read it: an email
(polled or imported from an mbox) through the email parser, anything else as the JSON of
one InboundEvent (a webhook event, a JSONL line, the event a CSV row or a tweet became).
What still does not validate stays pending with the new reason and one more attempt; what
validates goes through ``ingest`` and the row is marked replayed, in one transaction.
What cannot be replayed: a payload that never was text or JSON (a line that is not UTF-8,
a damaged archive), and events whose channel has been deleted; fix the source and import
it again, then discard them.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from comptoir.channels.config import WebhookSecrets
from comptoir.channels.events import InboundEvent
from comptoir.channels.models import Channel, ChannelKind
from comptoir.channels.secrets import unseal
from comptoir.ingest.models import RejectedEvent, RejectedStatus, Source
from comptoir.ingest.pipeline import describe_errors, ingest
from comptoir.ingest.sources.base import (
    LONE_SURROGATE,
    Tally,
    has_lone_surrogate,
    may_hold_surrogates,
)
from comptoir.ingest.sources.mbox import email_candidate
from comptoir.ingest.types import Candidate, IngestReport
from comptoir.ingest.webhook import (
    EventProblem,
    WebhookRefusedError,
    candidates_of,
    check_signature,
    events_of,
)
from comptoir.workspaces.actions import record_event, record_events
from comptoir.workspaces.models import Event, Seat, Workspace

logger = logging.getLogger(__name__)

REPLAY_CHUNK = 500
# Sources whose email channels' payloads are RFC 5322 messages rather than JSON.
EMAIL_SOURCES = (Source.POLL, Source.IMPORT)


# Webhook deliveries ------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    report: IngestReport
    problems: list[EventProblem]


def do_receive_webhook(
    channel: Channel, *, body: bytes, timestamp: str | None, signature: str | None
) -> Delivery:
    """Check the signature, then ingest the batch in one transaction: when this returns,
    every event is stored (or counted as a duplicate, or kept as a rejected event).

    Raises WebhookRefusedError (nothing stored) for a bad signature or a body that is not
    a JSON batch.
    """
    secrets = cast(WebhookSecrets, unseal(channel))
    try:
        check_signature(secrets.signing_secret, timestamp, signature, body)
    except WebhookRefusedError as exc:
        # The channel and the reason only: never the secret, the signature or the body.
        logger.warning("webhook delivery refused on channel %s: %s", channel.pk, exc.code)
        raise
    items = events_of(body)
    candidates, problems = candidates_of(items, check_surrogates=may_hold_surrogates(body))
    report = ingest(
        channel.workspace,
        channel,
        candidates,
        source=Source.WEBHOOK,
        batch_size=max(1, len(candidates)),
    )
    return Delivery(report, problems)


# Replay and discard -------------------------------------------------------------------------


class NotPendingError(Exception):
    """Only a pending rejected event can be replayed or discarded."""


@dataclass
class ReplaySummary:
    replayed: list[RejectedEvent] = field(default_factory=list)
    failed: list[RejectedEvent] = field(default_factory=list)  # still pending, new reason
    skipped: list[RejectedEvent] = field(default_factory=list)  # nothing to ingest after all
    report: IngestReport = field(default_factory=IngestReport)

    def add(self, other: ReplaySummary) -> None:
        self.replayed += other.replayed
        self.failed += other.failed
        self.skipped += other.skipped
        self.report.add(other.report)


@dataclass(frozen=True)
class _Reading:
    """A rejected event's payload read again: an event, or why not."""

    event: InboundEvent | None = None
    failure: str = ""
    skipped: str = ""


def do_replay_rejected(rejected: RejectedEvent, *, actor: Seat | None = None) -> ReplaySummary:
    """Replay one rejected event. Raises NotPendingError if it is replayed or discarded."""
    summary = _replay_chunk([rejected.pk], actor)
    if not (summary.replayed or summary.failed or summary.skipped):
        raise NotPendingError
    rejected.refresh_from_db()
    return summary


def do_replay_pending(
    *, workspace: Workspace | None = None, channel: Channel | None = None
) -> ReplaySummary:
    """Replay every pending rejected event (of a workspace, of a channel), oldest first.

    Each chunk of rows lands in its own transaction, so an interrupted run keeps what it
    replayed and a second run picks up the rest.
    """
    summary = ReplaySummary()
    for ids in _pending_chunks(workspace, channel):
        summary.add(_replay_chunk(ids, None))
    return summary


def _pending_chunks(workspace: Workspace | None, channel: Channel | None) -> Iterator[list[int]]:
    rows = RejectedEvent.objects.filter(status=RejectedStatus.PENDING)
    if workspace is not None:
        rows = rows.filter(workspace=workspace)
    if channel is not None:
        rows = rows.filter(channel=channel)
    last = 0
    while True:
        # Keyset on the id: events that fail again stay pending and must not come back.
        ids = list(
            rows.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:REPLAY_CHUNK]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


@transaction.atomic
def _replay_chunk(ids: list[int], actor: Seat | None) -> ReplaySummary:
    rows = list(
        # Locks the rows only: their channel (a nullable join) may not be locked on PostgreSQL.
        RejectedEvent.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, status=RejectedStatus.PENDING)
        .select_related("channel__workspace")
        .order_by("pk")
    )
    summary = ReplaySummary()
    now = timezone.now()
    groups: dict[tuple[int, str], list[tuple[RejectedEvent, InboundEvent]]] = defaultdict(list)
    for row in rows:
        reading = _read(row)
        row.attempts += 1
        if reading.event is not None and row.channel is not None:
            groups[(row.channel.pk, row.source)].append((row, reading.event))
        elif reading.skipped:
            row.status = RejectedStatus.DISCARDED
            row.reason = f"skipped on replay: {reading.skipped}"
            summary.skipped.append(row)
        else:
            row.reason = reading.failure
            summary.failed.append(row)
    for (_, source), group in groups.items():
        channel = cast(Channel, group[0][0].channel)
        summary.report.add(
            ingest(
                channel.workspace,
                channel,
                [Candidate(location=row.location, payload=event) for row, event in group],
                source=source,
                batch_size=len(group),
            )
        )
        for row, _ in group:
            row.status = RejectedStatus.REPLAYED
            row.replayed_at = now
            summary.replayed.append(row)
    RejectedEvent.objects.bulk_update(
        rows, ["status", "reason", "attempts", "replayed_at"], batch_size=REPLAY_CHUNK
    )
    record_events(_audit(rows, summary, actor))
    return summary


def _audit(
    rows: Iterable[RejectedEvent], summary: ReplaySummary, actor: Seat | None
) -> Iterator[Event]:
    verbs = {id(row): "rejected_event.replayed" for row in summary.replayed}
    verbs |= {id(row): "rejected_event.replay_failed" for row in summary.failed}
    verbs |= {id(row): "rejected_event.skipped" for row in summary.skipped}
    for row in rows:
        yield Event(
            workspace_id=row.workspace_id,
            actor=actor,
            verb=verbs[id(row)],
            subject_type="rejected_event",
            subject_id=row.pk,
            payload={"attempts": row.attempts, "reason": row.reason[:500]},
        )


def _read(row: RejectedEvent) -> _Reading:
    channel = row.channel
    if channel is None:
        return _Reading(failure="its channel was deleted: nothing can take it in any more")
    if channel.kind == ChannelKind.EMAIL and row.source in EMAIL_SOURCES:
        return _read_email(row)
    return _read_json(row)


def _read_email(row: RejectedEvent) -> _Reading:
    data = bytes(row.raw_bytes) if row.raw_bytes else row.raw.encode("utf-8")
    tally = Tally()
    address = str((row.channel.config if row.channel else {}).get("address", ""))
    candidate = email_candidate(row.location, data, tally, address)
    if candidate is None:
        return _Reading(skipped=next(iter(tally.skipped), "not a message for the inbox"))
    if not isinstance(candidate.payload, InboundEvent):
        return _Reading(failure=candidate.error or "the message cannot be read")
    return _Reading(event=candidate.payload)


def _read_json(row: RejectedEvent) -> _Reading:
    if row.raw_bytes:
        return _Reading(failure="the payload is not UTF-8 text, so it cannot be read as JSON")
    try:
        payload = json.loads(row.raw)
    except json.JSONDecodeError as exc:
        return _Reading(failure=f"not valid JSON: {exc.msg} (column {exc.colno})")
    if not isinstance(payload, dict):
        return _Reading(failure="not a JSON object")
    if may_hold_surrogates(row.raw) and has_lone_surrogate(payload):
        return _Reading(failure=LONE_SURROGATE)
    try:
        return _Reading(event=InboundEvent.model_validate(payload))
    except ValidationError as exc:
        return _Reading(failure=describe_errors(exc))


@transaction.atomic
def do_discard_rejected(rejected: RejectedEvent, *, actor: Seat | None = None) -> RejectedEvent:
    """Give up on a rejected event: it leaves the list of events to fix, and stays on file."""
    locked = RejectedEvent.objects.select_for_update().get(pk=rejected.pk)
    if locked.status != RejectedStatus.PENDING:
        raise NotPendingError
    locked.status = RejectedStatus.DISCARDED
    locked.save(update_fields=["status"])
    record_event(
        locked.workspace_id,
        "rejected_event.discarded",
        "rejected_event",
        locked.pk,
        actor=actor,
        payload={"location": locked.location, "reason": locked.reason[:500]},
    )
    rejected.status = locked.status
    return rejected
