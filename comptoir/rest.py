"""What every app's REST router shares: who is calling, pages, and the error body.

It lives beside ``comptoir.pagination``, below the apps, so that each app's ``api.py`` can
use it without importing the ``api`` app: that app is the top floor and imports them all.
"""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import AuthenticationError, AuthorizationError
from pydantic import BeforeValidator

from comptoir.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, paginate
from comptoir.workspaces.models import Seat, Workspace
from comptoir.workspaces.roles import Capability, can

_M = TypeVar("_M", bound=models.Model)
ItemT = TypeVar("ItemT")


def caller(request: HttpRequest) -> Seat:
    """The seat the request's bearer token belongs to (the auth class puts it there)."""
    seat = getattr(request, "auth", None)
    if not isinstance(seat, Seat):
        raise AuthenticationError()
    return seat


def workspace_for(request: HttpRequest, capability: Capability) -> Workspace:
    """The caller's workspace, once the caller's role is allowed ``capability``; else 403."""
    seat = caller(request)
    if not can(seat, capability):
        raise AuthorizationError(message="Your role does not allow this.")
    return seat.workspace


def reading(request: HttpRequest) -> Workspace:
    """The workspace every read endpoint is scoped to."""
    return workspace_for(request, Capability.READ)


class PageParams(Schema):
    cursor: str | None = Field(
        None, description="The `next_cursor` of the previous page; omit it for the first."
    )
    limit: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")


class PageOut(Schema, Generic[ItemT]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` for the next, until null."""

    items: list[ItemT]
    next_cursor: str | None


def page_of(queryset: QuerySet[_M], ordering: tuple[str, ...], params: PageParams) -> Page[_M]:
    """One page of a list endpoint. An invalid cursor raises InvalidCursorError (a 400)."""
    return paginate(queryset, ordering, cursor=params.cursor, size=params.limit)


# An id in a query string: bounded, so that no database is asked about an impossible row.
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _blank_to_none(value: object) -> object:
    return value or None


# Text columns store "not known yet" as ""; the API says null.
BlankIsNull = BeforeValidator(_blank_to_none)


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable reason, e.g. `not_found`.")
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorDetail


ERROR_CODES = frozenset({400, 401, 403, 404})


def responses(ok: Any) -> dict[Any, Any]:
    """The ``response=`` of an endpoint: ``ok`` on success, the one error body otherwise."""
    return {200: ok, ERROR_CODES: ErrorOut}
