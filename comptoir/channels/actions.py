"""Writes on channels: every change validates the kind's settings and records an event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from pydantic import ValidationError as PydanticValidationError

from comptoir.channels.config import SECRETS_MODEL, SETTINGS_MODEL
from comptoir.channels.models import Channel, ChannelKind, ChannelStatus
from comptoir.channels.secrets import seal
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat, Workspace


def _validated(model: type[Any], data: dict[str, Any], what: str) -> Any:
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or what}: {err['msg']}" for err in exc.errors()
        )
        raise ValidationError(f"{what}: {problems}") from None


@transaction.atomic
def do_create_channel(
    workspace: Workspace,
    *,
    kind: str,
    name: str,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    actor: Seat | None = None,
) -> Channel:
    kind = ChannelKind(kind)
    public = _validated(SETTINGS_MODEL[kind], settings, "settings")
    hidden = _validated(SECRETS_MODEL[kind], secrets or {}, "secrets")
    channel = Channel.objects.create(
        workspace=workspace,
        kind=kind,
        name=name,
        config=public.model_dump(mode="json"),
        secrets_encrypted=seal(hidden),
    )
    record_event(
        workspace,
        "channel.created",
        "channel",
        channel.pk,
        actor=actor,
        payload={"kind": kind, "name": name, "settings": channel.config},
    )
    return channel


@transaction.atomic
def do_set_channel_status(
    channel: Channel, status: str, *, actor: Seat | None = None, reason: str = ""
) -> Channel:
    previous = channel.status
    channel.status = ChannelStatus(status)
    channel.save(update_fields=["status"])
    record_event(
        channel.workspace_id,
        "channel.status_changed",
        "channel",
        channel.pk,
        actor=actor,
        payload={"from": previous, "to": channel.status, "reason": reason},
    )
    return channel
