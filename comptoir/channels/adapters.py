"""The base class and registry of channel adapters.

An adapter turns one platform's payloads into InboundEvents (``poll``) and sends replies
(``send``). It never touches the pipeline: the caller (``comptoir.ingest``) feeds the events
it returns to ``ingest`` and then stores the new poll state, so a crash between the two only
re-fetches what the pipeline will recognise as duplicates.

A new adapter: a package ``comptoir/channels/<kind>/`` with a subclass decorated by
``@register``, imported in ``comptoir/channels/registry.py``; settings and secrets models in
``comptoir/channels/config.py``; recorded payloads under ``tests/data/<kind>/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel

from comptoir.channels.events import InboundEvent
from comptoir.channels.models import Channel


class AdapterError(Exception):
    """The platform could not be reached or refused us; the message says what to fix."""


@dataclass(frozen=True)
class PollResult:
    events: list[InboundEvent]
    state: dict[str, Any]
    # Items fetched but deliberately not turned into events (auto-replies, bounces).
    ignored: int = 0
    # Items that could not be parsed: (platform reference, raw text, reason).
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OutboundMessage:
    """A reply to send on the channel, built by the inbox from a stored message."""

    text: str
    recipient: str  # the identity's external id (email address, account id)
    subject: str = ""
    in_reply_to: str = ""  # the external id of the message answered
    references: tuple[str, ...] = ()
    html: str = ""
    # The id the message is sent under where the sender chooses it (an email's Message-ID,
    # without angle brackets): stored before sending, so that a second attempt after an
    # uncertain one repeats the same message instead of writing a new one.
    message_id: str = ""


@dataclass(frozen=True)
class SendResult:
    external_id: str
    url: str = ""  # where the sent message can be seen, when the platform says


@dataclass(frozen=True)
class WebhookRequest:
    """What a platform sent to ``/api/v1/hooks/{channel id}``, free of Django."""

    method: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # names in lower case
    body: bytes


@dataclass(frozen=True)
class HookAnswer:
    """The reply to a platform's verification request (Meta's hub.challenge, X's CRC)."""

    status: int
    body: str
    content_type: str = "text/plain"


class SignatureError(AdapterError):
    """The request does not carry a valid signature of the platform: refuse it (401)."""


class Adapter:
    """One platform. Subclasses implement what the platform offers: poll, send, or both."""

    kind: ClassVar[str]
    # Whether sending the same OutboundMessage again can never make a second message (a
    # stored Message-ID, an idempotency key): a reply whose worker died mid-send is then
    # sent again instead of waiting for a person.
    resends_safely: ClassVar[bool] = False

    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    @property
    def can_poll(self) -> bool:
        return type(self).poll is not Adapter.poll

    def poll(self, state: dict[str, Any]) -> PollResult:
        raise AdapterError(f"{self.kind} channels do not poll")

    def send(self, message: OutboundMessage) -> SendResult:
        raise AdapterError(f"{self.kind} channels cannot send")

    # Webhooks: a platform that pushes events implements these three.

    @property
    def receives_webhooks(self) -> bool:
        return type(self).read_webhook is not Adapter.read_webhook

    def answer_challenge(self, request: WebhookRequest) -> HookAnswer:
        """Answer the platform's GET verification; the default refuses it."""
        return HookAnswer(404, "no verification for this channel")

    def verify(self, request: WebhookRequest) -> None:
        """Raise SignatureError unless the POST is signed by the platform."""
        raise SignatureError(f"{self.kind} channels do not receive webhooks")

    def read_webhook(self, request: WebhookRequest) -> PollResult:
        """The events of a verified POST (``state`` is unused and left empty)."""
        raise AdapterError(f"{self.kind} channels do not receive webhooks")


_Settings = TypeVar("_Settings", bound=BaseModel)
_Secrets = TypeVar("_Secrets", bound=BaseModel)


def read_configuration(
    channel: Channel, settings_model: type[_Settings], secrets_model: type[_Secrets], label: str
) -> tuple[_Settings, _Secrets]:
    """The channel's validated settings and decrypted secrets, or one AdapterError that
    says what is wrong (``label`` names the network in the message)."""
    from comptoir.channels.secrets import unseal

    try:
        settings = settings_model.model_validate(channel.config)
        secrets = unseal(channel)
    except ValueError as exc:  # pydantic's ValidationError, or secrets that do not decrypt
        summary = " ".join(str(exc).split())
        raise AdapterError(f"the {label} channel's settings are invalid: {summary}") from exc
    if not isinstance(secrets, secrets_model):
        raise AdapterError(f"channel {channel.pk} is not a {label} channel")
    return settings, secrets


_A = TypeVar("_A", bound=type[Adapter])
REGISTRY: dict[str, type[Adapter]] = {}


def register(adapter: _A) -> _A:
    REGISTRY[adapter.kind] = adapter
    return adapter


def resends_safely(kind: str) -> bool:
    """``Adapter.resends_safely`` of the channel kind's adapter (False when it has none)."""
    from comptoir.channels import registry  # noqa: F401 - imports every adapter

    adapter = REGISTRY.get(kind)
    return adapter is not None and adapter.resends_safely


def adapter_for(channel: Channel) -> Adapter:
    from comptoir.channels import registry  # noqa: F401 - imports every adapter

    try:
        return REGISTRY[channel.kind](channel)
    except KeyError:
        raise AdapterError(f"no adapter for {channel.kind} channels yet") from None
