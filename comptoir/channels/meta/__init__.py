"""Meta: Facebook Page feed comments, Messenger, Instagram comments and direct messages."""
