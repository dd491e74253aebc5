"""``comptoir reanalyze``: stored messages read again in batches, roll-ups recomputed."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.inbox.models import Conversation, Direction, Message
from tests.conftest import Personas
from tests.factories import ChannelFactory, ConversationFactory, MessageFactory

COMPLAINT_FR = "Mon colis n'est jamais arrivé, c'est inadmissible, je veux un remboursement !"
PRAISE_EN = "Thank you so much, the lamp is gorgeous and arrived early. Love it!"


def reanalyze(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reanalyze", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def stored(personas: Personas) -> dict[str, Any]:
    """Messages stored with no readings, as before the analyzer was wired in."""
    channel = ChannelFactory.create(workspace=personas.workspace_a, kind="x")
    convo = ConversationFactory.create(workspace=personas.workspace_a, channel=channel)
    complaint = MessageFactory.create(conversation=convo, text=COMPLAINT_FR, visibility="public")
    praise = MessageFactory.create(
        conversation=convo, text=PRAISE_EN, sent_at=complaint.sent_at.replace(hour=23)
    )
    answer = MessageFactory.create(
        conversation=convo,
        direction=Direction.OUTBOUND,
        author_identity=None,
        text="Toutes nos excuses, nous regardons tout de suite.",
        sent_at=praise.sent_at,
    )
    other_channel = ChannelFactory.create(workspace=personas.workspace_b)
    other = ConversationFactory.create(workspace=personas.workspace_b, channel=other_channel)
    elsewhere = MessageFactory.create(conversation=other, text=COMPLAINT_FR)
    Message.objects.update(
        language="", sentiment_label="", sentiment_score=None, intents={}, urgency=""
    )
    return {
        "convo": convo,
        "complaint": complaint,
        "praise": praise,
        "answer": answer,
        "other": other,
        "elsewhere": elsewhere,
    }


def test_messages_are_read_again_and_conversations_rolled_up(
    stored: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = reanalyze("--batch-size", "2")

    complaint = Message.objects.get(pk=stored["complaint"].pk)
    assert (complaint.language, complaint.sentiment_label) == ("fr", "negative")
    assert "complaint" in complaint.intents
    assert complaint.urgency == "high"
    assert complaint.urgency_reasons == ["public_complaint"]
    praise = Message.objects.get(pk=stored["praise"].pk)
    assert (praise.language, praise.sentiment_label, praise.urgency) == ("en", "positive", "low")
    answer = Message.objects.get(pk=stored["answer"].pk)
    assert (answer.language, answer.sentiment_label, answer.urgency) == ("fr", "", "")

    convo = Conversation.objects.get(pk=stored["convo"].pk)
    assert convo.sentiment == "positive"  # the latest inbound message's
    assert convo.urgency == "high"  # the highest of its inbound messages
    assert "Re-read 4 messages in 2 workspace(s); rolled up 2 conversation(s)." in out
    assert "messages: " in capsys.readouterr().err  # the progress bar, on stderr


def test_one_workspace_only(stored: dict[str, Any], personas: Personas) -> None:
    out, _ = reanalyze("--workspace", personas.workspace_b.slug)

    assert "Re-read 1 messages in 1 workspace(s)" in out
    assert Message.objects.get(pk=stored["elsewhere"].pk).sentiment_label == "negative"
    assert Message.objects.get(pk=stored["complaint"].pk).sentiment_label == ""
    assert Conversation.objects.get(pk=stored["convo"].pk).urgency == ""


def test_a_conversation_with_no_inbound_reading_is_cleared(stored: dict[str, Any]) -> None:
    Message.objects.filter(conversation=stored["convo"], direction=Direction.INBOUND).delete()
    Conversation.objects.filter(pk=stored["convo"].pk).update(sentiment="negative", urgency="high")

    reanalyze()

    convo = Conversation.objects.get(pk=stored["convo"].pk)
    assert (convo.sentiment, convo.urgency) == ("", "")


def test_batches_cost_a_constant_number_of_queries(
    stored: dict[str, Any], personas: Personas
) -> None:
    with CaptureQueriesContext(connection) as few:
        reanalyze("--workspace", personas.workspace_a.slug, "--batch-size", "100")
    MessageFactory.create_batch(60, conversation=stored["convo"], text=PRAISE_EN)
    with CaptureQueriesContext(connection) as many:
        reanalyze("--workspace", personas.workspace_a.slug, "--batch-size", "100")

    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_unknown_workspace_is_an_error(stored: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="no workspace 'nope'"):
        reanalyze("--workspace", "nope")


def test_a_batch_size_must_be_positive(stored: dict[str, Any]) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        reanalyze("--batch-size", "0")
