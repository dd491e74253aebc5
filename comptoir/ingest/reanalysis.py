"""Reading stored messages again: by primary key ranges, one analyzer call and one bulk
update per batch, then the conversations' roll-ups recomputed in bulk.

The readings follow the pipeline's rules (``comptoir.ingest.reading.reading_fields``):
the language for every message, sentiment, intents and urgency for inbound ones. The
stored language is passed back as the hint, so a language the channel declared at ingest
is kept; the context is the message's visibility and channel kind, with no count of
previous contacts, as at ingest.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from django.conf import settings
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from comptoir import bulk
from comptoir.inbox.models import URGENCY_RANK, Conversation, Direction, Message
from comptoir.ingest.pipeline import context_of
from comptoir.ingest.reading import reading_fields
from comptoir.understanding.analyzer import default_analyzer
from comptoir.understanding.strong import StrongAnalyzer, load_strong_analyzer

FIELDS = ("language", "sentiment_label", "sentiment_score", "intents", "urgency", "urgency_reasons")


def batches(messages: QuerySet[Message], size: int) -> Iterator[list[Message]]:
    """Messages in primary key order, ``size`` at a time, with what the analyzer needs."""
    last = 0
    while True:
        batch = list(
            messages.filter(pk__gt=last)
            .select_related("channel", "conversation")
            .only(
                "pk",
                "text",
                "direction",
                "visibility",
                "language",
                "channel__kind",
                "conversation__subject",
            )
            .order_by("pk")[:size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1].pk


def reanalyze(batch: Sequence[Message]) -> None:
    """Read a batch of messages in one analyzer call and write their readings back."""
    readings = default_analyzer().analyze(
        [m.text or m.conversation.subject for m in batch],
        hints=[m.language for m in batch],
        context=[context_of(m.visibility, m.channel.kind) for m in batch],
    )
    for message, reading in zip(batch, readings, strict=True):
        for name, value in reading_fields(reading, message.direction).items():
            setattr(message, name, value)
    with transaction.atomic():
        bulk.update(Message, batch, FIELDS)


def roll_up(conversations: QuerySet[Conversation], size: int) -> int:
    """Set each conversation's sentiment (its latest inbound message's) and urgency (the
    highest of its inbound messages) from its stored messages, one UPDATE per range."""
    inbound = Message.objects.filter(conversation=OuterRef("pk"), direction=Direction.INBOUND)
    rank = Case(
        *(When(urgency=level, then=Value(n)) for level, n in URGENCY_RANK.items() if level),
        default=Value(0),
        output_field=IntegerField(),
    )
    sentiment = Subquery(
        inbound.exclude(sentiment_label="")
        .order_by("-sent_at", "-id")
        .values("sentiment_label")[:1]
    )
    urgency = Subquery(
        inbound.exclude(urgency="").annotate(rank=rank).order_by("-rank").values("urgency")[:1]
    )
    bounds = list(conversations.order_by("pk").values_list("pk", flat=True))[::size]
    total = 0
    for index, low in enumerate(bounds):
        chunk = conversations.filter(pk__gte=low)
        if index + 1 < len(bounds):
            chunk = chunk.filter(pk__lt=bounds[index + 1])
        with transaction.atomic():
            total += chunk.update(
                sentiment=Coalesce(sentiment, Value("")), urgency=Coalesce(urgency, Value(""))
            )
    return total


@cache
def _strong_at(path: str) -> StrongAnalyzer | None:
    return load_strong_analyzer(path)


def strong_analyzer() -> StrongAnalyzer | None:
    """The strong analyzer named by ``settings.STRONG_ANALYZER_PATH``, loaded once per path
    and process (a path that fails to load warns once), or None when it is off."""
    path = str(getattr(settings, "STRONG_ANALYZER_PATH", "") or "")
    return _strong_at(path) if path else None


def refine(workspace_id: int, message_ids: Sequence[int], *, size: int = 1000) -> int:
    """Read those inbound messages of the workspace again with the strong analyzer, write
    their sentiment back and recompute their conversations' roll-ups: one query, one
    analyzer call and one bulk update per ``size`` ids. Nothing happens when no strong
    analyzer is configured. Returns the number of messages refined."""
    strong = strong_analyzer()
    if strong is None:
        return 0
    ids = sorted(set(message_ids))
    conversations: set[int] = set()
    refined = 0
    for start in range(0, len(ids), size):
        batch = list(
            Message.objects.filter(
                workspace_id=workspace_id,
                pk__in=ids[start : start + size],
                direction=Direction.INBOUND,
            )
            .select_related("channel", "conversation")
            .only("pk", "text", "visibility", "language", "channel__kind", "conversation__subject")
            .order_by("pk")
        )
        if not batch:
            continue
        readings = strong.analyze(
            [m.text or m.conversation.subject for m in batch],
            hints=[m.language for m in batch],
            context=[context_of(m.visibility, m.channel.kind) for m in batch],
        )
        for message, reading in zip(batch, readings, strict=True):
            fields = reading_fields(reading, Direction.INBOUND)
            message.sentiment_label = fields["sentiment_label"]
            message.sentiment_score = fields["sentiment_score"]
        with transaction.atomic():
            bulk.update(Message, batch, ["sentiment_label", "sentiment_score"])
        conversations.update(m.conversation_id for m in batch)
        refined += len(batch)
    if conversations:
        roll_up(Conversation.objects.filter(pk__in=conversations), size)
    return refined
