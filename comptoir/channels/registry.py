"""Imports every adapter package so that each registers itself."""

from comptoir.channels.email import adapter  # noqa: F401
