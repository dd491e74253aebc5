"""Recognising mail that no person wrote: auto-replies, bounces, bulk mail, read receipts.

They must not open conversations: an out-of-office answering our reply would reopen the
conversation it answers, and answering it back starts a loop between two robots. Header
signals decide (RFC 3834 Auto-Submitted, the de facto X-Autoreply and Precedence, RFC 3464
delivery reports). A subject such as "Absence" or "Réponse automatique" only counts together
with a weaker header hint, because customers write "Absence de réponse à ma réclamation".
"""

from __future__ import annotations

import re
from email.message import Message

from comptoir.channels.email.mime import decode_header_value

_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "auto_reply", "auto-reply"}
_ROBOT_SENDERS = {"mailer-daemon", "postmaster"}
_REPORTS = {
    "delivery-status": ("bounce", "delivery status notification"),
    "disposition-notification": ("read receipt", "disposition notification"),
}
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(?:(?:re|tr|fw|fwd)\s*:\s*)*"
    r"(?:r[ée]ponse automatique|absence|absent|out of office|automatic reply|auto-?reply)\b",
    re.IGNORECASE,
)


def automatic_reason(message: Message, sender: str) -> tuple[str, str] | None:
    """(kind, evidence) when a machine wrote the message; None if a person may have."""
    # Bounces first: MTAs also mark them Auto-Submitted, and "bounce" says more.
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "")).lower()
        if report_type in _REPORTS:
            return _REPORTS[report_type]
    if message.get("X-Failed-Recipients") is not None:
        return "bounce", "X-Failed-Recipients header"
    if sender.partition("@")[0] in _ROBOT_SENDERS:
        return "bounce", f"sent by {sender}"
    auto_submitted = _token(message, "Auto-Submitted")
    if auto_submitted and auto_submitted != "no":
        kind = "auto-reply" if auto_submitted == "auto-replied" else "automatic message"
        return kind, f"Auto-Submitted: {auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None and _token(message, name) not in ("no", "false"):
            return "auto-reply", f"{name} header"
    precedence = _token(message, "Precedence")
    if precedence in _AUTOMATIC_PRECEDENCE:
        kind = "bulk mail" if precedence in ("bulk", "junk") else "auto-reply"
        return kind, f"Precedence: {precedence}"
    subject = decode_header_value(message.get("Subject"))
    hint = _weak_hint(message)
    if hint and _AUTO_REPLY_SUBJECT.match(subject):
        return "auto-reply", f"subject {subject!r} and {hint}"
    return None


def _weak_hint(message: Message) -> str | None:
    """Headers that auto-responders set but that do not prove one by themselves."""
    if _token(message, "Return-Path") == "<>":
        return "an empty Return-Path"
    if message.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress"
    return None


def _token(message: Message, name: str) -> str:
    """The header's value without parameters or comments, lowercased."""
    value = decode_header_value(message.get(name))
    return value.split(";")[0].split("(")[0].strip().lower()
