"""Error pages that say what happened in plain words, in the visitor's language.

The 500 page is rendered without a request context: when the server fails, the database
or a context processor may be what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext_lazy as _

# Why a request was refused, for the reasons the 400 page knows how to explain.
BAD_REQUEST_REASONS = {
    "cursor": _(
        "The link to this page of results is damaged or out of date, so we could not tell "
        "where the list should continue."
    ),
}


def bad_request(
    request: HttpRequest, exception: Exception | None = None, *, reason: str = ""
) -> HttpResponse:
    explanation = BAD_REQUEST_REASONS.get(reason, "")
    return render(request, "400.html", {"explanation": explanation}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(loader.get_template("500.html").render())
