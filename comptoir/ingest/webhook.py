"""The generic webhook: how a sender signs a batch of events, and how we read it.

A sender POSTs a JSON array of InboundEvents (or ``{"events": [...]}``) to
``/api/v1/channels/{id}/events`` with two headers::

    X-Comptoir-Timestamp: 1795000000                 (unix seconds, when it was sent)
    X-Comptoir-Signature: sha256=<hex>               (HMAC-SHA256 of "<timestamp>.<body>")

The HMAC key is the channel's signing secret; the message is the timestamp, a dot, and the
raw body bytes exactly as sent. A signature that does not match, or a timestamp more than
five minutes away from our clock (a replayed capture), is refused with a 401. There is no
bearer token and no cookie: the channel id names the channel and the signature proves the
sender knows its secret. ``signed_headers`` computes the headers for a client or a test.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr, ValidationError

from comptoir.channels.events import InboundEvent
from comptoir.ingest.sources.base import LONE_SURROGATE, has_lone_surrogate
from comptoir.ingest.types import Candidate
from comptoir.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, verify

REPLAY_WINDOW = 300  # seconds either side of our clock
MAX_BODY = 5 * 1024 * 1024  # bytes; a larger batch is refused with a 413, unread


class WebhookRefusedError(Exception):
    """The request is refused before anything is stored: the status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def signed_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """The two headers a sender adds to a POST of ``body`` (for clients and tests)."""
    timestamp = str(int(time.time() if now is None else now))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)}


def check_signature(
    secret: SecretStr,
    timestamp: str | None,
    signed: str | None,
    body: bytes,
    *,
    now: float | None = None,
) -> None:
    """Raise WebhookRefusedError (401) unless the body was signed with the secret, recently."""
    if not secret.get_secret_value():
        raise WebhookRefusedError(
            401, "unsigned_channel", "This channel has no signing secret yet; set one first."
        )
    timestamp = (timestamp or "").strip()
    if not timestamp.isascii() or not timestamp.isdigit():
        raise WebhookRefusedError(
            401,
            "bad_timestamp",
            f"Send the time of sending in {TIMESTAMP_HEADER}, in unix seconds.",
        )
    drift = abs((time.time() if now is None else now) - int(timestamp))
    if drift > REPLAY_WINDOW:
        raise WebhookRefusedError(
            401,
            "stale_timestamp",
            f"{TIMESTAMP_HEADER} is {int(drift)} s away from our clock; "
            f"the limit is {REPLAY_WINDOW} s. Sign each delivery when you send it.",
        )
    if not signed or not verify(secret.get_secret_value(), timestamp, body, signed):
        raise WebhookRefusedError(
            401,
            "bad_signature",
            f"{SIGNATURE_HEADER} does not match: sign '<timestamp>.<raw body>' with "
            "HMAC-SHA256 and the channel's secret, as sha256=<hex>.",
        )


def events_of(body: bytes) -> list[Any]:
    """The batch's items: a JSON array, or an object whose ``events`` is one. 400 if not."""
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise WebhookRefusedError(
            400, "invalid_json", f"The body is not UTF-8 (byte {exc.start + 1})."
        ) from None
    except json.JSONDecodeError as exc:
        raise WebhookRefusedError(
            400,
            "invalid_json",
            f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}).",
        ) from None
    if isinstance(document, dict) and set(document) == {"events"}:
        document = document["events"]
    if not isinstance(document, list):
        raise WebhookRefusedError(
            400,
            "invalid_batch",
            'The body must be a JSON array of events, or {"events": [...]}.',
        )
    return document


@dataclass(frozen=True)
class EventProblem:
    """What is wrong with one event of a batch: its index (from 0), the field and why."""

    event: int
    field: str | None
    message: str


def candidates_of(
    items: list[Any], *, check_surrogates: bool = True
) -> tuple[list[Candidate], list[EventProblem]]:
    """Every item as a candidate: valid ones carry their event, invalid ones their errors.

    Invalid items go to the pipeline too, which keeps them as rejected events, so that
    nothing a sender delivered is lost. ``check_surrogates=False`` skips a scan that only
    a body with a ``\\ud8xx`` escape needs (see ``may_hold_surrogates``).
    """
    candidates: list[Candidate] = []
    problems: list[EventProblem] = []
    for index, item in enumerate(items):
        location = f"event {index}"
        if not isinstance(item, dict):
            problem = EventProblem(index, None, "An event must be a JSON object.")
            problems.append(problem)
            candidates.append(_rejected(location, item, problem.message))
            continue
        if check_surrogates and has_lone_surrogate(item):
            problem = EventProblem(index, None, LONE_SURROGATE)
            problems.append(problem)
            candidates.append(_rejected(location, item, problem.message))
            continue
        try:
            event = InboundEvent.model_validate(item)
        except ValidationError as exc:
            found = [_problem(index, error) for error in exc.errors(include_url=False)]
            problems.extend(found)
            reason = "; ".join(f"{p.field or 'event'}: {p.message}" for p in found)
            candidates.append(_rejected(location, item, reason))
            continue
        candidates.append(Candidate(location=location, payload=event))
    return candidates, problems


def _problem(index: int, error: Any) -> EventProblem:
    field = ".".join(str(part) for part in error["loc"]) or None
    return EventProblem(index, field, str(error["msg"]).removeprefix("Value error, "))


def _rejected(location: str, item: Any, reason: str) -> Candidate:
    return Candidate(
        location=location,
        payload=None,
        # Escaped, so that a lone surrogate stays storable text.
        raw=json.dumps(item, ensure_ascii=has_lone_surrogate(item)),
        error=reason,
    )
