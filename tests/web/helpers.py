"""Small helpers shared by the web tests."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# What htmx sends when the filter form swaps the results, and when "Load more" is clicked.
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "results"}
HTMX_MORE = {"HX-Request": "true"}


def html(client: Client, url: str, status: int = 200, **kwargs: Any) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def page_pks(client: Client, url: str, **kwargs: Any) -> tuple[list[int], str | None]:
    """The primary keys of a list page's rows, in order, and its next cursor."""
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    page = response.context["page"]
    return [row.pk for row in page.items], page.next_cursor


def count_queries(client: Client, url: str, **kwargs: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def walk_pages(client: Client, url: str) -> list[list[int]]:
    """Every page of a list, following its cursors as "Load more" does."""
    pks, cursor = page_pks(client, url)
    pages = [pks]
    while cursor is not None:
        separator = "&" if "?" in url else "?"
        pks, cursor = page_pks(client, f"{url}{separator}cursor={cursor}", headers=HTMX_MORE)
        pages.append(pks)
    return pages
