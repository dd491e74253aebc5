"""Ingestion fixtures: workspace A's channels (a mailbox, an X account, a signed webhook),
the recorded import files, and a snapshot of what the inbox holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from comptoir.channels.actions import do_create_channel
from comptoir.channels.models import Channel
from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.models import RejectedEvent
from comptoir.people.models import Identity, Person
from comptoir.workspaces.models import Workspace
from tests.conftest import Personas

IMPORTS = Path(__file__).resolve().parent.parent / "data" / "imports"
WEBHOOK_SECRET = "whsec_3f9a1c0b7d2e4f60a8b5c9d1e2f3a4b5"
MAILBOX = "service@maison-lumiere.example"


@dataclass
class Channels:
    mail: Channel
    x: Channel
    webhook: Channel
    other_webhook: Channel  # workspace B's, with another secret


@pytest.fixture
def channels(personas: Personas) -> Channels:
    a, b = personas.workspace_a, personas.workspace_b
    return Channels(
        mail=do_create_channel(
            a, kind="email", name="Service client", settings={"address": MAILBOX}
        ),
        x=do_create_channel(
            a, kind="x", name="@maisonlumiere", settings={"handle": "maisonlumiere"}
        ),
        webhook=do_create_channel(
            a,
            kind="webhook",
            name="Boutique",
            settings={},
            secrets={"signing_secret": WEBHOOK_SECRET},
        ),
        other_webhook=do_create_channel(
            b,
            kind="webhook",
            name="Boutique",
            settings={},
            secrets={"signing_secret": "whsec_of_workspace_b_only"},
        ),
    )


def inbox_state(workspace: Workspace) -> dict[str, Any]:
    """Everything ingestion writes in a workspace, by natural keys (no ids, no stored-at
    times), so that two runs can be compared exactly."""
    return {
        "messages": sorted(
            Message.objects.filter(workspace=workspace).values_list(
                "channel__name",
                "external_id",
                "direction",
                "text",
                "sent_at",
                "conversation__thread_key",
                "in_reply_to__external_id",
            )
        ),
        "conversations": sorted(
            Conversation.objects.filter(workspace=workspace).values_list(
                "channel__name",
                "thread_key",
                "person__display_name",
                "message_count",
                "first_inbound_at",
                "first_response_at",
                "last_activity_at",
                "status",
            ),
            key=repr,
        ),
        "people": sorted(
            Person.objects.filter(workspace=workspace).values_list(
                "display_name", "last_inbound_at", "last_outbound_at"
            ),
            key=repr,
        ),
        "identities": sorted(
            Identity.objects.filter(workspace=workspace).values_list(
                "kind", "external_id", "handle", "display_name", "person__display_name"
            )
        ),
        "rejected": sorted(
            RejectedEvent.objects.filter(workspace=workspace).values_list(
                "location", "reason", "status"
            )
        ),
    }
