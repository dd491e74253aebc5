from __future__ import annotations

from datetime import timedelta

import pytest

from comptoir.inbox.models import Conversation
from comptoir.pagination import InvalidCursorError, paginate
from tests.conftest import Personas
from tests.factories import BASE_TIME, ConversationFactory

ORDERING = ("-last_activity_at", "-id")


def test_walks_every_row_once_even_with_ties(personas: Personas) -> None:
    ws = personas.workspace_a
    # Ten conversations share one timestamp: only the id breaks the tie.
    tied = [ConversationFactory.create(workspace=ws, last_activity_at=BASE_TIME) for _ in range(10)]
    others = [
        ConversationFactory.create(workspace=ws, last_activity_at=BASE_TIME + timedelta(hours=i))
        for i in range(1, 8)
    ]
    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        page = paginate(Conversation.objects.filter(workspace=ws), ORDERING, cursor=cursor, size=4)
        seen.extend(c.pk for c in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    expected = [c.pk for c in reversed(others)] + sorted((c.pk for c in tied), reverse=True)
    assert seen == expected
    assert pages == 5


def test_last_page_has_no_cursor(personas: Personas) -> None:
    ConversationFactory.create(workspace=personas.workspace_a)
    page = paginate(Conversation.objects.all(), ORDERING, size=5)
    assert len(page.items) == 1
    assert page.next_cursor is None


@pytest.mark.parametrize("cursor", ["not-base64!!", "bnVsbA", "WzFd", "WyJ4IiwgIngiXQ"])
def test_foreign_cursors_are_refused(personas: Personas, cursor: str) -> None:
    with pytest.raises(InvalidCursorError):
        paginate(Conversation.objects.all(), ORDERING, cursor=cursor)


def test_a_deep_page_reads_the_index_as_a_range(personas: Personas) -> None:
    from django.db import connection

    from comptoir.pagination import _after

    ordering = ("-last_activity_at", "-id")
    ConversationFactory.create_batch(3, workspace=personas.workspace_a)
    last = Conversation.objects.order_by(*ordering).first()
    assert last is not None
    queryset = (
        Conversation.objects.filter(workspace=personas.workspace_a)
        .filter(_after(ordering, [last.last_activity_at, last.pk]))
        .order_by(*ordering)[:50]
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as db:
        if connection.vendor == "sqlite":
            db.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in db.fetchall())
            assert "last_activity_at<" in plan.replace(" ", ""), plan
        else:
            db.execute("SET LOCAL enable_seqscan = off")
            db.execute(f"EXPLAIN {sql}", params)
            lines = [str(row[0]) for row in db.fetchall()]
            conditions = [line for line in lines if "Index Cond" in line]
            assert any("last_activity_at <=" in line for line in conditions), lines
