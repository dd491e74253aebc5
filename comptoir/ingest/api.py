"""The REST router of ingestion: the generic webhook, the InboundEvent schema, and the
rejected events (list, read, replay, discard).

The webhook and the schema need no token: a webhook delivery proves itself with its
HMAC signature (see ``comptoir.ingest.webhook``), and the schema is public documentation.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, Header, Query, Router, Schema, Status

from comptoir.channels.adapters import WebhookRequest
from comptoir.channels.api import ChannelRef
from comptoir.channels.events import inbound_event_schema
from comptoir.channels.models import Channel, ChannelKind
from comptoir.ingest import hooks, queries
from comptoir.ingest.actions import (
    Delivery,
    NotPendingError,
    ReplaySummary,
    do_discard_rejected,
    do_receive_webhook,
    do_replay_rejected,
)
from comptoir.ingest.models import RejectedEvent, RejectedStatus, Source
from comptoir.ingest.webhook import MAX_BODY, WebhookRefusedError
from comptoir.pagination import Page
from comptoir.rest import (
    ERROR_CODES,
    ErrorOut,
    PageOut,
    PageParams,
    RowId,
    caller,
    page_of,
    reading,
    responses,
    workspace_for,
)
from comptoir.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability

router = Router(tags=["ingestion"])

MAX_ROW_ID = 2**63 - 1


def _error(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


# The webhook ---------------------------------------------------------------------------------


class EventProblemOut(Schema):
    event: int = Field(description="The index of the event in the batch, from 0.")
    field: str | None = Field(description="The path of the field, e.g. `author.kind`.")
    message: str


class DeliveryOut(Schema):
    received: int
    stored: int
    duplicates: int = Field(description="Events already stored (a re-delivery): not stored again.")
    rejected: list[EventProblemOut] = Field(
        description="Invalid events; each is kept as a rejected event for review."
    )


class DeliveryErrorDetail(Schema):
    code: str
    message: str
    details: list[EventProblemOut]


class DeliveryRejectedOut(Schema):
    """Some events were not valid: they are listed, and kept as rejected events; the valid
    ones of the same batch were stored (see ``report``)."""

    error: DeliveryErrorDetail
    report: DeliveryOut


def _delivery_out(delivery: Delivery) -> dict[str, Any]:
    report = delivery.report
    return {
        "received": report.received,
        "stored": report.stored,
        "duplicates": report.duplicates,
        "rejected": [
            {"event": p.event, "field": p.field, "message": p.message} for p in delivery.problems
        ],
    }


@router.post(
    "/channels/{int:channel_id}/events",
    auth=None,
    response={
        200: DeliveryOut,
        400: ErrorOut,
        401: ErrorOut,
        404: ErrorOut,
        413: ErrorOut,
        422: DeliveryRejectedOut,
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": (
                'A JSON array of InboundEvents (or `{"events": [...]}`), at most 5 MB; '
                "the schema of one event is at /api/v1/schemas/inbound-event.json."
            ),
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}
            },
        }
    },
)
def receive_events(
    request: HttpRequest,
    channel_id: int,
    timestamp: Annotated[
        str | None,
        Header(alias=TIMESTAMP_HEADER, description="When the batch was sent, in unix seconds."),
    ] = None,
    signature: Annotated[
        str | None,
        Header(
            alias=SIGNATURE_HEADER,
            description="`sha256=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the "
            "channel's signing secret.",
        ),
    ] = None,
) -> Status[dict[str, Any]]:
    """A generic webhook channel's inbox: a signed batch of events, stored before the 200.

    Authenticated by its signature, not by a token. The answer comes once the batch is
    committed: 200 when every event was valid (re-delivered ones are counted as duplicates),
    422 when some were not (the valid ones are stored all the same, the invalid ones are
    kept as rejected events and listed with their index and field: fix those and send them
    alone, not the whole batch again).
    """
    channel = _webhook_channel(channel_id)
    body = _bounded_body(request)
    if body is None:
        return Status(413, _too_large())
    try:
        delivery = do_receive_webhook(channel, body=body, timestamp=timestamp, signature=signature)
    except WebhookRefusedError as exc:
        return Status(exc.status, _error(exc.code, exc.message))
    out = _delivery_out(delivery)
    if not delivery.problems:
        return Status(200, out)
    invalid = len({p.event for p in delivery.problems})
    message = (
        f"{invalid} of {delivery.report.received} events are not valid and were kept as "
        "rejected events; the others were ingested (see report)."
    )
    return Status(422, {**_error("invalid_events", message, out["rejected"]), "report": out})


def _webhook_channel(channel_id: int) -> Channel:
    channel = (
        Channel.objects.filter(pk=min(channel_id, MAX_ROW_ID), kind=ChannelKind.WEBHOOK)
        .select_related("workspace")
        .first()
    )
    if channel is None:
        # Another kind of channel, or none: the same answer, so that nothing is probed.
        raise Http404
    return channel


def _bounded_body(request: HttpRequest) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY (refused unread when the
    declared length says so, else after reading one byte past the limit)."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    body = request.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def _too_large() -> dict[str, Any]:
    return _error(
        "payload_too_large",
        f"The body is larger than {MAX_BODY // (1024 * 1024)} MB; send smaller batches.",
    )


def _hook_request(request: HttpRequest, body: bytes) -> WebhookRequest:
    return WebhookRequest(
        method=request.method or "GET",
        query={key: request.GET.get(key, "") for key in request.GET},
        headers={key.lower(): value for key, value in request.headers.items()},
        body=body,
    )


def _hook_channel(channel_id: int) -> Channel:
    channel = (
        Channel.objects.filter(pk=min(channel_id, MAX_ROW_ID)).select_related("workspace").first()
    )
    if channel is None:
        raise Http404
    return channel


@router.get("/hooks/{int:channel_id}", auth=None, include_in_schema=False)
def platform_hook_challenge(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A platform's webhook verification (Meta hub.challenge, X CRC), answered by the
    channel's adapter."""
    answer = hooks.answer_challenge(_hook_channel(channel_id), _hook_request(request, b""))
    return HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)


@router.post(
    "/hooks/{int:channel_id}",
    auth=None,
    response={200: dict[str, Any], 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 413: ErrorOut},
)
def platform_hook(request: HttpRequest, channel_id: int) -> Status[dict[str, Any]]:
    """A platform's signed events for one channel (Meta, X...), stored before the 200."""
    channel = _hook_channel(channel_id)
    body = _bounded_body(request)
    if body is None:
        return Status(413, _too_large())
    outcome = hooks.receive(channel, _hook_request(request, body))
    if outcome.report is None:
        code = {401: "bad_signature", 404: "not_found"}.get(outcome.status, "bad_request")
        return Status(outcome.status, _error(code, outcome.error))
    return Status(200, {**outcome.report.as_dict(), "ignored": outcome.ignored})


@router.get("/schemas/inbound-event.json", auth=None, response={200: dict[str, Any]})
def inbound_event_json_schema(request: HttpRequest) -> JsonResponse:
    """The JSON Schema of one InboundEvent, as the webhook and the JSONL import take it."""
    return JsonResponse(inbound_event_schema())


# Rejected events -----------------------------------------------------------------------------


class RejectedEventOut(Schema):
    id: int
    channel: ChannelRef | None = Field(description="null once the channel has been deleted.")
    source: Source
    location: str = Field(description='Where in the input: "line 12", "event 3", "row 7"...')
    reason: str
    status: RejectedStatus
    attempts: int
    received_at: datetime
    replayed_at: datetime | None
    raw_length: int = Field(description="The length of the payload, in characters.")
    raw_preview: str = Field(
        validation_alias="raw_head",
        description=f"The first {queries.RAW_HEAD} characters of the payload.",
    )


class RejectedEventDetailOut(RejectedEventOut):
    raw: str = Field(description="The payload as received (decoded as UTF-8 with replacements).")
    raw_bytes_base64: str | None = Field(
        description="The exact bytes, base64, when they were not UTF-8 text; else null."
    )

    @staticmethod
    def resolve_raw_bytes_base64(rejected: RejectedEvent) -> str | None:
        if not rejected.raw_bytes:
            return None
        return base64.b64encode(bytes(rejected.raw_bytes)).decode("ascii")


class RejectedParams(Schema):
    status: RejectedStatus | None = None
    channel: RowId | None = None

    def to_filter(self) -> queries.RejectedFilter:
        return queries.RejectedFilter(status=self.status or "", channel_id=self.channel)


class ReplayOut(Schema):
    outcome: str = Field(
        description="`replayed` (stored, or found already stored), `failed` (still pending, "
        "with the new reason) or `skipped` (nothing to ingest after all: discarded)."
    )
    rejected_event: RejectedEventOut


@router.get("/rejected-events", response=responses(PageOut[RejectedEventOut]))
def list_rejected_events(
    request: HttpRequest, filters: Query[RejectedParams], page: Query[PageParams]
) -> Page[RejectedEvent]:
    """What could not be ingested, newest first, with why and where."""
    workspace = reading(request)
    rows = queries.rejected_events(workspace, filters.to_filter())
    return page_of(rows, queries.REJECTED_ORDERING, page)


@router.get("/rejected-events/{int:rejected_event_id}", response=responses(RejectedEventDetailOut))
def get_rejected_event(request: HttpRequest, rejected_event_id: int) -> RejectedEvent:
    """One rejected event with its whole payload."""
    workspace = reading(request)
    return get_scoped_or_404(queries.rejected_event_detail(workspace), workspace, rejected_event_id)


@router.post(
    "/rejected-events/{int:rejected_event_id}/replay",
    response={200: ReplayOut, ERROR_CODES: ErrorOut, 409: ErrorOut},
)
def replay_rejected_event(request: HttpRequest, rejected_event_id: int) -> Status[dict[str, Any]]:
    """Read the payload again and ingest it (after a fix); needs the manage-channels right."""
    workspace = workspace_for(request, Capability.MANAGE_CHANNELS)
    rejected = get_scoped_or_404(queries.rejected_events(workspace), workspace, rejected_event_id)
    try:
        summary = do_replay_rejected(rejected, actor=caller(request))
    except NotPendingError:
        return Status(409, _not_pending(rejected))
    fresh = get_scoped_or_404(queries.rejected_events(workspace), workspace, rejected.pk)
    return Status(200, {"outcome": _outcome(summary), "rejected_event": fresh})


@router.post(
    "/rejected-events/{int:rejected_event_id}/discard",
    response={200: RejectedEventOut, ERROR_CODES: ErrorOut, 409: ErrorOut},
)
def discard_rejected_event(
    request: HttpRequest, rejected_event_id: int
) -> Status[RejectedEvent | dict[str, Any]]:
    """Give up on a rejected event; it stays on file, out of the list to fix."""
    workspace = workspace_for(request, Capability.MANAGE_CHANNELS)
    rejected = get_scoped_or_404(queries.rejected_events(workspace), workspace, rejected_event_id)
    try:
        do_discard_rejected(rejected, actor=caller(request))
    except NotPendingError:
        return Status(409, _not_pending(rejected))
    return Status(200, rejected)


def _outcome(summary: ReplaySummary) -> str:
    if summary.replayed:
        return "replayed"
    return "skipped" if summary.skipped else "failed"


def _not_pending(rejected: RejectedEvent) -> dict[str, Any]:
    return _error(
        "conflict",
        f"This event is already {rejected.get_status_display().lower()}; "
        "only pending ones can be replayed or discarded.",
    )
