"""Replies: stored first, sent by the worker through the channel's adapter, never lost and
never sent twice.

A reply's life, in ``Message.delivery_status``::

    pending --claim--> sending --> sent
       ^                  |
       |                  +--> failed (error kept, next_attempt_at = backoff) --claim--> ...
       +-- a person's retry --- failed for good (next_attempt_at empty) after MAX_ATTEMPTS

Never lost: ``do_reply`` stores the message in the transaction that answers the person's
request, before anything is sent; the task enqueued on commit sends it, and the periodic
retry picks up whatever that task missed (a worker that was down, a queue that lost it).

Never sent twice: sending starts with a claim, one UPDATE that moves the row from pending
or failed to sending only if it is still there and due; the database lets exactly one
worker win it, and only the winner calls the platform. What no claim can settle is a worker
that dies after the platform accepted the message and before the row says so: the row stays
in sending. After STUCK_AFTER the retry decides deliberately, by what the channel's adapter
says of itself (``Adapter.resends_safely``):

- email is sent again, under the Message-ID stored with the reply before the first attempt
  (and, for the same reason, a failed attempt is retried under that same id). Mail systems
  and clients treat two copies with one Message-ID as one message, so the worst case is a
  duplicate copy filed as the same message, never a second, different reply;
- Mastodon is sent again with the same Idempotency-Key, which the server honours for an
  hour (far longer than STUCK_AFTER);
- every other platform has no idempotency key: the reply is marked failed with an error
  that asks a person to look on the platform before retrying, rather than risk a
  duplicate public reply.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.channels.adapters import (
    AdapterError,
    OutboundMessage,
    adapter_for,
    resends_safely,
)
from comptoir.channels.models import ChannelKind
from comptoir.inbox.actions import do_add_message
from comptoir.inbox.models import (
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
    MessageKind,
    Visibility,
)
from comptoir.workspaces.actions import record_event
from comptoir.workspaces.models import Seat
from comptoir.workspaces.roles import Capability, can

logger = logging.getLogger(__name__)

MAX_TEXT = 100_000  # characters, as for inbound messages
MAX_ATTEMPTS = 8  # about 4 hours of backoff in all, then a person decides
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=2)
# Longer than any send may take (SMTP and HTTP clients give up after 30 s): a reply in
# "sending" for longer belongs to a worker that stopped.
STUCK_AFTER = timedelta(minutes=10)
RETRY_BATCH = 100
REFERENCES_KEPT = 20  # the thread's root and the latest ids: enough for any mail client
WAITING = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class NotRetryableError(Exception):
    """Only a failed reply can be retried."""


@transaction.atomic
def do_reply(conversation: Conversation, *, seat: Seat, text: str, html: str = "") -> Message:
    """Store a reply from ``seat`` to the latest inbound message, pending; it is sent after
    commit. Raises PermissionDenied for a role that may not converse, Http404 for another
    workspace's conversation, ValidationError (field ``text``) for an empty or long text
    or a conversation that has nothing to answer on its channel."""
    _check(seat, conversation.workspace_id)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the reply first.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("A reply holds at most %(max)d characters.") % {"max": MAX_TEXT}}
        )
    for name, value in (("text", text), ("html", html)):
        if "\x00" in value:  # no database stores NUL, and no mail or network carries it
            raise ValidationError({name: _("The reply contains a NUL character.")})
    conversation = (
        Conversation.objects.select_for_update().select_related("channel").get(pk=conversation.pk)
    )
    channel = conversation.channel
    parent = (
        Message.objects.filter(conversation=conversation, direction=Direction.INBOUND)
        .order_by("-sent_at", "-id")
        .first()
    )
    is_email = channel.kind == ChannelKind.EMAIL
    if parent is None and not is_email:
        raise ValidationError({"text": _("There is no message to answer in this conversation.")})
    if is_email:
        kind = MessageKind.EMAIL
    elif parent is not None and parent.kind == MessageKind.DIRECT:
        kind = MessageKind.DIRECT
    else:
        kind = MessageKind.REPLY
    now = timezone.now()
    message = do_add_message(
        conversation,
        direction=Direction.OUTBOUND,
        kind=kind,
        text=text,
        html=html,
        sent_at=now,
        visibility=parent.visibility if parent is not None else Visibility.PRIVATE,
        author_seat=seat,
        # An email's Message-ID is chosen now and kept: every attempt sends the same one,
        # and the customer's answer threads back to it whatever happens to the worker.
        external_id=make_msgid(domain=_domain(channel.config)).strip("<>") if is_email else None,
        in_reply_to=parent,
        actor=seat,
    )
    message.delivery_status = DeliveryStatus.PENDING
    message.next_attempt_at = now
    message.save(update_fields=["delivery_status", "next_attempt_at"])
    _send_after_commit(message.pk)
    return message


@transaction.atomic
def do_retry_delivery(message: Message, *, seat: Seat) -> Message:
    """Put a failed reply back in the queue now, with a fresh round of attempts."""
    _check(seat, message.workspace_id)
    updated = Message.objects.filter(
        pk=message.pk, direction=Direction.OUTBOUND, delivery_status=DeliveryStatus.FAILED
    ).update(
        delivery_status=DeliveryStatus.PENDING,
        delivery_attempts=0,
        next_attempt_at=timezone.now(),
    )
    if not updated:
        raise NotRetryableError(_("Only a reply whose sending failed can be retried."))
    message.refresh_from_db()
    record_event(
        message.workspace_id,
        "message.retried",
        "conversation",
        message.conversation_id,
        actor=seat,
        payload={"message": message.pk},
    )
    _send_after_commit(message.pk)
    return message


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Send one reply if it is waiting and due, and if this call wins the claim; the
    reply's delivery status afterwards ("" when there was nothing to do). Not in a
    transaction on purpose: the claim must be committed before the platform is called."""
    now = now or timezone.now()
    claimed = Message.objects.filter(
        pk=message_id,
        direction=Direction.OUTBOUND,
        delivery_status__in=WAITING,
        next_attempt_at__lte=now,
    ).update(
        delivery_status=DeliveryStatus.SENDING,
        # While sending, next_attempt_at says since when: the stuck check reads it.
        next_attempt_at=now,
        delivery_attempts=F("delivery_attempts") + 1,
    )
    if not claimed:
        return ""
    message = Message.objects.select_related(
        "channel", "conversation", "conversation__identity", "in_reply_to"
    ).get(pk=message_id)
    try:
        outbound = outbound_message(message)
        result = adapter_for(message.channel).send(outbound)
    except AdapterError as exc:
        return _failed(message, str(exc), now=now)
    except Exception as exc:  # a bug must not leave the reply in "sending" forever
        logger.exception("sending message %s failed unexpectedly", message_id)
        return _failed(message, f"{type(exc).__name__}: {exc}", now=now)
    return _sent(message, external_id=result.external_id, url=result.url)


def retry_due_deliveries(now: datetime | None = None) -> int:
    """The worker's periodic pass: settle replies stuck in sending, then send the replies
    that are due (pending ones a task missed, failed ones whose backoff is over). Returns
    how many were sent."""
    now = now or timezone.now()
    _settle_stuck(now)
    due = list(
        Message.objects.filter(delivery_status__in=WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:RETRY_BATCH]
    )
    # Each claim is stamped with the time it is made, not the pass's start: a long batch
    # must not make the last replies look stuck to another worker's pass.
    return sum(deliver(pk, now=max(now, timezone.now())) == DeliveryStatus.SENT for pk in due)


def outbound_message(message: Message) -> OutboundMessage:
    """What the adapter sends for a stored reply: the same channel, to the same identity,
    threaded under the message it answers."""
    conversation = message.conversation
    parent = message.in_reply_to
    identity = conversation.identity
    recipient = identity.external_id if identity is not None else ""
    if not recipient and parent is not None and parent.author_identity_id:
        recipient = parent.author_identity.external_id if parent.author_identity else ""
    answered = (parent.external_id or "") if parent is not None else ""
    answered = answered or message.in_reply_to_external_id
    if message.channel.kind != ChannelKind.EMAIL:
        return OutboundMessage(
            text=message.text,
            html=message.html,
            recipient=recipient,
            in_reply_to=answered,
        )
    return OutboundMessage(
        text=message.text,
        html=message.html,
        recipient=recipient,
        subject=conversation.subject,
        in_reply_to=_bare(answered),
        references=_references(message),
        message_id=_bare(message.external_id or ""),
    )


def _sent(message: Message, *, external_id: str, url: str) -> str:
    with transaction.atomic():
        fields = {
            "delivery_status": DeliveryStatus.SENT,
            "delivery_error": "",
            "next_attempt_at": None,
            "url": url[:500],
        }
        try:
            with transaction.atomic():
                Message.objects.filter(pk=message.pk).update(
                    external_id=external_id or message.external_id, **fields
                )
        except IntegrityError:
            # The platform's copy of our reply came in first (a webhook, a poll) under that
            # id; ours stays the one with the author, and is sent all the same.
            logger.warning("message %s: id %s is already stored", message.pk, external_id)
            Message.objects.filter(pk=message.pk).update(**fields)
        record_event(
            message.workspace_id,
            "message.sent",
            "conversation",
            message.conversation_id,
            payload={"message": message.pk, "attempts": message.delivery_attempts},
        )
    return DeliveryStatus.SENT


def _failed(message: Message, error: str, *, now: datetime) -> str:
    attempts = message.delivery_attempts
    gives_up = attempts >= MAX_ATTEMPTS
    next_attempt = None if gives_up else now + backoff(attempts)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, delivery_status=DeliveryStatus.SENDING).update(
            delivery_status=DeliveryStatus.FAILED,
            delivery_error=error[:2000],
            next_attempt_at=next_attempt,
        )
        if gives_up:
            _record_failed(message, error)
    return DeliveryStatus.FAILED


def backoff(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed attempts: 1, 2, 4, ... minutes, at most 2 hours."""
    wait: timedelta = FIRST_BACKOFF * 2 ** max(attempts - 1, 0)
    return min(wait, MAX_BACKOFF)


def _settle_stuck(now: datetime) -> None:
    stuck = Message.objects.filter(
        delivery_status=DeliveryStatus.SENDING, next_attempt_at__lte=now - STUCK_AFTER
    ).select_related("channel")[:RETRY_BATCH]
    for message in stuck:
        with transaction.atomic():
            still = Message.objects.filter(
                pk=message.pk,
                delivery_status=DeliveryStatus.SENDING,
                next_attempt_at=message.next_attempt_at,
            )
            if resends_safely(message.channel.kind):
                still.update(delivery_status=DeliveryStatus.PENDING, next_attempt_at=now)
                continue
            error = (
                "The worker stopped while sending this reply, so it may or may not have "
                "gone out: look on the platform before retrying it."
            )
            if still.update(
                delivery_status=DeliveryStatus.FAILED, delivery_error=error, next_attempt_at=None
            ):
                _record_failed(message, error)


def _record_failed(message: Message, error: str) -> None:
    record_event(
        message.workspace_id,
        "message.failed",
        "conversation",
        message.conversation_id,
        payload={"message": message.pk, "attempts": message.delivery_attempts, "error": error},
    )


def _references(message: Message) -> tuple[str, ...]:
    """The thread's root, then its latest messages up to the one answered, oldest first:
    what the answered message's own References held, as near as the stored thread says."""
    conversation = message.conversation
    until = message.in_reply_to.sent_at if message.in_reply_to else message.sent_at
    latest = (
        Message.objects.filter(
            conversation=conversation, external_id__isnull=False, sent_at__lte=until
        )
        .exclude(direction=Direction.NOTE)
        .exclude(pk=message.pk)
        .exclude(delivery_status__in=[*WAITING, DeliveryStatus.SENDING])
        .order_by("-sent_at", "-id")
        .values_list("external_id", flat=True)[:REFERENCES_KEPT]
    )
    ids = [conversation.thread_key, *reversed([i for i in latest if i])]
    return tuple(dict.fromkeys(_bare(i) for i in ids if _bare(i)))


def _bare(message_id: str) -> str:
    return message_id.strip().strip("<>")


def _domain(config: object) -> str:
    address = str(config.get("address", "")) if isinstance(config, dict) else ""
    return address.rpartition("@")[2] or "localhost"


def _check(seat: Seat, workspace_id: int) -> None:
    if seat.workspace_id != workspace_id:
        raise Http404
    if not can(seat, Capability.CONVERSE):
        raise PermissionDenied(_("Your role does not allow replying."))


def _send_after_commit(message_id: int) -> None:
    from comptoir.inbox.tasks import send_message_task

    transaction.on_commit(lambda: send_message_task(message_id))
