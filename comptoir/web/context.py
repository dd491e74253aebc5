"""Template context shared by every page: the user's seats and the current seat."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from comptoir.workspaces.queries import seats_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The switcher's seats, queried only when a template shows them (not in fragments)."""
    user = getattr(request, "user", None)
    return {
        "nav_seats": SimpleLazyObject(lambda: list(seats_of(user)) if user else []),
        # Set by the in_workspace decorator on pages inside a workspace.
        "seat": getattr(request, "seat", None),
    }
