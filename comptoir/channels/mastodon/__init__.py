"""Mastodon: mentions polled from the notifications API, replies posted as statuses."""
