"""Decoding what a MIME message carries: header words, charsets, bodies and attachments.

Mail in the wild lies about its charset, folds its headers badly and names charsets nobody
knows. Everything here degrades to replacement characters rather than raising: a message
that can be read at all is read.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from email.errors import HeaderParseError
from email.header import decode_header
from email.message import Message

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

# Latin-1 labels are read as windows-1252, as browsers do: Windows clients label cp1252 text
# (curly quotes, the euro sign) as iso-8859-1, and the two only differ where Latin-1 has
# unprintable control codes.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
}
_BAD_BASE64_WORD = re.compile(r"=\?[^?]*\?[bB]\?(?![A-Za-z0-9+/]*={0,2}\?=)")


@dataclass(frozen=True)
class AttachmentInfo:
    name: str
    content_type: str
    size: int


@dataclass
class Body:
    text: str = ""  # decoded, "\n" line ends; rendered from the HTML when there is no plain
    html: str = ""
    attachments: list[AttachmentInfo] = field(default_factory=list)


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes in a declared charset; unknown or wrong charsets never raise."""
    label = (charset or "").strip().strip('"').lower()
    if label in ("", "us-ascii", "ascii", "unknown-8bit"):
        # Undeclared or "ASCII" 8-bit text is UTF-8 nowadays, else a Windows client's.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    label = _CHARSET_ALIASES.get(label, label)
    try:
        codecs.lookup(label)
    except LookupError:
        return decode_bytes(data, None)  # a charset nobody knows tells nothing: guess
    return data.decode(label, errors="replace")


def decode_header_value(value: object, *, words: bool = True) -> str:
    """A header's text, unfolded, with RFC 2047 encoded words decoded unless ``words`` is
    false (message ids are not text and are taken as written)."""
    if value is None:
        return ""
    text = str(value)
    if any("\udc80" <= char <= "\udcff" for char in text):
        # Raw 8-bit header bytes, smuggled through the parser as surrogates.
        text = decode_bytes(text.encode("ascii", errors="surrogateescape"), None)
    if not words or "=?" not in text or _BAD_BASE64_WORD.search(text):
        # A base64 word that is not base64 would decode to noise: show it as written.
        return _unfold(text)
    try:
        chunks = decode_header(text)
    except (HeaderParseError, ValueError, LookupError):
        return _unfold(text)  # likewise for any other word that does not decode
    return _unfold(
        "".join(
            decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in chunks
        )
    )


def _unfold(value: str) -> str:
    return " ".join(value.split())


def extract_body(message: Message) -> Body:
    """The message's text, HTML and attachment list, from however its parts are nested."""
    body = Body()
    texts: list[str] = []
    htmls: list[str] = []
    _walk(message, body, texts, htmls)
    body.html = "\n".join(htmls)
    texts = [text.strip("\n") for text in texts if text.strip()]
    if texts:
        body.text = "\n\n".join(texts)
    elif body.html:
        body.text = html_to_text(body.html)
    return body


# The strict profile renders blocks without the relaxed profile's indentation, which would
# otherwise prefix every paragraph of an Outlook mail with spaces.
_HTML_RENDERING = ParserConfig(css=CSS_PROFILES["strict"])


def html_to_text(html: str) -> str:
    return _clean(get_text(html, _HTML_RENDERING)).strip("\n")


def _walk(part: Message, body: Body, texts: list[str], htmls: list[str]) -> None:
    content_type = part.get_content_type()
    if content_type == "multipart/alternative":
        _walk_alternative(part, body, texts, htmls)
    elif part.is_multipart() and content_type != "message/rfc822":
        for child in _children(part):
            _walk(child, body, texts, htmls)
    elif part.get_content_maintype() == "multipart":
        texts.append(_text_of(part))  # declared multipart but no boundary: one plain body
    elif _is_attachment(part):
        body.attachments.append(_attachment(part))
    elif content_type == "text/html":
        htmls.append(_text_of(part))
    else:
        texts.append(_text_of(part))


def _walk_alternative(part: Message, body: Body, texts: list[str], htmls: list[str]) -> None:
    """Keep one plain and one HTML rendering of the same words, not every version."""
    plain: list[str] = []
    rich: list[str] = []
    for child in _children(part):
        _walk(child, body, plain, rich)
    texts.extend(plain[:1])
    htmls.extend(rich[:1])


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


def _is_attachment(part: Message) -> bool:
    if part.get_content_type() not in ("text/plain", "text/html"):
        return True  # images, PDFs, calendars, forwarded messages...
    disposition = (part.get_content_disposition() or "").lower()
    return disposition == "attachment" or part.get_filename() is not None


def _attachment(part: Message) -> AttachmentInfo:
    name = decode_header_value(part.get_filename())
    inner = _children(part)
    if part.get_content_type() == "message/rfc822" and inner:
        # A message forwarded as an attachment: its size as an .eml file, named by subject.
        size = len(inner[0].as_bytes())
        name = name or f"{decode_header_value(inner[0]['Subject']) or 'message'}.eml"
    else:
        size = len(_payload_bytes(part))
    return AttachmentInfo(name=name, content_type=part.get_content_type(), size=size)


def _payload_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)  # undoes base64 and quoted-printable, leniently
    return data if isinstance(data, bytes) else b""


def _text_of(part: Message) -> str:
    text = decode_bytes(_payload_bytes(part), part.get_content_charset())
    text = _clean(text)
    if part.get_content_type() == "text/plain" and part.get_param("format") == "flowed":
        text = unflow(text, delsp=str(part.get_param("delsp", "no")).lower() == "yes")
    return text


def _clean(text: str) -> str:
    # NUL is refused by PostgreSQL text columns and means nothing in mail.
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


_SIGNATURE_SEPARATOR = "-- "


def unflow(text: str, *, delsp: bool) -> str:
    """Undo RFC 3676 format=flowed: a line ending in a space goes on with the next line of
    the same quote depth; the ``>`` marks of the continuation lines are dropped."""
    lines: list[str] = []
    pending: tuple[int, str] | None = None
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing, or the space after the quote marks
        if pending is not None and pending[0] != depth:
            lines.append(_quoted(*pending))
            pending = None
        if pending is not None:
            content = pending[1] + content
        if content.endswith(" ") and content != _SIGNATURE_SEPARATOR:
            pending = (depth, content[:-1] if delsp else content)
            continue
        lines.append(_quoted(depth, content))
        pending = None
    if pending is not None:
        lines.append(_quoted(*pending))
    return "\n".join(lines)


def _quoted(depth: int, content: str) -> str:
    return f"{'>' * depth} {content}" if depth and content else ">" * depth + content
