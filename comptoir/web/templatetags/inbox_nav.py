"""The navigation's counts of the inbox work, asked only by the pages that show them."""

from __future__ import annotations

from django import template

from comptoir.inbox.queries import unhandled_count, unread_count
from comptoir.workspaces.models import Seat

register = template.Library()


@register.simple_tag
def nav_unhandled_count(seat: Seat | None) -> int:
    return unhandled_count(seat.workspace_id) if seat else 0


@register.simple_tag
def nav_unread_notifications(seat: Seat | None) -> int:
    return unread_count(seat) if seat else 0
