"""The email channel: IMAP polling, MIME parsing into InboundEvents, SMTP sending."""
