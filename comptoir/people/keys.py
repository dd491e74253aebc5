"""Normalised keys that identify a human across networks: emails, phones, profile URLs.

Two identities that share one of these keys are the same person (see the README's
"Identity resolution" rules); weak signals such as similar names never merge by themselves.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import phonenumbers

DEFAULT_PHONE_REGION = "FR"


def normalize_email(value: str) -> str:
    """``Marie.Dupont@Mail.FR `` -> ``marie.dupont@mail.fr``; "" when it is not an address."""
    address = value.strip().strip("<>").lower()
    if address.startswith("mailto:"):
        address = address[len("mailto:") :]
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        return ""
    return address


def normalize_phone(value: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """A phone number in E.164 (``+33612345678``), or "" when it is not a valid number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_url(value: str) -> str:
    """A profile URL in one spelling: https, lower-case host without www, no trailing slash,
    no query or fragment. "" when it is not an http(s) URL."""
    raw = value.strip()
    if not raw:
        return ""
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.hostname.lower().removeprefix("www.")
    path = parts.path.rstrip("/")
    return urlunsplit(("https", host, path, "", ""))


def declared_keys(values: list[str]) -> tuple[list[str], list[str]]:
    """Split what a profile declares into normalised emails and normalised URLs."""
    emails: list[str] = []
    urls: list[str] = []
    for value in values:
        email = normalize_email(value) if "@" in value and "/" not in value else ""
        if email:
            emails.append(email)
            continue
        url = normalize_url(value)
        if url:
            urls.append(url)
    return emails, urls
