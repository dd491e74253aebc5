"""Teams: owners and managers create, rename and delete them and choose their members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.inbox.queries import active_seats, teams
from comptoir.web.inbox_forms import TeamForm
from comptoir.web.views.seated import SeatedRequest, in_workspace, refused
from comptoir.workspaces.actions import (
    do_change_team_members,
    do_create_team,
    do_delete_team,
    do_rename_team,
)
from comptoir.workspaces.models import Team
from comptoir.workspaces.queries import get_scoped_or_404
from comptoir.workspaces.roles import Capability, can


def can_manage_teams(request: SeatedRequest) -> bool:
    """Owners and managers: the roles that may manage channels."""
    return can(request.seat, Capability.MANAGE_CHANNELS)


def _list_url(request: SeatedRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("web:teams", args=[request.seat.workspace.slug]))


@in_workspace
def team_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    if request.method == "POST":
        if not can_manage_teams(request):
            raise PermissionDenied
        form = TeamForm(request.POST)
        if form.is_valid():
            try:
                do_create_team(workspace, name=form.cleaned_data["name"], actor=request.seat)
            except ValidationError as exc:
                refused(request, exc)
            else:
                messages.success(request, _("Team created."))
                return _list_url(request)
    else:
        form = TeamForm()
    return render(
        request,
        "web/teams/list.html",
        {
            "teams": list(teams(workspace).order_by("name")),
            "seats": list(active_seats(workspace)),
            "form": form,
            "can_manage": can_manage_teams(request),
        },
    )


def _team(request: SeatedRequest, pk: int) -> Team:
    if not can_manage_teams(request):
        raise PermissionDenied
    workspace = request.seat.workspace
    return get_scoped_or_404(teams(workspace), workspace, pk)


@in_workspace
@require_POST
def team_rename(request: SeatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    try:
        do_rename_team(team, request.POST.get("name", ""), actor=request.seat)
    except ValidationError as exc:
        refused(request, exc)
    return _list_url(request)


@in_workspace
@require_POST
def team_members(request: SeatedRequest, pk: int) -> HttpResponse:
    """Add the seat in ``add``, remove those in ``remove``."""
    team = _team(request, pk)
    add = [int(v) for v in request.POST.getlist("add") if v.isdigit()]
    remove = [int(v) for v in request.POST.getlist("remove") if v.isdigit()]
    try:
        do_change_team_members(team, add=add, remove=remove, actor=request.seat)
    except ValidationError as exc:
        refused(request, exc)
    return _list_url(request)


@in_workspace
@require_POST
def team_delete(request: SeatedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk)
    do_delete_team(team, actor=request.seat)
    messages.success(request, _("Team deleted."))
    return _list_url(request)
