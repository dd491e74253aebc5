"""Comptoir: a people-first social CRM."""
