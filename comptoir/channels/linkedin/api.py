"""A small client of LinkedIn's versioned REST API (``/rest/...``, Rest.li protocol 2.0).

Every call carries the bearer token, ``LinkedIn-Version`` and ``X-Restli-Protocol-Version``;
URNs in a path are percent-encoded, as Rest.li 2.0 requires. A failed call raises
AdapterError with what to do about it; nothing is retried here, the next poll asks again.
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/protocol-version
https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from comptoir.channels.adapters import AdapterError

TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def path_urn(urn: str) -> str:
    return quote(urn, safe="")


class LinkedInApi:
    def __init__(self, base_url: str, token: str, *, version: str) -> None:
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=TIMEOUT,
            headers={
                "Authorization": f"Bearer {token}",
                "LinkedIn-Version": version,
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )

    def __enter__(self) -> LinkedInApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._client.close()

    def get(self, path: str, params: dict[str, str | int], *, finder: bool = False) -> Any:
        headers = {"X-RestLi-Method": "FINDER"} if finder else {}
        response = self._call("GET", path, params=params, headers=headers)
        return _json(response)

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self._call("POST", path, json=body)

    def _call(self, method: str, path: str, **arguments: Any) -> httpx.Response:
        try:
            response = self._client.request(method, path, **arguments)
        except httpx.TimeoutException as exc:
            raise AdapterError(f"LinkedIn did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise AdapterError(f"LinkedIn could not be reached: {exc}") from exc
        status = response.status_code
        if status == httpx.codes.UNAUTHORIZED:
            raise AdapterError(
                "LinkedIn refused the access token (expired or revoked): reconnect the channel"
            )
        if status == httpx.codes.FORBIDDEN:
            raise AdapterError(
                "LinkedIn refused the request: the token lacks the organisation's social "
                f"permissions ({_message(response)})"
            )
        if status == httpx.codes.TOO_MANY_REQUESTS:
            wait = response.headers.get("retry-after", "")
            after = f"; retry after {wait} seconds" if wait else ""
            raise AdapterError(f"LinkedIn's rate limit is reached{after}")
        if response.is_error:
            raise AdapterError(f"LinkedIn answered HTTP {status}: {_message(response)}")
        return response


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:  # json.JSONDecodeError, or bytes that are not text
        raise AdapterError(
            f"LinkedIn answered {response.request.url.path} with a body that is not JSON"
        ) from exc


def _message(response: httpx.Response) -> str:
    """LinkedIn's own error message (``{"message": ..., "status": ...}``), else the reason."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])[:300]
    return response.reason_phrase
