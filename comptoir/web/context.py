"""Template context shared by every page: the user's seats and the current workspace."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comptoir.workspaces.queries import seats_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    return {"nav_seats": list(seats_of(request.user)) if hasattr(request, "user") else []}
