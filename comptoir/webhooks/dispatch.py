"""From what happened to deliveries, and from deliveries to POSTs.

Events come from the append-only ``workspaces.Event`` log, where every action records its
verb inside its own transaction. A dispatch pass reads the events past a cursor and turns
those an active endpoint subscribes to into ``WebhookDelivery`` rows, in one query and one
bulk insert. An event id is allocated before its transaction commits, so a transaction
that commits late can land an id below one a pass has already seen: the cursor therefore
only moves past events older than ``COMMIT_GRACE``, and each pass reads again everything
younger; the unique (endpoint, source key) constraint makes the re-reading free of
duplicates. Only committed events are ever read, so a rolled-back action sends nothing.

Inbound messages arrive in bulk through the ingest pipeline without an event each: it
calls ``enqueue_messages_created`` after its commit. Replies record "message.outbound".

``deliver_due`` sends the deliveries whose time has come, each claimed by one conditional
UPDATE so that two workers never send the same delivery at once.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from django.db.models import Max, Q
from django.db.models.functions import Substr
from django.utils import timezone

from comptoir import bulk
from comptoir.inbox.models import Direction, Message
from comptoir.webhooks.models import (
    DeliveryStatus,
    DispatchCursor,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from comptoir.webhooks.signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
    unseal,
)
from comptoir.workspaces.models import Event

logger = logging.getLogger(__name__)

# Event-log verbs and the public event type each one is sent as.
VERB_TO_TYPE: dict[str, str] = {
    "message.outbound": EventType.MESSAGE_CREATED,
    "conversation.assigned": EventType.CONVERSATION_ASSIGNED,
    "conversation.status_changed": EventType.CONVERSATION_STATUS_CHANGED,
    "case.opened": EventType.CASE_OPENED,
    "case.sla_warning": EventType.CASE_SLA_WARNING,
    "case.sla_breached": EventType.CASE_SLA_BREACHED,
    "case.resolved": EventType.CASE_RESOLVED,
}

CURSOR_NAME = "events"
# A transaction holding an event uncommitted for longer than this may have it skipped.
COMMIT_GRACE = timedelta(minutes=5)
EVENT_BATCH = 1000
MAX_BATCHES = 20  # per pass; a longer backlog goes on at the next pass
SEND_BATCH = 50
TIMEOUT = 10.0  # seconds, for connecting and for the answer
RETRY_WINDOW = timedelta(hours=24)
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
# How long a claimed delivery stays with its worker before another may take it over.
CLAIM = timedelta(seconds=TIMEOUT * 3 + 30)
EXCERPT = 280  # characters of a message's text in its payload
RESPONSE_EXCERPT = 500  # characters of the receiver's answer kept in the log
USER_AGENT = "Comptoir-Webhooks/1"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, ... at most 1 h."""
    return min(FIRST_BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


def envelope(
    source_key: str,
    event_type: str,
    occurred_at: datetime,
    workspace: dict[str, Any],
    data: dict[str, Any],
) -> dict[str, Any]:
    """The JSON document every delivery POSTs: the same shape for every event type."""
    return {
        "id": source_key,
        "type": event_type,
        "created_at": occurred_at.isoformat(),
        "workspace": workspace,
        "data": data,
    }


def message_data(workspace_id: int, message_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The ``data`` of message.created for each message, in one query; notes are left out."""
    rows = (
        Message.objects.filter(workspace_id=workspace_id, pk__in=bulk.one_of(list(message_ids)))
        .exclude(direction=Direction.NOTE)
        .annotate(excerpt=Substr("text", 1, EXCERPT))
        .values(
            "id",
            "conversation_id",
            "conversation__person_id",
            "channel_id",
            "channel__kind",
            "direction",
            "kind",
            "excerpt",
            "sent_at",
        )
    )
    return {
        row["id"]: {
            "message_id": row["id"],
            "conversation_id": row["conversation_id"],
            "channel": {"id": row["channel_id"], "kind": row["channel__kind"]},
            "direction": row["direction"],
            "kind": row["kind"],
            "text_excerpt": row["excerpt"] or "",
            "sent_at": row["sent_at"].isoformat(),
            "person_id": row["conversation__person_id"],
        }
        for row in rows
    }


@dataclass(frozen=True)
class _Endpoint:
    id: int
    workspace_id: int
    events: frozenset[str]
    created_at: datetime


def _active_endpoints(workspace_id: int | None = None) -> list[_Endpoint]:
    endpoints = WebhookEndpoint.objects.filter(is_active=True)
    if workspace_id is not None:
        endpoints = endpoints.filter(workspace_id=workspace_id)
    return [
        _Endpoint(row["id"], row["workspace_id"], frozenset(row["events"]), row["created_at"])
        for row in endpoints.values("id", "workspace_id", "events", "created_at")
    ]


def _workspaces(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    from comptoir.workspaces.models import Workspace

    return {
        row["id"]: {"id": row["id"], "slug": row["slug"]}
        for row in Workspace.objects.filter(pk__in=set(ids)).values("id", "slug")
    }


def _cursor(now: datetime, endpoints: list[_Endpoint]) -> int:
    """The cursor's position, placed on first use before anything an endpoint could want."""
    row = DispatchCursor.objects.filter(name=CURSOR_NAME).values_list("last_event_id", flat=True)
    found = row.first()
    if found is not None:
        return found
    since = min((e.created_at for e in endpoints), default=now) - COMMIT_GRACE
    start = (
        Event.objects.filter(created_at__lt=since)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    ) or 0
    DispatchCursor.objects.get_or_create(name=CURSOR_NAME, defaults={"last_event_id": start})
    return start


def _advance(position: int) -> None:
    DispatchCursor.objects.filter(name=CURSOR_NAME, last_event_id__lt=position).update(
        last_event_id=position, updated_at=timezone.now()
    )


def dispatch_events(*, now: datetime | None = None) -> int:
    """One pass over the event log: enqueue what endpoints subscribe to. Returns how many
    deliveries it created (fewer than it tried when a previous pass already made some)."""
    now = now or timezone.now()
    endpoints = _active_endpoints()
    cursor = _cursor(now, endpoints)
    by_workspace: dict[int, list[_Endpoint]] = defaultdict(list)
    for endpoint in endpoints:
        by_workspace[endpoint.workspace_id].append(endpoint)
    created = 0
    ceiling: int | None = None
    if by_workspace:
        wanted = {kind for endpoint in endpoints for kind in endpoint.events}
        verbs = [verb for verb, kind in VERB_TO_TYPE.items() if kind in wanted]
        after = cursor
        for _ in range(MAX_BATCHES):
            events = list(
                Event.objects.filter(
                    id__gt=after, verb__in=verbs, workspace_id__in=list(by_workspace)
                )
                .order_by("id")
                .values(
                    "id",
                    "workspace_id",
                    "verb",
                    "subject_type",
                    "subject_id",
                    "actor_id",
                    "payload",
                    "created_at",
                )[:EVENT_BATCH]
            )
            created += _enqueue_events(events, by_workspace, now)
            if len(events) < EVENT_BATCH:
                break
            after = events[-1]["id"]
        else:
            ceiling = after  # more to read: the next pass goes on from here
    # Move past what is surely committed: events older than the grace period.
    settled = Event.objects.filter(id__gt=cursor, created_at__lt=now - COMMIT_GRACE)
    if ceiling is not None:
        settled = settled.filter(id__lte=ceiling)
    position = settled.aggregate(top=Max("id"))["top"]
    if position is not None:
        _advance(position)
    return created


def _message_of(event: Mapping[str, Any]) -> int:
    """The message a "message.outbound" event is about: its subject is the conversation
    (``inbox.actions.do_add_message``), the message is in its payload."""
    return int((event["payload"] or {})["message"])


def _enqueue_events(
    events: Sequence[Mapping[str, Any]], by_workspace: dict[int, list[_Endpoint]], now: datetime
) -> int:
    if not events:
        return 0
    messages: dict[int, dict[int, dict[str, Any]]] = {}
    outbound: dict[int, list[int]] = defaultdict(list)
    for event in events:
        if event["verb"] == "message.outbound":
            outbound[event["workspace_id"]].append(_message_of(event))
    for workspace_id, ids in outbound.items():
        messages[workspace_id] = message_data(workspace_id, ids)
    workspaces = _workspaces(by_workspace)
    deliveries: list[WebhookDelivery] = []
    for event in events:
        event_type = VERB_TO_TYPE[event["verb"]]
        if event_type == EventType.MESSAGE_CREATED:
            data = messages.get(event["workspace_id"], {}).get(_message_of(event))
            if data is None:
                continue  # a note, or a message gone since
        else:
            data = {
                f"{event['subject_type']}_id": event["subject_id"],
                "actor_seat_id": event["actor_id"],
                **(event["payload"] or {}),
            }
        key = f"event:{event['id']}"
        document = envelope(
            key, event_type, event["created_at"], workspaces[event["workspace_id"]], data
        )
        for endpoint in by_workspace[event["workspace_id"]]:
            if event_type in endpoint.events and event["created_at"] >= endpoint.created_at:
                deliveries.append(_delivery(endpoint, event_type, key, document, now))
    return _store(deliveries)


def _delivery(
    endpoint: _Endpoint, event_type: str, key: str, document: dict[str, Any], now: datetime
) -> WebhookDelivery:
    return WebhookDelivery(
        workspace_id=endpoint.workspace_id,
        endpoint_id=endpoint.id,
        event_type=event_type,
        source_key=key,
        payload=document,
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + RETRY_WINDOW,
    )


def _store(deliveries: list[WebhookDelivery]) -> int:
    if not deliveries:
        return 0
    before = len(deliveries)
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=500, ignore_conflicts=True)
    return before


def enqueue_messages_created(
    workspace_id: int, message_ids: Iterable[int], *, now: datetime | None = None
) -> int:
    """Enqueue message.created for messages just stored (the ingest pipeline, after commit).

    With no active endpoint subscribed in the workspace this costs one indexed query; with
    some, one more query for the messages and one bulk insert. Returns the deliveries made.
    """
    endpoints = [
        e for e in _active_endpoints(workspace_id) if EventType.MESSAGE_CREATED in e.events
    ]
    if not endpoints:
        return 0
    now = now or timezone.now()
    workspace = _workspaces([workspace_id])[workspace_id]
    deliveries: list[WebhookDelivery] = []
    for message_id, data in message_data(workspace_id, message_ids).items():
        key = f"message:{message_id}"
        document = envelope(key, EventType.MESSAGE_CREATED, now, workspace, data)
        deliveries.extend(
            _delivery(endpoint, EventType.MESSAGE_CREATED, key, document, now)
            for endpoint in endpoints
        )
    created = _store(deliveries)
    if created:
        from comptoir.webhooks.tasks import deliver_task

        deliver_task()
    return created


# Sending.


def _due(now: datetime, limit: int) -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
            next_attempt_at__lte=now,
            endpoint__is_active=True,
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this worker, unless another took it first (one UPDATE)."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED],
            next_attempt_at__lte=now,
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=now + CLAIM)
    )


def deliver_due(
    *,
    now: datetime | None = None,
    limit: int = SEND_BATCH,
    client: httpx.Client | None = None,
) -> int:
    """Send the deliveries whose time has come, oldest due first. Returns how many it sent
    (successfully or not)."""
    now = now or timezone.now()
    own = client is None
    http = client or httpx.Client(
        timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT}
    )
    sent = 0
    try:
        for delivery_id in _due(now, limit):
            if not _claim(delivery_id, now):
                continue
            delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
            send(delivery, http, now=now)
            sent += 1
    finally:
        if own:
            http.close()
    return sent


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()


def _first_bytes(response: httpx.Response) -> bytes:
    """The start of the answer, without reading a large body whole."""
    kept = b""
    for chunk in response.iter_bytes():
        kept += chunk
        if len(kept) >= RESPONSE_EXCERPT * 4:
            break
    return kept[: RESPONSE_EXCERPT * 4]


def send(delivery: WebhookDelivery, http: httpx.Client, *, now: datetime) -> None:
    """POST one claimed delivery and record the outcome on it."""
    body = body_of(delivery)
    timestamp = str(int(now.timestamp()))
    status_code: int | None = None
    excerpt = ""
    error = ""
    try:
        secret = unseal(delivery.endpoint.secret_encrypted)
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: delivery.event_type,
            DELIVERY_HEADER: str(delivery.pk),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(secret, timestamp, body),
        }
        with http.stream("POST", delivery.endpoint.url, content=body, headers=headers) as response:
            status_code = response.status_code
            excerpt = _first_bytes(response).decode("utf-8", "replace")[:RESPONSE_EXCERPT]
        if not response.is_success:
            error = f"HTTP {status_code}"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT]
    except ValueError as exc:  # the secret cannot be decrypted with this ENCRYPTION_KEY
        error = str(exc)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status_code
    delivery.response_excerpt = excerpt
    delivery.last_error = error
    delivery.locked_until = None
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    else:
        retry_at = now + backoff(delivery.attempts)
        if delivery.give_up_at is None or retry_at > delivery.give_up_at:
            delivery.status = DeliveryStatus.ABANDONED
            delivery.next_attempt_at = None
        else:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = retry_at
        logger.info(
            "webhook delivery %s to endpoint %s failed (attempt %s): %s",
            delivery.pk,
            delivery.endpoint_id,
            delivery.attempts,
            error,
        )
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "response_excerpt",
            "last_error",
            "locked_until",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
