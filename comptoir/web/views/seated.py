"""What every workspace page shares: the seat resolved from the URL, and htmx fragments.

A view decorated with ``in_workspace`` receives a ``SeatedRequest`` whose ``seat`` is the
user's seat in the workspace named by the ``slug`` of the URL. A user without a seat there
gets a 404, never a 403, so that a workspace's existence does not leak either.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import update_wrapper
from typing import Any, Concatenate, ParamSpec, Protocol, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import push_url
from django_htmx.middleware import HtmxDetails

from comptoir.pagination import InvalidCursorError, paginate
from comptoir.web.forms import ListFilterForm
from comptoir.web.views.errors import bad_request
from comptoir.workspaces.models import Seat
from comptoir.workspaces.queries import seats_of

_P = ParamSpec("_P")

# The id of the element that wraps a list's rows, filters' target and empty state.
RESULTS_TARGET = "results"


class SeatedRequest(HttpRequest):
    """A request inside one workspace; ``htmx`` comes from django-htmx's middleware."""

    htmx: HtmxDetails
    seat: Seat
    # Every active seat of the user, the current one included (the workspace switcher's).
    workspace_seats: list[Seat]


class WorkspaceView(Protocol[_P]):
    """A view as Django calls it: the workspace slug comes as a keyword from the URL."""

    def __call__(
        self, request: HttpRequest, slug: str, *args: _P.args, **kwargs: _P.kwargs
    ) -> HttpResponse: ...


def in_workspace(
    view: Callable[Concatenate[SeatedRequest, _P], HttpResponse],
) -> WorkspaceView[_P]:
    """Require a login and a seat in the URL's workspace; a damaged cursor is a 400 page."""

    def wrapper(
        request: HttpRequest, slug: str, *args: _P.args, **kwargs: _P.kwargs
    ) -> HttpResponse:
        seated = cast(SeatedRequest, request)
        # The user's seats are few and the switcher lists them all: one query gives both.
        seats = list(seats_of(request.user))
        seat = next((seat for seat in seats if seat.workspace.slug == slug), None)
        if seat is None:
            raise Http404("No such workspace")
        seated.seat = seat
        seated.workspace_seats = seats
        try:
            return view(seated, *args, **kwargs)
        except InvalidCursorError:
            return bad_request(request, reason="cursor")

    # update_wrapper rather than @wraps: the wrapper keeps the signature declared above.
    update_wrapper(wrapper, view)
    return login_required(wrapper)


def wants_fragment(request: SeatedRequest) -> bool:
    """An htmx swap wants a fragment; a history restore after a reload wants the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page_or_fragment(
    request: SeatedRequest, page: str, fragment: str, context: Mapping[str, Any]
) -> HttpResponse:
    response = render(request, fragment if wants_fragment(request) else page, context)
    # The same URL answers with a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def render_list(
    request: SeatedRequest,
    folder: str,
    form: ListFilterForm,
    rows: QuerySet[Any],
    ordering: tuple[str, ...],
    *,
    size: int,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """One page of a filterable list: the whole page, its results, or the next rows.

    Templates live in ``folder``: ``list.html`` (the page), ``_results.html`` (what the
    filter form swaps in) and ``_page.html`` (the rows a "Load more" link appends);
    ``extra`` adds to their context.
    """
    page = paginate(rows, ordering, cursor=request.GET.get("cursor"), size=size)
    new_filters = request.htmx.target == RESULTS_TARGET
    fragment = "_results.html" if new_filters else "_page.html"
    response = render_page_or_fragment(
        request,
        f"{folder}/list.html",
        f"{folder}/{fragment}",
        {**(extra or {}), "form": form, "page": page},
    )
    if new_filters and wants_fragment(request):
        # The form sends every field; the address bar keeps only the filters in use.
        push_url(response, _url_without_blanks(request))
    return response


def _url_without_blanks(request: HttpRequest) -> str:
    used = [
        (key, value)
        for key in request.GET
        if key != "cursor"
        for value in request.GET.getlist(key)
        if value
    ]
    return f"{request.path}?{urlencode(used)}" if used else request.path


def refused(request: SeatedRequest, exc: ValidationError) -> None:
    """An action said no: each of its reasons becomes a message on the next page."""
    for message in exc.messages:
        messages.error(request, message)
