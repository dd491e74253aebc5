"""InboundEvent: the one shape every channel adapter produces and the pipeline consumes.

A webhook, a polled API page, an IMAP mailbox and an imported file all become lists of
InboundEvents. The pipeline (``comptoir.ingest``) validates them with this model, so an
adapter never imports the pipeline and the pipeline never knows a platform's own format.
The JSON Schema published in ``docs/inbound-event.schema.json`` is generated from here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from comptoir.people.models import IdentityKind

# The inbox's own choices, repeated as literals because channels sit below the inbox;
# tests/channels/test_events.py checks that the two lists stay the same.
EventVisibility = Literal["public", "private"]
EventKind = Literal["post", "comment", "reply", "direct", "email", "review"]
EventDirection = Literal["inbound", "outbound"]

MAX_TEXT = 100_000  # characters; a longer text is refused, not truncated silently
MAX_HTML = 1_000_000
MAX_ID = 255


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Author(_Event):
    """Who wrote the event, as the platform knows them."""

    kind: IdentityKind = Field(description="The network the identity lives on.")
    external_id: str = Field(
        min_length=1,
        max_length=MAX_ID,
        description="The platform's stable id of the account; the address for email.",
    )
    handle: str = Field(default="", max_length=MAX_ID)
    display_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254, description="An email the author uses.")
    phone: str = Field(default="", max_length=40, description="A phone number, any format.")
    profile_url: str = Field(default="", max_length=500)
    avatar_url: str = Field(default="", max_length=500)
    declared: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Emails and profile URLs the account's own profile declares (bio links).",
    )


class Attachment(_Event):
    name: str = Field(default="", max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=127)
    size: int = Field(default=0, ge=0)
    url: str = Field(default="", max_length=2000)


class InboundEvent(_Event):
    """One message that reached the brand (or that the brand sent, in an import)."""

    external_id: str = Field(
        min_length=1,
        max_length=MAX_ID,
        description="The platform's id of this message: re-delivery with the same id is a no-op.",
    )
    thread_id: str = Field(
        default="",
        max_length=MAX_ID,
        description="The platform's id of the thread (root post, DM thread, email thread).",
    )
    in_reply_to: str = Field(
        default="", max_length=MAX_ID, description="external_id of the message answered."
    )
    references: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Earlier messages of the thread, oldest first (email References).",
    )
    author: Author | None = Field(
        default=None, description="Required for inbound events; absent for the brand's own."
    )
    direction: EventDirection = "inbound"
    subject: str = Field(default="", max_length=300)
    text: str = Field(
        default="", max_length=MAX_TEXT, description="What a person reads: quotes trimmed."
    )
    full_text: str = Field(
        default="",
        max_length=MAX_HTML,
        description="The whole body when `text` is trimmed (quoted replies, signatures).",
    )
    html: str = Field(default="", max_length=MAX_HTML)
    created_at: AwareDatetime = Field(description="When it was written, with its time zone.")
    visibility: EventVisibility = "public"
    kind: EventKind = "post"
    language: str = Field(default="", max_length=8, description="A language hint, if known.")
    url: str = Field(default="", max_length=500)
    attachments: list[Attachment] = Field(default_factory=list, max_length=100)
    raw: dict[str, Any] = Field(
        default_factory=dict, description="The platform's payload, kept as received."
    )

    @field_validator("text", "full_text", "html", "subject", "external_id", "thread_id")
    @classmethod
    def _storable(cls, value: str) -> str:
        # Neither database stores NUL: refuse the event here rather than fail the whole
        # batch at insert time. (Lone surrogates, from JSON "\ud800" escapes, are already
        # refused by pydantic's string validation.)
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value

    @model_validator(mode="after")
    def _complete(self) -> InboundEvent:
        if self.direction == "inbound" and self.author is None:
            raise ValueError("an inbound event needs an author")
        if not self.text and not self.html and not self.attachments:
            raise ValueError("an event needs a text, an HTML body or an attachment")
        return self


def inbound_event_schema() -> dict[str, Any]:
    """The JSON Schema of a batch item, for the README, docs/ and the API."""
    return InboundEvent.model_json_schema()
