"""The LinkedIn channel: comments on the organisation's posts, polled through the Community
Management API, and replies to them."""
