"""Channels: each connected account with its health, and where a platform must post."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from comptoir.listening.health import channel_health
from comptoir.web.views.seated import SeatedRequest, in_workspace
from comptoir.workspaces.roles import Capability, can


@in_workspace
def channel_list(request: SeatedRequest) -> HttpResponse:
    health = channel_health(request.seat.workspace)
    context = {
        "health": health,
        "unhealthy": sum(not h.healthy for h in health),
        # The platform needs the whole address; behind a proxy, USE_X_FORWARDED_HOST says it.
        "origin": request.build_absolute_uri("/").rstrip("/"),
        "can_manage": can(request.seat, Capability.MANAGE_CHANNELS),
    }
    return render(request, "web/channels/list.html", context)
