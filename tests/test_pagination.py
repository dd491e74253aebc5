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
