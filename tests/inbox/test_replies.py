"""Replies: stored pending, sent through the channel's adapter to a real SMTP server or a
loopback server playing X, retried by the worker, never sent twice."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone
from pytest_django.fixtures import Settings
from pytest_httpserver import HTTPServer

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel
from comptoir.inbox.actions import do_add_message, do_start_conversation
from comptoir.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Visibility,
)
from comptoir.inbox.replies import (
    MAX_ATTEMPTS,
    STUCK_AFTER,
    NotRetryableError,
    deliver,
    do_reply,
    do_retry_delivery,
    retry_due_deliveries,
)
from comptoir.inbox.tasks import retry_deliveries_task
from comptoir.people.actions import do_add_identity, do_create_person
from comptoir.people.models import Identity, IdentityKind
from comptoir.workspaces.models import Event, Role
from tests.channels.email.conftest import SmtpFactory, free_port, smtp_server
from tests.channels.x.conftest import payload, x_channel
from tests.conftest import Personas
from tests.factories import BASE_TIME, SeatFactory, UserFactory

__all__ = ["smtp_server"]  # the fixture, used by name

ROOT_ID = "5f1c2a9e-3b7d-4c0e@atelier-fontaine.example.fr"
LAST_ID = "a7d09b14-6c2e-4f8a@atelier-fontaine.example.fr"
CUSTOMER = "c.fontaine@atelier-fontaine.example.fr"
TEXT = "Bonjour Madame Fontaine,\n\nC'est noté : livraison le 25 janvier.\n\nLéa"

OnCommit = Callable[..., Any]


@dataclass
class RefusingHandler:
    """Refuses the first ``refusals`` messages with a 554, then accepts and records."""

    refusals: int = 0
    envelopes: list[Envelope] = field(default_factory=list)
    refused: int = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refused < self.refusals:
            self.refused += 1
            return "554 5.7.1 Message rejected as spam"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def serve_smtp(smtp_server: SmtpFactory) -> Iterator[Callable[[Any], int]]:
    """Starts an aiosmtpd server with the given handler; its port."""
    controllers: list[Controller] = []

    def serve(handler: Any) -> int:
        controller = Controller(handler, hostname="127.0.0.1", port=free_port())
        controller.start()
        controllers.append(controller)
        return controller.port

    yield serve
    for controller in controllers:
        controller.stop()


def mail_of(envelope: Envelope) -> EmailMessage:
    content = envelope.original_content or envelope.content
    assert isinstance(content, bytes)
    mail = message_from_bytes(content.replace(b"\r\n", b"\n"), policy=policy.default)
    assert isinstance(mail, EmailMessage)
    return mail


def email_channel(personas: Personas, port: int) -> Channel:
    return do_create_channel(
        personas.workspace_a,
        kind="email",
        name="Service client",
        settings={
            "address": "service@maison.example.com",
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
        },
    )


def customer(personas: Personas, kind: str, external_id: str) -> Identity:
    person = do_create_person(personas.workspace_a, display_name="Claire Fontaine")
    return do_add_identity(person, kind=kind, external_id=external_id)


def email_thread(personas: Personas, port: int) -> tuple[Conversation, Message]:
    """A conversation of two inbound emails (the second answers the first), unanswered."""
    channel = email_channel(personas, port)
    identity = customer(personas, IdentityKind.EMAIL, CUSTOMER)
    conversation = do_start_conversation(
        channel, identity=identity, subject="Devis pour 40 appliques", started_at=BASE_TIME
    )
    Conversation.objects.filter(pk=conversation.pk).update(thread_key=ROOT_ID)
    first = do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Bonjour, un devis ?",
        sent_at=BASE_TIME,
        author_identity=identity,
        external_id=ROOT_ID,
    )
    last = do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.EMAIL,
        text="Et pour 4 lampes de plus ?",
        sent_at=BASE_TIME + timedelta(hours=1),
        author_identity=identity,
        external_id=LAST_ID,
        in_reply_to=first,
    )
    conversation.refresh_from_db()
    return conversation, last


def verbs(message: Message) -> list[str]:
    return list(
        Event.objects.filter(subject_id=message.conversation_id, verb__startswith="message.")
        .exclude(verb="message.inbound")
        .order_by("id")
        .values_list("verb", flat=True)
    )


def test_a_reply_is_stored_pending_then_sent_threaded_by_smtp(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, last = email_thread(personas, server.port)
    assert conversation.unhandled_since is not None

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)

    # Stored first, before anything went out.
    assert server.handler.envelopes == []
    assert reply.direction == Direction.OUTBOUND
    assert reply.kind == MessageKind.EMAIL
    assert reply.author_seat == personas.alice
    assert reply.in_reply_to == last
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert reply.external_id is not None
    assert reply.external_id.endswith("@maison.example.com")
    conversation.refresh_from_db()
    assert conversation.message_count == 3
    assert conversation.last_message_preview.startswith("Bonjour Madame Fontaine")
    assert conversation.first_response_at == reply.sent_at
    assert conversation.unhandled_since is None
    assert verbs(reply) == ["message.outbound"]

    # The commit hands it to the worker (Huey runs it at once in the tests).
    for callback in callbacks:
        callback()

    (envelope,) = server.handler.envelopes
    assert envelope.rcpt_tos == [CUSTOMER]
    mail = mail_of(envelope)
    assert mail["Subject"] == "Re: Devis pour 40 appliques"
    assert mail["In-Reply-To"].strip() == f"<{LAST_ID}>"
    assert " ".join(mail["References"].split()) == f"<{ROOT_ID}> <{LAST_ID}>"
    assert mail["Message-ID"] == f"<{reply.external_id}>"
    assert "livraison le 25 janvier" in mail.get_content()
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.delivery_attempts == 1
    assert reply.delivery_error == ""
    assert reply.next_attempt_at is None
    assert verbs(reply) == ["message.outbound", "message.sent"]


def test_a_second_reply_is_threaded_under_the_same_message(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, _ = email_thread(personas, server.port)
    with django_capture_on_commit_callbacks(execute=True):
        first = do_reply(conversation, seat=personas.alice, text="Premier envoi.")
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(conversation, seat=personas.bob, text="Complément.")

    first_mail, second_mail = (mail_of(e) for e in server.handler.envelopes)
    assert second_mail["In-Reply-To"].strip() == f"<{LAST_ID}>"
    assert " ".join(second_mail["References"].split()) == f"<{ROOT_ID}> <{LAST_ID}>"
    assert first_mail["Message-ID"] == f"<{first.external_id}>"
    assert second_mail["Message-ID"] != first_mail["Message-ID"]


def test_a_refused_reply_fails_then_the_worker_sends_it(
    personas: Personas,
    serve_smtp: Callable[[Any], int],
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    handler = RefusingHandler(refusals=1)
    conversation, _ = email_thread(personas, serve_smtp(handler))
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert "554 5.7.1 Message rejected as spam" in reply.delivery_error
    assert reply.delivery_attempts == 1
    assert reply.next_attempt_at is not None
    assert before + timedelta(minutes=1) <= reply.next_attempt_at
    assert reply.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    # Not due yet: the periodic pass leaves it alone.
    assert retry_due_deliveries(timezone.now()) == 0
    assert handler.envelopes == []

    # Once due, the worker's periodic task sends it, under the same Message-ID.
    Message.objects.filter(pk=reply.pk).update(next_attempt_at=timezone.now())
    assert retry_deliveries_task.call_local() == 1

    (envelope,) = handler.envelopes
    assert mail_of(envelope)["Message-ID"] == f"<{reply.external_id}>"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.delivery_attempts == 2
    assert reply.delivery_error == ""
    assert verbs(reply) == ["message.outbound", "message.sent"]


def test_after_the_last_attempt_a_reply_stays_failed_until_a_person_retries(
    personas: Personas, django_capture_on_commit_callbacks: OnCommit
) -> None:
    conversation, _ = email_thread(personas, free_port())  # nobody listens there
    with django_capture_on_commit_callbacks(execute=True):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)

    now = timezone.now()
    for _attempt in range(MAX_ATTEMPTS - 1):
        reply.refresh_from_db()
        assert reply.delivery_status == DeliveryStatus.FAILED
        assert reply.next_attempt_at is not None
        now = reply.next_attempt_at
        assert deliver(reply.pk, now=now) == DeliveryStatus.FAILED

    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert reply.delivery_attempts == MAX_ATTEMPTS
    assert reply.next_attempt_at is None  # no more automatic attempts
    assert "cannot reach the SMTP server" in reply.delivery_error
    assert retry_due_deliveries(now + timedelta(days=1)) == 0
    assert verbs(reply) == ["message.outbound", "message.failed"]
    failed = Event.objects.get(verb="message.failed")
    assert failed.payload["message"] == reply.pk
    assert failed.payload["attempts"] == MAX_ATTEMPTS

    with django_capture_on_commit_callbacks(execute=False):
        do_retry_delivery(reply, seat=personas.alice)
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING
    assert reply.delivery_attempts == 0
    assert reply.next_attempt_at is not None


def test_only_a_failed_reply_can_be_retried(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, last = email_thread(personas, server.port)
    with django_capture_on_commit_callbacks(execute=True):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)

    for message in (reply, last):
        with pytest.raises(NotRetryableError):
            do_retry_delivery(message, seat=personas.alice)
    assert len(server.handler.envelopes) == 1


def test_a_reply_is_claimed_once_and_sent_once(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, _ = email_thread(personas, server.port)
    with django_capture_on_commit_callbacks(execute=False):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)

    assert deliver(reply.pk) == DeliveryStatus.SENT
    assert deliver(reply.pk) == ""  # the task enqueued on commit, arriving late
    assert retry_due_deliveries() == 0  # and the periodic pass

    assert len(server.handler.envelopes) == 1


def test_a_reply_being_sent_is_not_claimed_again(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, _ = email_thread(personas, server.port)
    with django_capture_on_commit_callbacks(execute=False):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.SENDING)

    assert deliver(reply.pk) == ""
    assert retry_due_deliveries() == 0
    assert server.handler.envelopes == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs COMPTOIR_TEST_DATABASE_URL (PostgreSQL)"
)
def test_two_workers_racing_send_once(personas: Personas, smtp_server: SmtpFactory) -> None:
    server = smtp_server()
    conversation, _ = email_thread(personas, server.port)
    reply = do_reply(conversation, seat=personas.alice, text=TEXT)  # commits; the task sends
    # As if that task had not run yet: pending again, and the mail it sent forgotten.
    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.PENDING, delivery_attempts=0, next_attempt_at=timezone.now()
    )
    server.handler.envelopes.clear()
    start = threading.Barrier(4)
    outcomes: list[str] = []

    def worker() -> None:
        start.wait()
        try:
            outcomes.append(deliver(reply.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["", "", "", DeliveryStatus.SENT]
    assert len(server.handler.envelopes) == 1


def test_an_email_stuck_in_sending_is_sent_again_under_its_message_id(
    personas: Personas, smtp_server: SmtpFactory, django_capture_on_commit_callbacks: OnCommit
) -> None:
    server = smtp_server()
    conversation, _ = email_thread(personas, server.port)
    with django_capture_on_commit_callbacks(execute=False):
        reply = do_reply(conversation, seat=personas.alice, text=TEXT)
    crashed_at = timezone.now()
    # A worker claimed it and stopped.
    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.SENDING, next_attempt_at=crashed_at, delivery_attempts=1
    )

    assert retry_due_deliveries(crashed_at + STUCK_AFTER - timedelta(seconds=1)) == 0
    assert retry_due_deliveries(crashed_at + STUCK_AFTER) == 1

    (envelope,) = server.handler.envelopes
    assert mail_of(envelope)["Message-ID"] == f"<{reply.external_id}>"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT


# X: a public reply through POST /2/tweets --------------------------------------------------

TWEET_ID = "1992000000000000001"


def x_thread(personas: Personas) -> Conversation:
    channel = x_channel(personas)
    identity = customer(personas, IdentityKind.X, "1600000000000000001")
    conversation = do_start_conversation(channel, identity=identity, started_at=BASE_TIME)
    do_add_message(
        conversation,
        direction=Direction.INBOUND,
        kind=MessageKind.POST,
        visibility=Visibility.PUBLIC,
        text="@maisonlumiere ma lampe est arrivée cassée",
        sent_at=BASE_TIME,
        author_identity=identity,
        external_id=TWEET_ID,
    )
    conversation.refresh_from_db()
    return conversation


def test_an_x_reply_answers_the_post(
    personas: Personas,
    settings: Settings,
    httpserver: HTTPServer,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    settings.X_API_URL = httpserver.url_for("/")
    conversation = x_thread(personas)
    httpserver.expect_oneshot_request(
        "/2/tweets",
        method="POST",
        json={
            "text": "@nadiab Un remplacement part demain.",
            "reply": {"in_reply_to_tweet_id": TWEET_ID},
        },
    ).respond_with_json(json.loads(payload("create_post_response.json")), status=201)

    with django_capture_on_commit_callbacks(execute=True):
        reply = do_reply(
            conversation, seat=personas.alice, text="@nadiab Un remplacement part demain."
        )

    httpserver.check_assertions()
    reply.refresh_from_db()
    assert reply.kind == MessageKind.REPLY
    assert reply.visibility == Visibility.PUBLIC
    assert reply.delivery_status == DeliveryStatus.SENT
    assert reply.external_id == "1992000000000000300"
    assert reply.url == "https://x.com/maisonlumiere/status/1992000000000000300"


def test_an_x_reply_stuck_in_sending_waits_for_a_person(
    personas: Personas, httpserver: HTTPServer, django_capture_on_commit_callbacks: OnCommit
) -> None:
    conversation = x_thread(personas)
    with django_capture_on_commit_callbacks(execute=False):
        reply = do_reply(conversation, seat=personas.alice, text="Nous regardons.")
    crashed_at = timezone.now()
    Message.objects.filter(pk=reply.pk).update(
        delivery_status=DeliveryStatus.SENDING, next_attempt_at=crashed_at, delivery_attempts=1
    )

    assert retry_due_deliveries(crashed_at + STUCK_AFTER + timedelta(minutes=5)) == 0

    assert httpserver.log == []  # not sent again: X has no idempotency key
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED
    assert reply.next_attempt_at is None
    assert "look on the platform before retrying" in reply.delivery_error
    assert verbs(reply) == ["message.outbound", "message.failed"]


# Who may reply -----------------------------------------------------------------------------


def test_a_viewer_cannot_reply(personas: Personas) -> None:
    conversation, _ = email_thread(personas, free_port())
    viewer = SeatFactory.create(
        workspace=personas.workspace_a,
        user=UserFactory.create(username="victor@example.test"),
        role=Role.VIEWER,
    )
    with pytest.raises(PermissionDenied):
        do_reply(conversation, seat=viewer, text=TEXT)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_another_workspace_is_never_touched(personas: Personas) -> None:
    conversation, _ = email_thread(personas, free_port())
    with pytest.raises(Http404):
        do_reply(conversation, seat=personas.charlie, text=TEXT)
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_reply_needs_a_text(personas: Personas) -> None:
    conversation, _ = email_thread(personas, free_port())
    with pytest.raises(ValidationError) as refused:
        do_reply(conversation, seat=personas.alice, text="  \n ")
    assert list(refused.value.message_dict) == ["text"]
    with pytest.raises(ValidationError) as refused:
        do_reply(conversation, seat=personas.alice, text="Bonjour\x00")
    assert list(refused.value.message_dict) == ["text"]
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_a_social_conversation_without_inbound_message_has_nothing_to_answer(
    personas: Personas,
) -> None:
    conversation = do_start_conversation(x_channel(personas), identity=None)
    with pytest.raises(ValidationError) as refused:
        do_reply(conversation, seat=personas.alice, text="Bonjour")
    assert list(refused.value.message_dict) == ["text"]


def test_only_adapters_with_an_idempotent_send_are_resent_after_a_dead_worker() -> None:
    from comptoir.channels.adapters import resends_safely

    assert {
        kind for kind in ("email", "mastodon", "x", "facebook", "bluesky") if resends_safely(kind)
    } == {
        "email",
        "mastodon",
    }
    assert not resends_safely("no-such-network")
