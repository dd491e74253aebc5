"""The reads of listening shared by the Listening page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncHour
from django.utils import timezone

from comptoir.listening.models import ListeningRule, Mention
from comptoir.workspaces.models import Workspace
from comptoir.workspaces.queries import scoped

RULE_ORDERING = ("name", "id")
MENTION_ORDERING = ("-sent_at", "-id")
MAX_VOLUME_HOURS = 24 * 14


def rules(workspace: Workspace) -> QuerySet[ListeningRule]:
    return scoped(ListeningRule, workspace)


@dataclass(frozen=True)
class MentionFilter:
    rule_id: int | None = None
    channel_id: int | None = None
    language: str = ""
    sentiment: str = ""


def mentions(workspace: Workspace, filters: MentionFilter | None = None) -> QuerySet[Mention]:
    """The stream, newest first, with what a row shows: one query per page."""
    f = filters or MentionFilter()
    rows = scoped(Mention, workspace).select_related(
        "rule", "channel", "message", "message__author_identity"
    )
    if f.rule_id is not None:
        rows = rows.filter(rule_id=f.rule_id)
    if f.channel_id is not None:
        rows = rows.filter(channel_id=f.channel_id)
    if f.language:
        rows = rows.filter(language=f.language)
    if f.sentiment:
        rows = rows.filter(message__sentiment_label=f.sentiment)
    return rows


@dataclass(frozen=True)
class Series:
    rule: ListeningRule
    counts: list[int]  # one per hour of ``Volume.hours``

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Volume:
    """Mentions per rule per hour: ``hours`` are the starts of the hours, oldest first."""

    hours: list[datetime]
    series: list[Series]

    @property
    def peak(self) -> int:
        return max((max(s.counts) for s in self.series if s.counts), default=0)


def volume(workspace: Workspace, *, hours: int = 48, now: datetime | None = None) -> Volume:
    """The last ``hours`` whole hours and the current one, for every rule: two queries."""
    hours = max(1, min(hours, MAX_VOLUME_HOURS))
    current = (now or timezone.now()).astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    starts = [current - timedelta(hours=hours - 1 - i) for i in range(hours)]
    index = {start: i for i, start in enumerate(starts)}
    counts: dict[int, list[int]] = {}
    rows = (
        scoped(Mention, workspace)
        .filter(sent_at__gte=starts[0], sent_at__lt=current + timedelta(hours=1))
        .annotate(hour=TruncHour("sent_at", tzinfo=UTC))
        .values_list("rule_id", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    for rule_id, hour, n in rows:
        slot = index.get(hour.astimezone(UTC))
        if slot is not None:
            counts.setdefault(rule_id, [0] * hours)[slot] += n
    series = [
        Series(rule, counts.get(rule.pk, [0] * hours))
        for rule in rules(workspace).order_by(*RULE_ORDERING)
        if rule.is_active or rule.pk in counts
    ]
    return Volume(starts, series)
