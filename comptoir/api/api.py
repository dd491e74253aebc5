"""The REST API: one NinjaAPI that mounts each app's router.

Every URL under /api/v1/ answers JSON: the routers' errors go through the handlers of
``comptoir.api.errors``, and the few answers Django or ninja would give in plain text or
HTML (an unknown path, a wrong method) are replaced here.
"""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from comptoir.api.auth import TokenAuth
from comptoir.api.errors import error_response, install_error_handlers, not_found
from comptoir.cases.api import router as cases_router
from comptoir.cases.api_sla import router as sla_router
from comptoir.channels.api import router as channels_router
from comptoir.inbox.api import router as inbox_router
from comptoir.inbox.api_replies import router as replies_router
from comptoir.ingest.api import router as ingest_router
from comptoir.listening.api import health_router as channel_health_router
from comptoir.listening.api import router as listening_router
from comptoir.people.api import router as people_router
from comptoir.webhooks.api import router as webhooks_router
from comptoir.workspaces.api import router as workspaces_router

_View = Any  # a Django view callable; URLPattern.callback is untyped


def _json_method_not_allowed(view: _View) -> _View:
    @functools.wraps(view)  # keeps the csrf_exempt mark ninja puts on its views
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response: HttpResponseBase = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = sorted(m.strip() for m in response["Allow"].split(","))
        answer = error_response(
            405,
            f"{request.method} is not allowed here; use {', '.join(allowed)}.",
            details={"allowed": allowed},
        )
        answer["Allow"] = response["Allow"]
        return answer

    return wrapper


class ComptoirAPI(NinjaAPI):
    """A NinjaAPI whose every URL, known or not, answers in the one JSON error shape."""

    @property
    def urls(self) -> tuple[list[URLResolver | URLPattern], str, str]:
        patterns, app_name, namespace = super().urls
        answering_json: list[URLResolver | URLPattern] = []
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                # ninja's root view raises a bare Http404 outside its handlers: an HTML page.
                view = not_found if pattern.name == "api-root" else pattern.callback
                pattern = URLPattern(
                    pattern.pattern,
                    _json_method_not_allowed(view),
                    pattern.default_args,
                    pattern.name,
                )
            answering_json.append(pattern)
        answering_json.append(re_path(r"^", not_found, name="not-found"))
        return answering_json, app_name, namespace


api = ComptoirAPI(
    title="Comptoir API",
    version="1",
    description=(
        "People, identities, organisations and conversations of one workspace. "
        "Authenticate with `Authorization: Bearer <token>` (`comptoir token create`); "
        "every list is cursor-paginated, every error is "
        '`{"error": {"code", "message", "details"}}`.'
    ),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api-v1",
    auth=TokenAuth(),
)
install_error_handlers(api)
api.add_router("", workspaces_router)
api.add_router("", people_router)
api.add_router("", inbox_router)
api.add_router("", replies_router)
api.add_router("", channels_router)
api.add_router("", ingest_router)
api.add_router("", listening_router)
api.add_router("", channel_health_router)
api.add_router("", cases_router)
api.add_router("", sla_router)
api.add_router("", webhooks_router)
