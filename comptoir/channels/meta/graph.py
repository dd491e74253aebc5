"""Replies through Meta's Graph API: comment replies and Messenger / Instagram messages.

https://developers.facebook.com/docs/graph-api/reference/object/comments/#publish
https://developers.facebook.com/docs/instagram-platform/comment-moderation (POST /replies)
https://developers.facebook.com/docs/messenger-platform/reference/send-api/
"""

from __future__ import annotations

from typing import Any

import httpx

from comptoir.channels.adapters import AdapterError

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Graph API error code for an expired, revoked or otherwise invalid access token.
INVALID_TOKEN = 190


class Graph:
    def __init__(self, base_url: str, access_token: str) -> None:
        if not access_token:
            raise AdapterError("this channel has no page access token to reply with")
        self.base_url = base_url.rstrip("/")
        self.access_token = access_token

    def post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            response = httpx.post(
                f"{self.base_url}/{path.lstrip('/')}",
                json=payload,
                # A header rather than the documented query parameter: URLs end up in logs.
                headers={"Authorization": f"Bearer {self.access_token}"},
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise AdapterError(f"the Graph API could not be reached: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400 or not isinstance(body, dict) or "error" in body:
            raise AdapterError(_failure(response.status_code, body))
        return body


def _failure(status: int, body: Any) -> str:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        if status < 400:
            return "the Graph API answered with something that is not a JSON object"
        return f"the Graph API answered HTTP {status}"
    message = str(error.get("message", "")) or f"HTTP {status}"
    if error.get("code") == INVALID_TOKEN:
        return f"the page access token was refused (expired or revoked): {message}"
    return f"the Graph API refused the reply (HTTP {status}): {message}"
