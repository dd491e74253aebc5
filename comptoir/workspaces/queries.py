"""Reads about workspaces and seats shared by the web UI and the API."""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import Http404

from comptoir.workspaces.models import Seat, Workspace

_M = TypeVar("_M", bound=models.Model)


def seats_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Seat]:
    """The active seats a user holds, with their workspace, for the switcher."""
    if not user.is_authenticated:
        return Seat.objects.none()
    return (
        Seat.objects.filter(user_id=user.pk, is_active=True)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def seat_for(user: AbstractBaseUser | AnonymousUser, slug: str) -> Seat:
    """The user's seat in the workspace named by slug, or 404 (never 403: no leak)."""
    seat = seats_of(user).filter(workspace__slug=slug).first()
    if seat is None:
        raise Http404("No such workspace")
    return seat


def scoped(model: type[_M], workspace: Workspace | int) -> QuerySet[_M]:
    """All rows of model in one workspace: the query every read starts from."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return model._default_manager.filter(workspace_id=workspace_id)


def get_scoped_or_404(queryset: QuerySet[_M], workspace: Workspace | int, pk: object) -> _M:
    """One row of the workspace, or 404 whether it is missing or belongs to another."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    try:
        return queryset.get(workspace_id=workspace_id, pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404("Not found") from None
