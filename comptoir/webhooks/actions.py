"""Writes on outbound webhooks: endpoints, test pings and redeliveries.

Each records an event in the workspace's log (never with the secret) and schedules the
sending after its commit, so that nothing is sent for a change that was rolled back.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.webhooks.dispatch import RETRY_WINDOW, envelope
from comptoir.webhooks.models import (
    PING,
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from comptoir.webhooks.signing import new_secret, seal
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat, Workspace

_URL = URLValidator(schemes=["http", "https"])


def _storable(value: str, field: str) -> str:
    """Refuse what neither database stores: NUL, and lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError({field: _("This text holds an invalid character.")}) from None
    if "\x00" in value:
        raise ValidationError({field: _("This text holds an invalid character.")})
    return value


def _clean_url(url: str) -> str:
    url = _storable((url or "").strip(), "url")
    if urlsplit(url).scheme.lower() not in {"http", "https"}:
        raise ValidationError({"url": _("The address must start with http:// or https://.")})
    try:
        _URL(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a valid web address.")}) from None
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ValidationError({"url": _("This address is too long (500 characters at most).")})
    return url


def _clean_events(events: Iterable[str]) -> list[str]:
    chosen = list(dict.fromkeys(events))
    unknown = [_storable(e, "events") for e in chosen if e not in EventType.values]
    if unknown:
        raise ValidationError(
            {
                "events": _("Unknown event type: %(types)s. Choose among %(known)s.")
                % {"types": ", ".join(unknown), "known": ", ".join(EventType.values)}
            }
        )
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    return [e for e in EventType.values if e in chosen]


def _clean_description(description: str) -> str:
    description = _storable((description or "").strip(), "description")
    if len(description) > 200:
        raise ValidationError({"description": _("200 characters at most.")})
    return description


def _public(endpoint: WebhookEndpoint) -> dict[str, object]:
    return {
        "url": endpoint.url,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }


@dataclass(frozen=True)
class CreatedEndpoint:
    """A new endpoint and its signing secret, which is shown this once and never again."""

    endpoint: WebhookEndpoint
    secret: str


@transaction.atomic
def do_create_endpoint(
    workspace: Workspace,
    *,
    url: str,
    events: Iterable[str],
    description: str = "",
    actor: Seat | None = None,
) -> CreatedEndpoint:
    """A new endpoint with a fresh secret. Raises ValidationError naming the field."""
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        workspace=workspace,
        url=_clean_url(url),
        events=_clean_events(events),
        description=_clean_description(description),
        secret_encrypted=seal(secret),
    )
    record_event(
        workspace, "webhook.created", "webhook", endpoint.pk, actor=actor, payload=_public(endpoint)
    )
    return CreatedEndpoint(endpoint, secret)


@transaction.atomic
def do_update_endpoint(
    endpoint: WebhookEndpoint,
    *,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    actor: Seat | None = None,
) -> WebhookEndpoint:
    """Change what is given; pausing keeps the pending deliveries for when it resumes."""
    if url is not None:
        endpoint.url = _clean_url(url)
    if events is not None:
        endpoint.events = _clean_events(events)
    if description is not None:
        endpoint.description = _clean_description(description)
    resumed = is_active is True and not endpoint.is_active
    if is_active is not None:
        endpoint.is_active = is_active
    endpoint.save(update_fields=["url", "events", "description", "is_active"])
    record_event(
        endpoint.workspace_id,
        "webhook.updated",
        "webhook",
        endpoint.pk,
        actor=actor,
        payload=_public(endpoint),
    )
    if resumed:
        _deliver_after_commit()
    return endpoint


@transaction.atomic
def do_delete_endpoint(endpoint: WebhookEndpoint, *, actor: Seat | None = None) -> None:
    """Delete the endpoint and its delivery log."""
    record_event(
        endpoint.workspace_id,
        "webhook.deleted",
        "webhook",
        endpoint.pk,
        actor=actor,
        payload={"url": endpoint.url},
    )
    endpoint.delete()


@transaction.atomic
def do_ping(
    endpoint: WebhookEndpoint, *, actor: Seat | None = None, now: datetime | None = None
) -> WebhookDelivery:
    """Queue a "ping" event to the endpoint, sent right after the commit."""
    now = now or timezone.now()
    key = f"ping:{uuid.uuid4().hex}"
    workspace = endpoint.workspace
    delivery = WebhookDelivery.objects.create(
        workspace_id=endpoint.workspace_id,
        endpoint=endpoint,
        event_type=PING,
        source_key=key,
        payload=envelope(
            key,
            PING,
            now,
            {"id": workspace.pk, "slug": workspace.slug},
            {"endpoint_id": endpoint.pk, "seat_id": actor.pk if actor else None},
        ),
        created_at=now,
        next_attempt_at=now,
        give_up_at=now + RETRY_WINDOW,
    )
    record_event(
        endpoint.workspace_id,
        "webhook.pinged",
        "webhook",
        endpoint.pk,
        actor=actor,
        payload={"delivery": delivery.pk},
    )
    _deliver_after_commit()
    return delivery


@transaction.atomic
def do_redeliver(
    delivery: WebhookDelivery, *, actor: Seat | None = None, now: datetime | None = None
) -> WebhookDelivery:
    """Send the same payload again now, with a fresh day of retries if it fails."""
    now = now or timezone.now()
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.give_up_at = now + RETRY_WINDOW
    delivery.locked_until = None
    delivery.save(update_fields=["status", "next_attempt_at", "give_up_at", "locked_until"])
    record_event(
        delivery.workspace_id,
        "webhook.redelivered",
        "webhook",
        delivery.endpoint_id,
        actor=actor,
        payload={"delivery": delivery.pk, "event": delivery.event_type},
    )
    _deliver_after_commit()
    return delivery


def _deliver_after_commit() -> None:
    from comptoir.webhooks.tasks import deliver_task

    transaction.on_commit(deliver_task)
