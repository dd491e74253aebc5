"""Template context shared by every page: the user's seats and the current seat."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from comptoir.ingest.queries import pending_rejected_count
from comptoir.people.queries import pending_suggestion_count
from comptoir.workspaces.queries import seats_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The switcher's seats, queried only when a template shows them (not in fragments)."""
    user = getattr(request, "user", None)
    seat = getattr(request, "seat", None)
    # A page inside a workspace found them all with its seat (see views/seated.py).
    found = getattr(request, "workspace_seats", None)
    return {
        "nav_seats": found
        if found is not None
        else SimpleLazyObject(lambda: list(seats_of(user)) if user else []),
        # Set by the in_workspace decorator on pages inside a workspace.
        "seat": seat,
        # The rejected events left to fix, as a badge beside the navigation's link.
        "nav_rejected_pending": SimpleLazyObject(
            lambda: pending_rejected_count(seat.workspace_id) if seat else 0
        ),
        # The merge suggestions left to review, beside the link to their queue.
        "nav_pending_merges": SimpleLazyObject(
            lambda: pending_suggestion_count(seat.workspace) if seat else 0
        ),
    }
