"""What goes into the pipeline and what comes out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from comptoir.channels.events import InboundEvent


@dataclass(frozen=True)
class Candidate:
    """One item as a source read it, before validation.

    ``payload`` is the decoded object (a dict) when the source could decode it; ``raw`` is
    what was received (a JSONL line, a CSV row, an email's bytes) and is what a rejection
    keeps. A source that could not even decode the item passes ``payload=None`` and says
    why in ``error``.
    """

    location: str
    payload: dict[str, Any] | InboundEvent | None
    raw: str | bytes = ""
    error: str = ""


@dataclass(frozen=True)
class Rejection:
    location: str
    reason: str


@dataclass
class IngestReport:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    new_people: int = 0
    new_identities: int = 0
    new_conversations: int = 0
    automatic_merges: int = 0
    elapsed: float = 0.0

    def add(self, other: IngestReport) -> None:
        """Fold the report of a later batch of the same run into this one."""
        self.received += other.received
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.rejected.extend(other.rejected)
        self.new_people += other.new_people
        self.new_identities += other.new_identities
        self.new_conversations += other.new_conversations
        self.automatic_merges += other.automatic_merges
        self.elapsed += other.elapsed

    def as_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": [{"location": r.location, "reason": r.reason} for r in self.rejected],
            "new_people": self.new_people,
            "new_identities": self.new_identities,
            "new_conversations": self.new_conversations,
            "automatic_merges": self.automatic_merges,
            "elapsed_seconds": round(self.elapsed, 3),
        }
