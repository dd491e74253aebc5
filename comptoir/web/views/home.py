"""The front door: send people to their inbox, or say why there is none."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comptoir.web.views.seated import SeatedRequest, in_workspace
from comptoir.workspaces.queries import seats_of


@login_required
def home(request: HttpRequest) -> HttpResponse:
    seat = seats_of(request.user).first()
    if seat is None:
        return render(request, "web/no_workspace.html")
    return redirect("web:inbox", slug=seat.workspace.slug)


@in_workspace
def workspace_home(request: SeatedRequest) -> HttpResponse:
    return redirect("web:inbox", slug=request.seat.workspace.slug)
