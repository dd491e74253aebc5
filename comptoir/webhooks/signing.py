"""How Comptoir signs a webhook body, both ways: the outbound events it sends, and the
same scheme the generic inbound webhook checks (``comptoir.ingest.webhook``).

The signature is ``sha256=`` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
the unix timestamp in seconds, a dot, and the raw body bytes exactly as sent.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

TIMESTAMP_HEADER = "X-Comptoir-Timestamp"
SIGNATURE_HEADER = "X-Comptoir-Signature"
EVENT_HEADER = "X-Comptoir-Event"
DELIVERY_HEADER = "X-Comptoir-Delivery"
SCHEME = "sha256="
SECRET_PREFIX = "whsec_"  # noqa: S105  # a label in front of each secret, not a secret


def signature(secret: str, timestamp: str | int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the secret over ``<timestamp>.<body>``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return SCHEME + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signed: str) -> bool:
    """Whether ``signed`` is the signature of ``body`` at ``timestamp`` (constant time)."""
    expected = signature(secret, timestamp, body)
    return hmac.compare_digest(expected.encode(), signed.strip().encode())


def new_secret() -> str:
    """A fresh signing secret: 32 random bytes, URL-safe, with a recognisable prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _fernet() -> Fernet:
    return Fernet(settings.ENCRYPTION_KEY.encode())


def seal(secret: str) -> str:
    """Encrypt a signing secret into the text stored on the endpoint."""
    return _fernet().encrypt(secret.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str:
    """The plain signing secret; only the sender calls this, right before signing."""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("this signing secret cannot be decrypted with ENCRYPTION_KEY") from exc
