"""Reads about API tokens, for the ``comptoir token`` command."""

from __future__ import annotations

from django.db.models import QuerySet

from comptoir.api.actions import TOKEN_PREFIX
from comptoir.api.models import ApiToken
from comptoir.workspaces.models import Workspace


def tokens_of(workspace: Workspace) -> QuerySet[ApiToken]:
    """The workspace's tokens, revoked ones included, newest first."""
    return (
        ApiToken.objects.filter(workspace=workspace)
        .select_related("seat__user")
        .order_by("-created_at", "-id")
    )


def token_by_prefix(presented: str) -> ApiToken | None:
    """The token a person names by its prefix, ``cpt_<prefix>``, or the whole token."""
    parts = presented.strip().split("_")
    prefix = parts[1] if len(parts) > 1 and parts[0] == TOKEN_PREFIX else parts[0]
    return ApiToken.objects.select_related("seat").filter(prefix=prefix).first()
