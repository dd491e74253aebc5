"""A dry check of a channel's connection: poll once, keep nothing.

The events a poll returns are counted, never ingested, and the poll state is not saved, so
the next real poll fetches them again.
"""

from __future__ import annotations

from dataclasses import dataclass

from comptoir.channels.adapters import AdapterError, adapter_for
from comptoir.channels.models import Channel


@dataclass(frozen=True)
class ConnectionCheck:
    # Whether the channel is polled at all; a webhook-only one waits for the platform.
    polls: bool
    waiting: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.polls and not self.error


def check_connection(channel: Channel) -> ConnectionCheck:
    try:
        adapter = adapter_for(channel)
    except AdapterError as exc:
        return ConnectionCheck(polls=False, error=str(exc))
    if not adapter.can_poll:
        return ConnectionCheck(polls=False)
    try:
        result = adapter.poll(dict(channel.poll_state))
    except AdapterError as exc:
        return ConnectionCheck(polls=True, error=str(exc) or type(exc).__name__)
    except (OSError, ValueError) as exc:  # an adapter that let a low-level failure through
        return ConnectionCheck(polls=True, error=str(exc) or type(exc).__name__)
    return ConnectionCheck(polls=True, waiting=len(result.events))
