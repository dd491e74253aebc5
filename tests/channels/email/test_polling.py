"""Polling end to end: a real mailbox, the pipeline, and the bookmark saved after commit."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel, ChannelStatus
from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.polling import FAILURES_BEFORE_FAILING, poll_channel, poll_due_channels
from tests.channels.email.conftest import ADDRESS, PASSWORD, Dovecot, ImapFolder, needs_dovecot
from tests.conftest import Personas

QUESTION = "21-thread-1-question.eml"
ANSWER = "22-thread-2-brand-answer.eml"
FOLLOW_UP = "23-thread-3-follow-up.eml"
AUTO_REPLY = "10-out-of-office-auto-submitted.eml"


def mailbox(personas: Personas, dovecot: Dovecot, folder: ImapFolder, **extra: object) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind="email",
        name="Service client",
        settings={
            "address": ADDRESS,
            "imap_host": "127.0.0.1",
            "imap_port": dovecot.port,
            "imap_ssl": False,
            "imap_folder": folder.name,
            **extra,
        },
        secrets={"imap_password": PASSWORD},
    )


@needs_dovecot
def test_a_thread_arrives_in_one_conversation_and_nothing_twice(
    personas: Personas, dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    channel = mailbox(personas, dovecot, imap_folder)
    imap_folder.append(QUESTION, ANSWER)
    first = poll_channel(channel)
    assert first.error == ""
    assert first.report is not None
    assert (first.report.stored, first.report.new_conversations) == (2, 1)
    imap_folder.append(FOLLOW_UP)
    second = poll_channel(Channel.objects.get(pk=channel.pk))
    assert second.report is not None
    assert (second.report.received, second.report.stored) == (1, 1)
    conversation = Conversation.objects.get()
    assert conversation.message_count == 3
    assert list(Message.objects.order_by("sent_at").values_list("direction", flat=True)) == [
        "inbound",
        "outbound",
        "inbound",
    ]
    saved = Channel.objects.get(pk=channel.pk)
    assert saved.poll_state["last_uid"] == 3
    assert saved.last_received_at is not None
    third = poll_channel(saved)
    assert third.report is not None
    assert third.report.received == 0


@needs_dovecot
def test_the_command_polls_once_and_reports(
    personas: Personas, dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    mailbox(personas, dovecot, imap_folder)
    imap_folder.append(QUESTION, AUTO_REPLY)
    out = StringIO()
    call_command("ingest", "--once", "--channel", "Service client", stdout=out)
    assert out.getvalue().startswith(
        "Polled Service client: 1 received, 1 stored, 0 duplicates, 0 rejected, "
        "1 automatic replies or bounces ignored, 1 new people, 1 new conversations."
    )


@needs_dovecot
def test_failures_are_recorded_and_a_channel_that_keeps_failing_is_flagged(
    personas: Personas, dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    channel = mailbox(personas, dovecot, imap_folder, imap_user="nobody@example.com")
    for attempt in range(1, FAILURES_BEFORE_FAILING + 1):
        outcome = poll_channel(Channel.objects.get(pk=channel.pk))
        assert outcome.report is None
        saved = Channel.objects.get(pk=channel.pk)
        assert saved.consecutive_failures == attempt
    assert saved.status == ChannelStatus.FAILING
    assert saved.last_error == outcome.error
    assert saved.poll_state == {}
    with pytest.raises(CommandError, match="polling Service client failed"):
        call_command("ingest", "--once", "--channel", "Service client")


@needs_dovecot
def test_a_success_clears_the_failure(
    personas: Personas, dovecot: Dovecot, imap_folder: ImapFolder
) -> None:
    channel = mailbox(personas, dovecot, imap_folder)
    Channel.objects.filter(pk=channel.pk).update(
        status=ChannelStatus.FAILING, consecutive_failures=5, last_error="earlier"
    )
    assert poll_due_channels() == 1
    saved = Channel.objects.get(pk=channel.pk)
    assert (saved.status, saved.consecutive_failures, saved.last_error) == (
        ChannelStatus.ACTIVE,
        0,
        "",
    )


def test_once_needs_a_channel(db: None) -> None:
    with pytest.raises(CommandError, match="--once needs --channel"):
        call_command("ingest", "--once")
