"""Polling a real Dovecot on loopback: events, skips, and the UID bookmark."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from imapclient import IMAPClient

from comptoir.channels.actions import do_create_channel
from comptoir.channels.adapters import AdapterError, PollResult, adapter_for
from comptoir.channels.email import imap
from comptoir.channels.email.adapter import EmailAdapter
from comptoir.channels.email.imap import Mailbox, fetch_new
from tests.channels.email.conftest import (
    ADDRESS,
    PASSWORD,
    Certificate,
    Dovecot,
    ImapFolder,
    email_channel,
    free_port,
    needs_dovecot,
)
from tests.conftest import Personas

QUESTION = "21-thread-1-question.eml"
ANSWER = "22-thread-2-brand-answer.eml"
FOLLOW_UP = "23-thread-3-follow-up.eml"
QUESTION_ID = "5f1c2a9e-3b7d-4c0e-9a61-2d8e7f4b1c30@atelier-fontaine.example.fr"
ANSWER_ID = "20261117101500.7c2e@maison.example.com"
FOLLOW_UP_ID = "a7d09b14-6c2e-4f8a-b3d5-9e1c0f2a4b68@atelier-fontaine.example.fr"
WEBMAIL_ID = "1432948571.12873.1763282487211.JavaMail.open-xchange@opme11.example.fr"


def adapter_for_folder(dovecot: Dovecot, folder: ImapFolder, **settings: Any) -> EmailAdapter:
    defaults = {
        "imap_host": "127.0.0.1",
        "imap_port": dovecot.port,
        "imap_ssl": False,
        "imap_folder": folder.name,
    }
    return EmailAdapter(email_channel(**{**defaults, **settings}))


def uidvalidity(dovecot: Dovecot, folder: ImapFolder) -> int:
    with dovecot.client() as client:
        return int(client.folder_status(folder.name, [b"UIDVALIDITY"])[b"UIDVALIDITY"])


def ids(result: PollResult) -> list[str]:
    return [event.external_id for event in result.events]


@needs_dovecot
def test_a_poll_turns_new_mail_into_events_skips_robots_and_keeps_mail_unread(
    dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    imap_folder.append(
        "01-fr-webmail-latin1-qp.eml",
        "10-out-of-office-auto-submitted.eml",
        QUESTION,
        "14-dsn-bounce.eml",
        ANSWER,
        "24-no-from.eml",
    )
    result = adapter_for_folder(dovecot, imap_folder).poll({})

    assert ids(result) == [WEBMAIL_ID, QUESTION_ID, ANSWER_ID]
    assert [event.raw["uid"] for event in result.events] == [1, 3, 5]
    assert [event.direction for event in result.events] == ["inbound", "inbound", "outbound"]
    assert result.events[0].text.endswith("Merci d'avance,\nMarie Dupont")
    assert result.ignored == 2
    assert len(result.unreadable) == 1
    where, raw, reason = result.unreadable[0]
    assert where == "UID 6"
    assert "Scan to email: 1 page(s)." in raw
    assert reason == "no sender address: the From header is missing or holds none"
    assert result.state == {"uidvalidity": uidvalidity(dovecot, imap_folder), "last_uid": 6}
    assert imap_folder.seen_flags() == [False] * 6


@needs_dovecot
def test_nothing_is_fetched_twice_or_missed_across_polls_and_restarts(
    dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    imap_folder.append(QUESTION, ANSWER)
    first = adapter_for_folder(dovecot, imap_folder).poll({})
    assert ids(first) == [QUESTION_ID, ANSWER_ID]

    # Nothing new: "UID 3:*" still matches UID 2 on the server; it must not come back.
    again = adapter_for_folder(dovecot, imap_folder).poll(first.state)
    assert (again.events, again.state) == ([], first.state)

    imap_folder.append(FOLLOW_UP, "01-fr-webmail-latin1-qp.eml")
    second = adapter_for_folder(dovecot, imap_folder).poll(first.state)
    assert ids(second) == [FOLLOW_UP_ID, WEBMAIL_ID]
    assert second.state == {**first.state, "last_uid": 4}

    # A fresh adapter (a restarted worker) with the saved state gets nothing old.
    restarted = adapter_for_folder(dovecot, imap_folder).poll(dict(second.state))
    assert (restarted.events, restarted.ignored, restarted.unreadable) == ([], 0, [])


@needs_dovecot
def test_a_new_uidvalidity_starts_over_from_the_first_uid(
    dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    imap_folder.append(QUESTION, ANSWER)
    first = adapter_for_folder(dovecot, imap_folder).poll({})
    imap_folder.recreate()
    imap_folder.append(FOLLOW_UP, QUESTION)

    result = adapter_for_folder(dovecot, imap_folder).poll(first.state)

    new_validity = uidvalidity(dovecot, imap_folder)
    assert new_validity != first.state["uidvalidity"]
    # UIDs 1 and 2 again, in a new UIDVALIDITY: both read, the duplicate included (the
    # pipeline recognises it by Message-ID).
    assert ids(result) == [FOLLOW_UP_ID, QUESTION_ID]
    assert result.state == {"uidvalidity": new_validity, "last_uid": 2}


@needs_dovecot
def test_a_large_backlog_comes_in_bounded_polls_and_chunks(
    dovecot: Dovecot, imap_folder: ImapFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "FETCH_CHUNK", 2)
    imap_folder.append(QUESTION, ANSWER, FOLLOW_UP, "01-fr-webmail-latin1-qp.eml")
    adapter = adapter_for_folder(dovecot, imap_folder)
    adapter.max_per_poll = 3

    first = adapter.poll({})
    second = adapter.poll(first.state)

    assert ids(first) == [QUESTION_ID, ANSWER_ID, FOLLOW_UP_ID]
    assert first.state["last_uid"] == 3
    assert ids(second) == [WEBMAIL_ID]
    assert second.state["last_uid"] == 4


@needs_dovecot
def test_a_missing_date_falls_back_to_the_internaldate(
    dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    arrival = datetime(2026, 11, 20, 15, 30, tzinfo=timezone(timedelta(hours=1)))
    imap_folder.append("17-garbage-date.eml", received_at=arrival)

    (event,) = adapter_for_folder(dovecot, imap_folder).poll({}).events

    assert event.created_at == arrival
    assert event.created_at.utcoffset() == timedelta(hours=1)


@needs_dovecot
def test_imap_over_tls_checks_the_certificate(
    dovecot: Dovecot,
    imap_folder: ImapFolder,
    certificate: Certificate,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    imap_folder.append(QUESTION)
    adapter = adapter_for_folder(dovecot, imap_folder, imap_ssl=True, imap_port=dovecot.tls_port)

    with pytest.raises(AdapterError) as error:
        adapter.poll({})
    assert str(error.value) == (
        f"the IMAP server 127.0.0.1:{dovecot.tls_port} has a certificate that does not "
        "verify: self-signed certificate"
    )

    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.cert))
    assert ids(adapter.poll({})) == [QUESTION_ID]


@needs_dovecot
def test_a_wrong_password_is_an_adapter_error(dovecot: Dovecot, imap_folder: ImapFolder) -> None:
    imap_folder.append(QUESTION)
    state = {"uidvalidity": 1, "last_uid": 0}
    adapter = adapter_for_folder(dovecot, imap_folder, imap_password="wrong")

    with pytest.raises(AdapterError) as error:
        adapter.poll(state)

    assert str(error.value) == (
        f"the IMAP server 127.0.0.1:{dovecot.port} refused the login of {ADDRESS!r}: "
        "check the user name and password"
    )
    assert state == {"uidvalidity": 1, "last_uid": 0}


@needs_dovecot
def test_a_folder_deleted_between_polls_is_an_adapter_error(
    dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    imap_folder.append(QUESTION)
    adapter = adapter_for_folder(dovecot, imap_folder)
    state = adapter.poll({}).state
    imap_folder.delete()

    with pytest.raises(AdapterError) as error:
        adapter.poll(state)

    assert str(error.value) == (
        f"cannot open the IMAP folder {imap_folder.name!r} on 127.0.0.1:{dovecot.port}: "
        f"select failed: Mailbox doesn't exist: {imap_folder.name}."
    )


@needs_dovecot
def test_a_folder_deleted_during_the_poll_is_an_adapter_error(
    dovecot: Dovecot, imap_folder: ImapFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap_folder.append(QUESTION, ANSWER)
    real_fetch = IMAPClient.fetch

    def fetch_after_deletion(client: IMAPClient, *args: Any, **kwargs: Any) -> Any:
        imap_folder.delete()  # another session deletes the folder between SEARCH and FETCH
        return real_fetch(client, *args, **kwargs)

    monkeypatch.setattr(IMAPClient, "fetch", fetch_after_deletion)

    with pytest.raises(AdapterError) as error:
        adapter_for_folder(dovecot, imap_folder).poll({})

    assert str(error.value) == (
        f"the IMAP server 127.0.0.1:{dovecot.port} ended the session during the poll of "
        f"{imap_folder.name!r}: command: FETCH => FETCH failed: Mailbox was deleted under us"
    )


@pytest.mark.django_db
@needs_dovecot
def test_a_saved_channel_polls_through_the_registry(
    personas: Personas, dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    imap_folder.append(QUESTION)
    channel = do_create_channel(
        personas.workspace_a,
        kind="email",
        name="Service client",
        settings={
            "address": ADDRESS,
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_ssl": False,
            "imap_folder": imap_folder.name,
        },
        secrets={"imap_password": PASSWORD},
        actor=personas.bob,
    )

    result = adapter_for(channel).poll(dict(channel.poll_state))

    assert ids(result) == [QUESTION_ID]


# Without Dovecot: what happens before any IMAP conversation.


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never says a word."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        yield server.getsockname()[1]


def test_a_closed_port_is_an_adapter_error() -> None:
    port = free_port()
    adapter = EmailAdapter(email_channel(imap_host="127.0.0.1", imap_port=port, imap_ssl=False))

    with pytest.raises(
        AdapterError, match=re.escape(f"cannot reach the IMAP server 127.0.0.1:{port}: ")
    ):
        adapter.poll({})


def test_a_silent_server_is_a_timeout(silent_server: int) -> None:
    mailbox = Mailbox(
        host="127.0.0.1",
        port=silent_server,
        ssl=False,
        user=ADDRESS,
        password=PASSWORD,
        folder="INBOX",
        connect_timeout=0.2,
        read_timeout=0.2,
    )

    with pytest.raises(AdapterError) as error:
        fetch_new(mailbox, uidvalidity=0, last_uid=0, limit=10)

    assert str(error.value) == f"the IMAP server 127.0.0.1:{silent_server} did not answer in time"


def test_a_channel_without_an_imap_server_says_so() -> None:
    with pytest.raises(AdapterError, match=r"^this email channel has no IMAP server set$"):
        EmailAdapter(email_channel()).poll({})
