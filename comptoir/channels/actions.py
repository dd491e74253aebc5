"""Writes on channels: every change validates the kind's settings and records an event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from pydantic import SecretStr
from pydantic import ValidationError as PydanticValidationError

from comptoir.channels.config import SECRETS_MODEL, SETTINGS_MODEL
from comptoir.channels.models import Channel, ChannelKind, ChannelStatus
from comptoir.channels.secrets import seal, unseal
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
def do_update_channel(
    channel: Channel,
    *,
    name: str,
    settings: dict[str, Any],
    secrets: dict[str, Any] | None = None,
    actor: Seat | None = None,
) -> Channel:
    """Replace the settings; merge the secrets: a blank value keeps the stored one."""
    public = _validated(SETTINGS_MODEL[channel.kind], settings, "settings")
    try:
        current = dict(unseal(channel))
    except ValueError:  # sealed with another ENCRYPTION_KEY: only what is filled in now counts
        current = {}
    stored = {
        key: value.get_secret_value() if isinstance(value, SecretStr) else value
        for key, value in current.items()
    }
    changed = sorted(key for key, value in (secrets or {}).items() if value not in (None, ""))
    merged = {**stored, **{key: (secrets or {})[key] for key in changed}}
    hidden = _validated(SECRETS_MODEL[channel.kind], merged, "secrets")
    channel.name = name
    channel.config = public.model_dump(mode="json")
    channel.secrets_encrypted = seal(hidden)
    channel.save(update_fields=["name", "config", "secrets_encrypted"])
    record_event(
        channel.workspace_id,
        "channel.updated",
        "channel",
        channel.pk,
        actor=actor,
        # The names of the secrets replaced, never their values.
        payload={"name": name, "settings": channel.config, "secrets_replaced": changed},
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
