"""Bad input in a file import: each bad line gets a clear reason with its line number, is
kept as a rejected event, and leaves nothing half-written; the good lines import."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.channels.events import MAX_TEXT
from comptoir.inbox.models import Message
from comptoir.ingest.models import RejectedEvent, RejectedStatus, Source
from comptoir.people.models import Identity
from tests.conftest import Personas
from tests.ingest.conftest import Channels

TEN_MB = 10 * 1024 * 1024


def line(external_id: str, text: str = "Bonjour", **fields: Any) -> bytes:
    event: dict[str, Any] = {
        "external_id": external_id,
        "created_at": "2026-11-20T10:00:00+01:00",
        "text": text,
        "author": {"kind": "x", "external_id": f"user-{external_id}", "handle": f"@{external_id}"},
    }
    event.update(fields)
    return json.dumps(event, ensure_ascii=False).encode() + b"\n"


def without(field: str, data: bytes) -> bytes:
    event = json.loads(data)
    del event[field]
    return json.dumps(event).encode() + b"\n"


def test_every_kind_of_bad_line_is_rejected_with_its_line_and_the_rest_imports(
    tmp_path: Path, channels: Channels, personas: Personas
) -> None:
    source = tmp_path / "bad.jsonl"
    lines = [
        line("ok-1", "Première ligne, valide"),  # 1
        b'{"external_id": "broken", "text": oops}\n',  # 2 malformed JSON
        without("created_at", line("no-date")),  # 3 missing field
        line("typo", author={"kind": "myspace", "external_id": "u1"}),  # 4 mistyped field
        line("giant", "é" * TEN_MB),  # 5 a 10 MB text
        b'{"external_id": "latin1", "text": "d\xe9j\xe0 vu"}\n',  # 6 not UTF-8
        line("naive", created_at="2026-11-20T10:00:00"),  # 7 no time zone
        line("ok-1", "Le même identifiant, plus tard"),  # 8 duplicate inside the batch
        b"\n",  # 9 blank: skipped
        (
            b'{"external_id": "surrogate", "created_at": "2026-11-20T10:00:00Z", '
            b'"text": "\\ud800", "author": {"kind": "x", "external_id": "s"}}\n'
        ),  # 10 lone surrogate
        line("attachment", attachments=[{"name": "a.pdf", "size": "big"}]),  # 11
        b"[1, 2, 3]\n",  # 12 not an object
        line("ok-2", "Dernière ligne, valide"),  # 13
    ]
    source.write_bytes(b"".join(lines))
    out = io.StringIO()

    call_command(
        "import", str(source), "--channel=Boutique", "--workspace=maison-lumiere",
        "--format=jsonl", "--quiet", stdout=out,
    )  # fmt: skip

    rejected = RejectedEvent.objects.order_by("id")
    assert [(r.location, r.reason) for r in rejected] == [
        ("line 2", "not valid JSON: Expecting value (column 35)"),
        ("line 3", "created_at: Field required"),
        (
            "line 4",
            (
                "author.kind: Input should be 'email', 'phone', 'x', 'facebook', 'instagram', "
                "'linkedin', 'mastodon', 'bluesky', 'web_chat' or 'other'"
            ),
        ),
        ("line 5", f"text: String should have at most {MAX_TEXT} characters"),
        ("line 6", "not valid UTF-8 (byte 37 is 0xe9)"),
        ("line 7", "created_at: Input should have timezone info"),
        (
            "line 10",
            "contains an unpaired UTF-16 surrogate (a \\ud800-\\udfff escape), which is not text",
        ),
        (
            "line 11",
            (
                "attachments.0.size: Input should be a valid integer, unable to parse string as an "
                "integer"
            ),
        ),
        ("line 12", "not a JSON object but an array"),
    ]
    assert {(r.source, r.status, r.channel_id) for r in rejected} == {
        (Source.IMPORT, RejectedStatus.PENDING, channels.webhook.pk)
    }
    # The rejected event keeps the raw payload whole; the exact bytes when not UTF-8.
    giant = rejected.get(location="line 5")
    assert len(giant.raw) > TEN_MB
    assert giant.raw_bytes is None
    latin1 = rejected.get(location="line 6")
    assert bytes(latin1.raw_bytes or b"") == b'{"external_id": "latin1", "text": "d\xe9j\xe0 vu"}'
    assert latin1.raw == '{"external_id": "latin1", "text": "d\ufffdj\ufffd vu"}'

    stored = Message.objects.filter(channel=channels.webhook).order_by("external_id")
    assert list(stored.values_list("external_id", "text")) == [
        ("ok-1", "Première ligne, valide"),  # the first of the two ok-1 wins
        ("ok-2", "Dernière ligne, valide"),
    ]
    assert max(len(text) for text in Message.objects.values_list("text", flat=True)) < MAX_TEXT
    # Nothing of a rejected event was written: not even its author.
    assert sorted(Identity.objects.values_list("external_id", flat=True)) == [
        "user-ok-1",
        "user-ok-2",
    ]

    report = out.getvalue()
    assert "  duplicates                  1\n" in report
    assert "  rejected                    9\n" in report
    assert "  line 5: text: String should have at most 100000 characters\n" in report


def test_a_file_with_no_good_line_at_all_is_not_jsonl(tmp_path: Path, channels: Channels) -> None:
    source = tmp_path / "binary.jsonl"
    source.write_bytes(bytes(range(256)) * 4)
    out = io.StringIO()

    with pytest.raises(CommandError) as error:
        call_command(
            "import", str(source), "--channel=Service client", "--format=jsonl", "--quiet",
            stdout=out,
        )  # fmt: skip
    assert str(error.value).startswith(
        f"{source}: this is not JSONL: none of its lines is a JSON object"
    )
    assert RejectedEvent.objects.count() == Message.objects.count() == 0
