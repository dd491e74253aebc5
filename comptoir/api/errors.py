"""One JSON error body for every failure under /api/v1/, never an HTML page.

``{"error": {"code": "not_found", "message": "...", "details": null}}``
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as RefusedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comptoir.pagination import InvalidCursorError

logger = logging.getLogger(__name__)

CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "throttled",
    500: "server_error",
}


def error_response(
    status: int, message: str, *, code: str = "", details: Any = None
) -> HttpResponse:
    body = {
        "error": {"code": code or CODE_OF_STATUS[status], "message": message, "details": details}
    }
    return JsonResponse(body, status=status, content_type="application/json; charset=utf-8")


@csrf_exempt  # a token API sets no cookie; without this a POST would get CSRF's HTML 403
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """Any URL under /api/v1/ that names no endpoint, whatever the method."""
    return error_response(404, "There is no such endpoint; see /api/v1/docs.")


def _authentication_failed(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(
        401, "A valid API token is required: send 'Authorization: Bearer <token>'."
    )
    response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
    return response


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = CODE_OF_STATUS.get(exc.status_code, "error")
    return error_response(exc.status_code, exc.message, code=code)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        400, "The request is not valid.", code="validation_error", details=exc.errors
    )


def _refused(request: HttpRequest, exc: RefusedError) -> HttpResponse:
    """An action refused the write (Django's ValidationError, raised by the actions every
    endpoint calls): 400 with the first reason as the message and each field's reasons."""
    details = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    first = next(iter(details.values()))[0]
    return error_response(400, first, code="invalid", details=details)


def _invalid_cursor(request: HttpRequest, exc: InvalidCursorError) -> HttpResponse:
    return error_response(
        400,
        "This cursor is not one this list gave out; start again without it.",
        code="invalid_cursor",
    )


def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Whatever the exception says stays here: "missing" and "another workspace's" must read alike.
    return error_response(404, "Not found.")


def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(403, "Your role does not allow this.")


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(
        413, f"The request body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes."
    )


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(500, "Something went wrong on our side; it has been logged.")


def install_error_handlers(api: NinjaAPI) -> None:
    # The decorator form, called directly: ninja's add_exception_handler is typed for
    # handlers that also accept the exception class, which none of these receive.
    api.exception_handler(AuthenticationError)(_authentication_failed)
    api.exception_handler(HttpError)(_http_error)
    api.exception_handler(ValidationError)(_validation_error)
    api.exception_handler(RefusedError)(_refused)
    api.exception_handler(InvalidCursorError)(_invalid_cursor)
    api.exception_handler(Http404)(_not_found)
    api.exception_handler(PermissionDenied)(_permission_denied)
    api.exception_handler(RequestDataTooBig)(_too_large)
    api.exception_handler(Exception)(_server_error)
