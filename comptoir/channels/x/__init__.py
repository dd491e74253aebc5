"""X (formerly Twitter): Account Activity webhooks, mentions polling, replies."""
