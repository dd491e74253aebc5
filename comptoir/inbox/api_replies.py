"""The REST router of replies: answer a conversation on its channel, retry a failed reply.

A reply is stored at once (201, ``delivery_status`` "pending") and sent by the worker; read
it again (GET /messages/{id}) to follow it to "sent" or "failed".
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from comptoir.inbox import queries
from comptoir.inbox.api import MessageOut
from comptoir.inbox.models import Conversation, DeliveryStatus, Message
from comptoir.inbox.replies import MAX_TEXT, NotRetryableError, do_reply, do_retry_delivery
from comptoir.rest import BlankIsNull, ErrorOut, caller, responses, workspace_for
from comptoir.workspaces.queries import get_scoped_or_404, scoped
from comptoir.workspaces.roles import Capability

router = Router(tags=["inbox"])


class ReplyIn(Schema):
    # Optional in the schema so that the role and the workspace are checked first; an empty
    # text is refused by the action with a 400 that names the field.
    text: str = Field("", max_length=MAX_TEXT, description="The reply, in plain text.")
    html: str = Field("", max_length=1_000_000, description="An HTML version (email only).")


class ReplyOut(MessageOut):
    delivery_status: Annotated[DeliveryStatus | None, BlankIsNull] = Field(
        description="pending, sending, sent or failed; null for inbound messages and notes."
    )
    delivery_error: str
    delivery_attempts: int
    next_attempt_at: datetime | None = Field(
        description="When the worker tries again (failed), or since when it sends (sending)."
    )


@router.post(
    "/conversations/{int:conversation_id}/replies",
    response={**responses(ReplyOut), 201: ReplyOut},
)
def reply_to_conversation(
    request: HttpRequest, conversation_id: int, payload: ReplyIn
) -> Status[Any]:
    """Reply on the conversation's channel to its latest inbound message. The reply is
    stored as pending and sent by the worker, retried with backoff if the channel fails."""
    workspace = workspace_for(request, Capability.CONVERSE)
    conversation = get_scoped_or_404(scoped(Conversation, workspace), workspace, conversation_id)
    message = do_reply(conversation, seat=caller(request), text=payload.text, html=payload.html)
    return Status(201, _reloaded(request, message))


@router.post(
    "/messages/{int:message_id}/retry",
    response={**responses(ReplyOut), 409: ErrorOut},
)
def retry_message(request: HttpRequest, message_id: int) -> Status[Any]:
    """Send a failed reply again now, with a fresh round of attempts."""
    workspace = workspace_for(request, Capability.CONVERSE)
    message = get_scoped_or_404(scoped(Message, workspace), workspace, message_id)
    try:
        do_retry_delivery(message, seat=caller(request))
    except NotRetryableError as exc:
        return Status(409, {"error": {"code": "conflict", "message": str(exc), "details": None}})
    return Status(200, _reloaded(request, message))


def _reloaded(request: HttpRequest, message: Message) -> Message:
    workspace = caller(request).workspace
    return queries.messages(workspace).get(pk=message.pk)
