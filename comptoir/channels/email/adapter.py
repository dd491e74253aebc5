"""The email adapter (IMAP polling, SMTP sending)."""

from __future__ import annotations

from comptoir.channels.adapters import Adapter, register


@register
class EmailAdapter(Adapter):
    kind = "email"
