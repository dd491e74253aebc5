"""Bluesky (AT Protocol): mentions and replies polled from listNotifications, replies posted."""
