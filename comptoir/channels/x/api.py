"""X API v2 over HTTPS: the account's mentions, and posting a reply.

https://docs.x.com/x-api/users/get-mentions (GET /2/users/:id/mentions)
https://docs.x.com/x-api/posts/create-post (POST /2/tweets)
https://docs.x.com/x-api/fundamentals/rate-limits (x-rate-limit-* headers, 429)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from comptoir.channels.adapters import AdapterError

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
MENTION_PARAMETERS = {
    "max_results": "100",
    "expansions": "author_id",
    "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,lang",
    "user.fields": "username,name,profile_image_url,url",
}


@dataclass(frozen=True)
class Page:
    body: dict[str, Any]
    # Set when this response used the last request of the window: ask nothing more before.
    exhausted_until: datetime | None


class XApi:
    def __init__(self, base_url: str, token: str, *, what: str) -> None:
        if not token:
            raise AdapterError(f"this X channel has no {what} set")
        self.client = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )

    def __enter__(self) -> XApi:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.client.close()

    def mentions(self, user_id: str, *, since_id: str, next_token: str) -> Page:
        parameters = dict(MENTION_PARAMETERS)
        if since_id:
            parameters["since_id"] = since_id
        if next_token:
            parameters["pagination_token"] = next_token
        return self._call("GET", f"/2/users/{user_id}/mentions", params=parameters)

    def post_tweet(self, payload: dict[str, Any]) -> Page:
        return self._call("POST", "/2/tweets", json=payload)

    def _call(self, method: str, path: str, **arguments: Any) -> Page:
        try:
            response = self.client.request(method, path, **arguments)
        except httpx.HTTPError as exc:
            raise AdapterError(f"the X API could not be reached: {exc}") from exc
        status = response.status_code
        if status == 429:
            raise AdapterError(f"X's rate limit is reached; retry after {_reset(response)}")
        if status == 401:
            raise AdapterError(
                "X refused the token (expired or revoked): connect the account again"
            )
        if status >= 500:
            raise AdapterError(f"X answered HTTP {status}; the next poll will try again")
        try:
            body = response.json()
        except ValueError:
            raise AdapterError(f"X answered HTTP {status} with a body that is not JSON") from None
        if not isinstance(body, dict):
            raise AdapterError(f"X answered HTTP {status} with JSON that is not an object")
        if status >= 400:
            detail = body.get("detail") or body.get("title") or ""
            raise AdapterError(f"X refused the request (HTTP {status}): {detail}")
        exhausted = response.headers.get("x-rate-limit-remaining") == "0"
        return Page(body=body, exhausted_until=_reset_time(response) if exhausted else None)


def _reset_time(response: httpx.Response) -> datetime:
    """When the window opens again: ``x-rate-limit-reset`` (Unix seconds), else
    ``Retry-After`` (seconds), else in 15 minutes, X's usual window."""
    reset = response.headers.get("x-rate-limit-reset", "")
    if reset.isdigit():
        return datetime.fromtimestamp(int(reset), tz=UTC)
    now = datetime.now(tz=UTC)
    retry_after = response.headers.get("retry-after", "")
    if retry_after.isdigit():
        return now + timedelta(seconds=int(retry_after))
    return now + timedelta(minutes=15)


def _reset(response: httpx.Response) -> str:
    return _reset_time(response).isoformat(timespec="seconds")
