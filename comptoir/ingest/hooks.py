"""Platform webhooks (Meta, X...): verify the platform's signature, then ingest.

One address per channel, ``/api/v1/hooks/{channel id}``: the GET answers the platform's
verification (Meta's hub.challenge, X's CRC), the POST carries events. The channel's adapter
knows the platform's rules; this module only connects it to the pipeline, and answers the
POST after the events are committed, so a 200 means they are stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from comptoir.channels.adapters import (
    AdapterError,
    HookAnswer,
    SignatureError,
    WebhookRequest,
    adapter_for,
)
from comptoir.channels.models import Channel
from comptoir.ingest.models import Source
from comptoir.ingest.pipeline import ingest
from comptoir.ingest.types import Candidate, IngestReport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HookOutcome:
    status: int
    report: IngestReport | None = None
    error: str = ""
    ignored: int = 0


def answer_challenge(channel: Channel, request: WebhookRequest) -> HookAnswer:
    try:
        adapter = adapter_for(channel)
    except AdapterError:
        return HookAnswer(404, "not found")
    return adapter.answer_challenge(request)


def receive(channel: Channel, request: WebhookRequest) -> HookOutcome:
    try:
        adapter = adapter_for(channel)
    except AdapterError:
        return HookOutcome(404, error="not found")
    if not adapter.receives_webhooks:
        return HookOutcome(404, error="not found")
    try:
        adapter.verify(request)
    except SignatureError as exc:
        # Logged with the channel only: never the body, the headers or the secret.
        logger.warning("refused a webhook for channel %s: %s", channel.pk, exc)
        return HookOutcome(401, error=str(exc))
    try:
        result = adapter.read_webhook(request)
    except AdapterError as exc:
        return HookOutcome(400, error=str(exc))
    candidates = [Candidate(location=e.external_id, payload=e) for e in result.events]
    candidates += [
        Candidate(location=where, payload=None, raw=raw, error=reason)
        for where, raw, reason in result.unreadable
    ]
    report = ingest(channel.workspace, channel, candidates, source=Source.WEBHOOK)
    return HookOutcome(200, report=report, ignored=result.ignored)
