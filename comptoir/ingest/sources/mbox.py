"""An mbox file (Thunderbird, Gmail's Takeout, mutt): each message through the email parser.

The messages are read with Python's ``mailbox.mbox``, which indexes the file once (offsets
only) and then reads one message at a time. Each message's bytes go through the email
channel's own parser, so an import reads mail exactly as the IMAP poll does: same
threading keys, same quoted-reply trimming, and auto-replies and bounces skipped (they are
counted in the tally, by reason). A message the parser cannot read is rejected with its
number and kept whole, bytes included, so that it can be replayed.
"""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator

from comptoir.channels.email.parse import parse_message
from comptoir.ingest.sources.base import FormatError, Input, Meter, NoMeter, Tally
from comptoir.ingest.types import Candidate


def read_mbox(
    source: Input,
    *,
    meter: Meter | None = None,
    tally: Tally | None = None,
    mailbox_address: str = "",
) -> Iterator[Candidate]:
    """The messages of an mbox; those from ``mailbox_address`` (the channel's own) are the
    brand's, outbound."""
    if not isinstance(source, str | os.PathLike):
        raise FormatError("an mbox is read from a file path, not a stream")
    meter = meter or NoMeter()
    tally = tally if tally is not None else Tally()
    with open(source, "rb") as handle:
        if not handle.read(5) == b"From ":
            raise FormatError("this is not an mbox: it does not start with a 'From ' line")
    box = mailbox.mbox(source, create=False)
    try:
        keys = list(box.iterkeys())  # indexes the file: offsets only, not the messages
        meter.start(len(keys), "messages")
        for number, key in enumerate(keys, start=1):
            data = box.get_bytes(key)
            meter.advance(1)
            candidate = email_candidate(f"message {number}", data, tally, mailbox_address)
            if candidate is not None:
                yield candidate
    finally:
        box.close()


def email_candidate(
    location: str, data: bytes, tally: Tally, mailbox_address: str = ""
) -> Candidate | None:
    """The candidate of one RFC 5322 message; None when it is skipped (auto-reply...)."""
    parsed = parse_message(data, mailbox_address=mailbox_address)
    if parsed.skipped:
        tally.skipped[parsed.skipped] += 1
        return None
    if parsed.event is None:
        return Candidate(location=location, payload=None, raw=data, error=parsed.error)
    return Candidate(location=location, payload=parsed.event, raw=data)
