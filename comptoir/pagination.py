"""Keyset (cursor) pagination shared by the web lists and the API.

A page costs the same whether it is the first or the ten-thousandth: the cursor carries the
ordering values of the last row seen, and the next page starts strictly after them. The
ordering must end with a unique field (the primary key) so that ties cannot skip rows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.models import Q, QuerySet

_M = TypeVar("_M", bound=models.Model)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class InvalidCursorError(ValueError):
    """The cursor was not made by this server for this list."""


@dataclass(frozen=True)
class Page(Generic[_M]):
    items: list[_M]
    next_cursor: str | None


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the values of a row's ordering keys (datetimes in ISO form)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    """What ``encode_cursor`` encoded, still to be checked by the list it belongs to."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidCursorError("cursor is not valid") from exc


def _decode(cursor: str, ordering: tuple[str, ...], model: type[models.Model]) -> list[Any]:
    values = decode_cursor(cursor)
    if not isinstance(values, list) or len(values) != len(ordering):
        raise InvalidCursorError("cursor does not belong to this list")
    decoded: list[Any] = []
    for value, key in zip(values, ordering, strict=True):
        field = model._meta.get_field(key.lstrip("-"))
        if not isinstance(field, models.Field):
            raise InvalidCursorError("cursor does not belong to this list")
        if value is None:
            decoded.append(None)
            continue
        try:
            decoded.append(field.to_python(value))
        except Exception as exc:
            raise InvalidCursorError("cursor does not belong to this list") from exc
    return decoded


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``ordering`` (a lexicographic keyset condition)."""
    condition = Q()
    for index in range(len(ordering) - 1, -1, -1):
        key = ordering[index]
        name = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": values[index]})
        if index < len(ordering) - 1:
            step = step | (Q(**{name: values[index]}) & condition)
        condition = step
    if len(ordering) > 1 and values[0] is not None:
        # Implied by the condition, but only this form lets the database use the index
        # as a range: without it the OR makes PostgreSQL and SQLite walk the index from
        # its start and filter, so a deep page costs as much as the history before it.
        first = ordering[0]
        bound = "lte" if first.startswith("-") else "gte"
        condition = Q(**{f"{first.lstrip('-')}__{bound}": values[0]}) & condition
    return condition


def paginate(
    queryset: QuerySet[_M],
    ordering: tuple[str, ...],
    *,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page[_M]:
    """One page of ``queryset`` in ``ordering`` after ``cursor``. Raises InvalidCursorError."""
    size = max(1, min(size, MAX_PAGE_SIZE))
    qs = queryset.order_by(*ordering)
    if cursor:
        qs = qs.filter(_after(ordering, _decode(cursor, ordering, queryset.model)))
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    items = rows[:size]
    next_cursor = None
    if has_more and items:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, key.lstrip("-")) for key in ordering])
    return Page(items=items, next_cursor=next_cursor)
