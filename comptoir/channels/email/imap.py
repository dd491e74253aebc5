"""Reading what is new in an IMAP folder, without changing the folder.

A bookmark is (UIDVALIDITY, last UID seen). UIDs only grow within one UIDVALIDITY, so
"UID > last" is exactly the new mail; when the server announces another UIDVALIDITY (the
folder was recreated or rebuilt) the old UIDs mean nothing and reading starts over, which
is harmless because the pipeline recognises messages it already has by Message-ID.

The folder is opened read-only (EXAMINE) and bodies are fetched with BODY.PEEK[], so the
poll never marks mail as read: people may work in the same mailbox from their mail client.
"""

from __future__ import annotations

import re
import ssl
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from imapclient import IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from comptoir.channels.adapters import AdapterError

FETCH_CHUNK = 200  # messages per FETCH: a few MB per round trip, not the whole folder
_SERVER_TIMING = re.compile(r"\s*\([\d.+ ]+secs\)")  # Dovecot appends "(0.001 + 0.000 secs)"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    ssl: bool
    user: str
    password: str
    folder: str
    connect_timeout: float = 15
    read_timeout: float = 60

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class FetchedMessage:
    uid: int
    raw: bytes
    received_at: datetime | None  # the server's INTERNALDATE, with its offset


@dataclass(frozen=True)
class Fetch:
    uidvalidity: int
    last_uid: int  # the bookmark after this fetch
    messages: list[FetchedMessage]


def fetch_new(mailbox: Mailbox, *, uidvalidity: int, last_uid: int, limit: int) -> Fetch:
    """At most ``limit`` messages newer than the bookmark, oldest first.

    Raises AdapterError (one line, says what to check) when the server cannot be reached,
    refuses the login, or the folder is missing or disappears during the fetch.
    """
    try:
        with _connect(mailbox) as client:
            return _fetch(client, mailbox, uidvalidity=uidvalidity, last_uid=last_uid, limit=limit)
    except TimeoutError as exc:
        raise AdapterError(f"the IMAP server {mailbox.where} did not answer in time") from exc
    except IMAPClientAbortError as exc:  # the server hung up, e.g. the folder was deleted
        raise AdapterError(
            f"the IMAP server {mailbox.where} ended the session during the poll of "
            f"{mailbox.folder!r}: {_one_line(exc)}"
        ) from exc
    except (IMAPClientError, OSError) as exc:
        raise AdapterError(
            f"the IMAP connection to {mailbox.where} failed during the poll: {_one_line(exc)}"
        ) from exc


def _connect(mailbox: Mailbox) -> IMAPClient:
    try:
        client = IMAPClient(
            mailbox.host,
            port=mailbox.port,
            ssl=mailbox.ssl,
            timeout=SocketTimeout(connect=mailbox.connect_timeout, read=mailbox.read_timeout),
        )
    except TimeoutError:
        raise  # an OSError too, but fetch_new says it in its own words
    except ssl.SSLCertVerificationError as exc:
        raise AdapterError(
            f"the IMAP server {mailbox.where} has a certificate that does not verify: "
            f"{exc.verify_message}"
        ) from exc
    except OSError as exc:
        raise AdapterError(
            f"cannot reach the IMAP server {mailbox.where}: {_one_line(exc)}"
        ) from exc
    # Keep INTERNALDATE's offset: a naive server-local time would be guessed as UTC.
    client.normalise_times = False
    return client


def _fetch(
    client: IMAPClient, mailbox: Mailbox, *, uidvalidity: int, last_uid: int, limit: int
) -> Fetch:
    try:
        client.login(mailbox.user, mailbox.password)
    except LoginError as exc:
        raise AdapterError(
            f"the IMAP server {mailbox.where} refused the login of {mailbox.user!r}: "
            "check the user name and password"
        ) from exc
    try:
        status = client.select_folder(mailbox.folder, readonly=True)
    except IMAPClientError as exc:
        raise AdapterError(
            f"cannot open the IMAP folder {mailbox.folder!r} on {mailbox.where}: {_one_line(exc)}"
        ) from exc
    current = int(status[b"UIDVALIDITY"])
    if current != uidvalidity:
        last_uid = 0
    # "n:*" also matches the highest UID when nothing is newer than n: filter it out.
    uids = sorted(uid for uid in client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)
    uids = uids[:limit]
    messages: list[FetchedMessage] = []
    for start in range(0, len(uids), FETCH_CHUNK):
        chunk = uids[start : start + FETCH_CHUNK]
        fetched = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
        # A UID missing from the answer was expunged meanwhile: it will never come back.
        messages.extend(_message(uid, fetched[uid]) for uid in chunk if uid in fetched)
    return Fetch(uidvalidity=current, last_uid=uids[-1] if uids else last_uid, messages=messages)


def _message(uid: int, data: dict[bytes, Any]) -> FetchedMessage:
    received_at = data.get(b"INTERNALDATE")
    return FetchedMessage(
        uid=uid,
        raw=bytes(data.get(b"BODY[]") or b""),
        received_at=received_at if isinstance(received_at, datetime) else None,
    )


def _one_line(exc: BaseException) -> str:
    text = _SERVER_TIMING.sub("", str(exc)) or type(exc).__name__
    return " ".join(text.split())
