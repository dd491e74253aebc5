"""Per-kind channel settings, validated by Pydantic instead of dozens of nullable columns.

Each kind has a ``Settings`` model (public, stored as JSON) and a ``Secrets`` model (stored
encrypted, typed as ``SecretStr`` so that a repr, a log line or an API dump shows ``**********``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, EmailStr, Field, HttpUrl, SecretStr

from comptoir.channels.models import ChannelKind


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoSecrets(_Strict):
    pass


class EmailSettings(_Strict):
    address: EmailStr
    imap_host: str = ""
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_user: str = ""
    imap_ssl: bool = True
    imap_folder: str = "INBOX"
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_starttls: bool = True


class EmailSecrets(_Strict):
    imap_password: SecretStr = SecretStr("")
    smtp_password: SecretStr = SecretStr("")


class XSettings(_Strict):
    handle: str = Field(min_length=1, max_length=50)
    # The account's numeric id: mentions polling and telling its own posts apart need it.
    user_id: str = Field(default="", pattern=r"^\d*$")


class XSecrets(_Strict):
    # App-only token (API v2 reads: mentions polling).
    bearer_token: SecretStr = SecretStr("")
    # The app's API secret: signs the webhook CRC answer and every webhook POST.
    consumer_secret: SecretStr = SecretStr("")
    # OAuth 2.0 user access token (scopes tweet.read tweet.write users.read): posting replies.
    access_token: SecretStr = SecretStr("")


class MetaSettings(_Strict):
    page_id: str = Field(min_length=1)
    page_name: str = ""
    instagram_account_id: str = ""


class MetaSecrets(_Strict):
    page_access_token: SecretStr = SecretStr("")
    # Signs every webhook POST (X-Hub-Signature-256).
    app_secret: SecretStr = SecretStr("")
    # Chosen by us, pasted in the app dashboard; Meta echoes it in the GET verification.
    verify_token: SecretStr = SecretStr("")


class LinkedInSettings(_Strict):
    organization_urn: str = Field(pattern=r"^urn:li:organization:\d+$")
    # The Marketing API version (YYYYMM) sent as LinkedIn-Version; each lives about a year.
    api_version: str = Field(default="202609", pattern=r"^\d{6}$")
    # Overridden only to point tests at a local server.
    api_url: HttpUrl = HttpUrl("https://api.linkedin.com")


class TokenSecrets(_Strict):
    access_token: SecretStr = SecretStr("")


class MastodonSettings(_Strict):
    instance_url: HttpUrl
    account: str = Field(min_length=1)


class BlueskySettings(_Strict):
    handle: str = Field(min_length=1)
    service_url: HttpUrl = HttpUrl("https://bsky.social")


class BlueskySecrets(_Strict):
    app_password: SecretStr = SecretStr("")


class FeedSettings(_Strict):
    url: HttpUrl
    poll_minutes: int = Field(default=30, ge=1, le=1440)


class WebhookSecrets(_Strict):
    signing_secret: SecretStr = SecretStr("")


class WebChatSettings(_Strict):
    allowed_origins: list[HttpUrl] = []
    greeting: str = ""


SETTINGS_MODEL: dict[str, type[BaseModel]] = {
    ChannelKind.EMAIL: EmailSettings,
    ChannelKind.X: XSettings,
    ChannelKind.FACEBOOK: MetaSettings,
    ChannelKind.INSTAGRAM: MetaSettings,
    ChannelKind.LINKEDIN: LinkedInSettings,
    ChannelKind.MASTODON: MastodonSettings,
    ChannelKind.BLUESKY: BlueskySettings,
    ChannelKind.FEED: FeedSettings,
    ChannelKind.WEBHOOK: NoSecrets,
    ChannelKind.WEB_CHAT: WebChatSettings,
}

SECRETS_MODEL: dict[str, type[BaseModel]] = {
    ChannelKind.EMAIL: EmailSecrets,
    ChannelKind.X: XSecrets,
    ChannelKind.FACEBOOK: MetaSecrets,
    ChannelKind.INSTAGRAM: MetaSecrets,
    ChannelKind.LINKEDIN: TokenSecrets,
    ChannelKind.MASTODON: TokenSecrets,
    ChannelKind.BLUESKY: BlueskySecrets,
    ChannelKind.FEED: NoSecrets,
    ChannelKind.WEBHOOK: WebhookSecrets,
    ChannelKind.WEB_CHAT: NoSecrets,
}
