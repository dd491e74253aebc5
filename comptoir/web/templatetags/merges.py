"""Presentation helpers of the merge pages."""

from __future__ import annotations

from django import template

from comptoir.people.resolution import SIGNAL_LABELS

register = template.Library()


@register.filter
def signal_label(signal: str) -> str:
    """The words for a merge suggestion's signal ("Similar names"), or its code if unknown."""
    return str(SIGNAL_LABELS.get(signal, signal))
