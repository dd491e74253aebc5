"""Imports every adapter package so that each registers itself."""

from comptoir.channels.bluesky import adapter as bluesky_adapter  # noqa: F401
from comptoir.channels.email import adapter  # noqa: F401
from comptoir.channels.feed import adapter as feed_adapter  # noqa: F401
from comptoir.channels.linkedin import adapter as linkedin_adapter  # noqa: F401
from comptoir.channels.mastodon import adapter as mastodon_adapter  # noqa: F401
from comptoir.channels.meta import adapter as meta_adapter  # noqa: F401
from comptoir.channels.x import adapter as x_adapter  # noqa: F401
