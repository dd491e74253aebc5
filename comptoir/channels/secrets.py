"""Channel secrets, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from pydantic import BaseModel, SecretStr

from comptoir.channels.config import SECRETS_MODEL
from comptoir.channels.models import Channel


def _fernet() -> Fernet:
    return Fernet(settings.ENCRYPTION_KEY.encode())


def seal(secrets: BaseModel) -> str:
    """Encrypt a secrets model into the text stored on the channel."""
    plain = {
        key: value.get_secret_value() if isinstance(value, SecretStr) else value
        for key, value in secrets
    }
    return _fernet().encrypt(json.dumps(plain).encode()).decode()


def unseal(channel: Channel) -> BaseModel:
    """The channel's secrets model; only adapters that talk to the platform call this."""
    model = SECRETS_MODEL[channel.kind]
    if not channel.secrets_encrypted:
        return model()
    try:
        plain = _fernet().decrypt(channel.secrets_encrypted.encode())
    except InvalidToken as exc:
        raise ValueError(
            f"the secrets of channel {channel.pk} cannot be decrypted with this ENCRYPTION_KEY"
        ) from exc
    return model.model_validate(json.loads(plain))
