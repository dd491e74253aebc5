"""The Facebook and Instagram adapters: one class per channel kind, one shared reader.

Both receive Meta webhooks (nothing to poll) and reply through the Graph API. A Facebook
channel takes ``page`` notifications for its Page; an Instagram channel takes ``instagram``
notifications for its professional account, the one connected to ``page_id``.

Replies: a public reply when ``in_reply_to`` names a comment (Graph comment ids are digits,
``<post>_<comment>`` on Facebook), otherwise a private message to ``recipient`` (message ids
are opaque strings such as ``m_...``).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import ClassVar

from django.conf import settings as django_settings

from comptoir.channels.adapters import (
    Adapter,
    AdapterError,
    HookAnswer,
    OutboundMessage,
    PollResult,
    SendResult,
    SignatureError,
    WebhookRequest,
    read_configuration,
    register,
)
from comptoir.channels.config import MetaSecrets, MetaSettings
from comptoir.channels.meta.graph import Graph
from comptoir.channels.meta.webhook import (
    MetaObject,
    PayloadError,
    answer_verification,
    check_signature,
    read_payload,
)

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
COMMENT_ID = re.compile(r"\d+(?:_\d+)?")


class MetaAdapter(Adapter, ABC):
    meta_object: ClassVar[MetaObject]
    # The Graph edge that answers a comment: Facebook's "comments", Instagram's "replies".
    reply_edge: ClassVar[str]

    def answer_challenge(self, request: WebhookRequest) -> HookAnswer:
        try:
            _, secrets = self._configuration()
        except AdapterError:
            return HookAnswer(403, "verification refused")
        return answer_verification(request, secrets.verify_token.get_secret_value())

    def verify(self, request: WebhookRequest) -> None:
        try:
            _, secrets = self._configuration()
        except AdapterError as exc:
            raise SignatureError(str(exc)) from exc
        check_signature(request, secrets.app_secret.get_secret_value())

    def read_webhook(self, request: WebhookRequest) -> PollResult:
        settings, _ = self._configuration()
        try:
            reading = read_payload(
                request.body,
                expected=self.meta_object,
                account_ids=self._account_ids(settings),
                identity_kind=self.kind,
            )
        except PayloadError as exc:
            raise AdapterError(str(exc)) from exc
        return PollResult(
            events=reading.events,
            state={},
            ignored=reading.ignored,
            unreadable=reading.unreadable,
        )

    def send(self, message: OutboundMessage) -> SendResult:
        _, secrets = self._configuration()
        graph = Graph(_graph_url(), secrets.page_access_token.get_secret_value())
        if COMMENT_ID.fullmatch(message.in_reply_to):
            body = graph.post(f"{message.in_reply_to}/{self.reply_edge}", {"message": message.text})
            new_id = body.get("id")
        else:
            if not message.recipient:
                raise AdapterError("a private reply needs the recipient's account id")
            body = graph.post(
                "me/messages",
                {
                    "recipient": {"id": message.recipient},
                    "messaging_type": "RESPONSE",
                    "message": {"text": message.text},
                },
            )
            new_id = body.get("message_id")
        if not isinstance(new_id, str) or not new_id:
            raise AdapterError("the Graph API accepted the reply but gave no id for it")
        return SendResult(external_id=new_id)

    @abstractmethod
    def _account_ids(self, settings: MetaSettings) -> frozenset[str]:
        """The ids this channel speaks as (the Page, or the Instagram account)."""

    def _configuration(self) -> tuple[MetaSettings, MetaSecrets]:
        settings, secrets = read_configuration(
            self.channel, MetaSettings, MetaSecrets, self.kind.title()
        )
        return settings, secrets


@register
class FacebookAdapter(MetaAdapter):
    kind = "facebook"
    meta_object = "page"
    reply_edge = "comments"

    def _account_ids(self, settings: MetaSettings) -> frozenset[str]:
        return frozenset({settings.page_id})


@register
class InstagramAdapter(MetaAdapter):
    kind = "instagram"
    meta_object = "instagram"
    reply_edge = "replies"

    def _account_ids(self, settings: MetaSettings) -> frozenset[str]:
        if not settings.instagram_account_id:
            raise AdapterError("this Instagram channel has no instagram_account_id set")
        return frozenset({settings.instagram_account_id})


def _graph_url() -> str:
    # A Django setting rather than a channel setting: only tests point it elsewhere. The
    # Graph API version is part of it.
    url: str = getattr(django_settings, "META_GRAPH_URL", DEFAULT_GRAPH_URL)
    return url
