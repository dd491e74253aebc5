"""Rejected events: what could not be ingested, why, and the Replay and Discard buttons."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from comptoir.channels.models import Channel
from comptoir.ingest.actions import NotPendingError, do_discard_rejected, do_replay_rejected
from comptoir.ingest.queries import REJECTED_ORDERING, pending_rejected_count, rejected_events
from comptoir.web.forms import RejectedFilterForm
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_list
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability, can

PAGE_SIZE = 50


@in_workspace
def rejected_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    form = RejectedFilterForm(
        request.GET, channels=list(scoped(Channel, workspace).order_by("name"))
    )
    return render_list(
        request,
        "web/ingest",
        form,
        rejected_events(workspace, form.to_filter()),
        REJECTED_ORDERING,
        size=PAGE_SIZE,
        extra={
            "can_manage": can(request.seat, Capability.MANAGE_CHANNELS),
            "pending": pending_rejected_count(workspace),
        },
    )


@require_POST
@in_workspace
def replay(request: SeatedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, do_replay_rejected)


@require_POST
@in_workspace
def discard(request: SeatedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, do_discard_rejected)


def _act(request: SeatedRequest, pk: int, action: Callable[..., object]) -> HttpResponse:
    if not can(request.seat, Capability.MANAGE_CHANNELS):
        raise PermissionDenied
    workspace = request.seat.workspace
    rejected = get_scoped_or_404(rejected_events(workspace), workspace, pk)
    # Replayed or discarded meanwhile by someone else: the row shows what became of it.
    with suppress(NotPendingError):
        action(rejected, actor=request.seat)
    return _row_or_list(request, pk)


def _row_or_list(request: SeatedRequest, pk: int) -> HttpResponse:
    """htmx swaps the row in place; without JavaScript the list comes back."""
    workspace = request.seat.workspace
    if not request.htmx:
        return HttpResponseRedirect(reverse("web:rejected_events", args=[workspace.slug]))
    row = get_scoped_or_404(rejected_events(workspace), workspace, pk)
    return render(request, "web/ingest/_row.html", {"row": row, "can_manage": True})
