"""Organisations: the list, and one organisation with its buying committee."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from comptoir.people.models import Stance
from comptoir.people.queries import (
    ORGANIZATION_ORDERING,
    buying_committee,
    memberships,
    organizations,
)
from comptoir.web.forms import OrganizationSearchForm
from comptoir.web.views.seated import SeatedRequest, in_workspace, render_list
from comptoir.workspaces.queries import get_scoped_or_404

PAGE_SIZE = 50


@in_workspace
def organization_list(request: SeatedRequest) -> HttpResponse:
    workspace = request.seat.workspace
    form = OrganizationSearchForm(request.GET)
    return render_list(
        request,
        "web/organizations",
        form,
        organizations(workspace, search=form.value("q") or ""),
        ORGANIZATION_ORDERING,
        size=PAGE_SIZE,
    )


@in_workspace
def organization(request: SeatedRequest, pk: int) -> HttpResponse:
    workspace = request.seat.workspace
    org = get_scoped_or_404(organizations(workspace), workspace, pk)
    return render(
        request,
        "web/organizations/detail.html",
        {
            "organization": org,
            "committee": buying_committee(org),
            "stances": Stance.choices,
            "members": memberships(workspace)
            .filter(organization=org)
            .order_by("person__display_name", "id"),
        },
    )
