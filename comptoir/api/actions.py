"""Issuing, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from comptoir.api.models import ApiToken
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat

TOKEN_PREFIX = "cpt"  # noqa: S105 - the public marker of a token, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_token(seat: Seat, *, name: str = "", actor: Seat | None = None) -> IssuedToken:
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        workspace_id=seat.workspace_id, seat=seat, name=name, prefix=prefix, digest=_digest(secret)
    )
    record_event(
        seat.workspace_id,
        "api_token.created",
        "api_token",
        token.pk,
        actor=actor or seat,
        payload={"prefix": prefix, "name": name, "seat": seat.pk},
    )
    return IssuedToken(token=token, secret=secret)


def authenticate_token(secret: str) -> ApiToken | None:
    """The live token matching a presented secret, with its seat and workspace, or None."""
    parts = secret.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        ApiToken.objects.select_related("seat__workspace", "seat__user")
        .filter(prefix=parts[1], revoked_at__isnull=True, seat__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy integration must not write on every call.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def do_revoke_token(token: ApiToken, *, actor: Seat | None = None) -> ApiToken:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(
        token.workspace_id,
        "api_token.revoked",
        "api_token",
        token.pk,
        actor=actor,
        payload={"prefix": token.prefix},
    )
    return token
