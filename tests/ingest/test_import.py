"""``comptoir import``: each format into the right channel, the report, and the one-line
errors of a run that cannot start."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.inbox.models import Conversation, Message
from comptoir.ingest.models import RejectedEvent, Source
from comptoir.people.models import Identity, Person
from comptoir.workspaces.models import Event
from tests.conftest import Personas
from tests.ingest.conftest import IMPORTS, Channels, inbox_state


def run_import(path: Path | str, *args: str) -> str:
    out = io.StringIO()
    call_command("import", str(path), *args, "--quiet", stdout=out)
    return out.getvalue()


def report_line(output: str, label: str) -> str:
    """The value printed beside ``label`` in the report, e.g. "8" for "stored"."""
    for line in output.splitlines():
        if line.strip().startswith(label + " "):
            return line.split()[-1]
    raise AssertionError(f"no {label!r} line in:\n{output}")


def test_a_jsonl_file_imports_with_people_threads_and_a_report(
    channels: Channels, personas: Personas
) -> None:
    output = run_import(
        IMPORTS / "events.jsonl", "--channel", "Service client", "--format", "jsonl"
    )

    assert output.startswith("Imported events.jsonl into Service client (maison-lumiere)\n")
    counts = {label: report_line(output, label) for label in ("received", "stored", "duplicates")}
    assert counts == {"received": "8", "stored": "8", "duplicates": "0"}
    assert report_line(output, "rejected") == "0"
    assert report_line(output, "new people") == "5"
    assert report_line(output, "new conversations") == "5"
    assert "messages/s" in output
    assert "elapsed" in output
    marie = Person.objects.get(workspace=personas.workspace_a, display_name="Marie Dupont")
    thread = Conversation.objects.get(person=marie)
    assert thread.thread_key == "x-1860000000000000001"
    assert list(thread.messages.values_list("external_id", "direction")) == [
        ("x-1860000000000000001", "inbound"),
        ("x-1860000000000000002", "outbound"),
        ("x-1860000000000000003", "inbound"),
    ]
    photo = Message.objects.get(external_id="x-1860000000000000001")
    assert photo.attachments[0]["name"] == "pied-fendu.jpg"
    assert Message.objects.filter(workspace=personas.workspace_b).count() == 0


def test_importing_the_same_file_again_changes_nothing(
    channels: Channels, personas: Personas
) -> None:
    args = ("--channel", "Service client", "--format", "jsonl")
    run_import(IMPORTS / "events.jsonl", *args)
    before = inbox_state(personas.workspace_a)

    output = run_import(IMPORTS / "events.jsonl", *args)

    assert (report_line(output, "stored"), report_line(output, "duplicates")) == ("0", "8")
    assert report_line(output, "new people") == "0"
    assert inbox_state(personas.workspace_a) == before


def test_a_csv_file_imports_with_its_documented_columns(
    channels: Channels, personas: Personas
) -> None:
    output = run_import(IMPORTS / "messages.csv", "--channel", "Service client", "--format", "csv")

    assert (report_line(output, "stored"), report_line(output, "rejected")) == ("4", "0")
    claire = Message.objects.get(external_id="zd-1001")
    assert claire.text.startswith("Bonjour,\nil manque l'abat-jour")  # a multi-line cell
    assert claire.author_identity is not None
    assert claire.author_identity.person.display_name == "Claire Petit"
    answer = Message.objects.get(external_id="zd-1002")
    assert (answer.direction, answer.conversation_id) == ("outbound", claire.conversation_id)
    phones = Identity.objects.filter(workspace=personas.workspace_a, kind="phone")
    assert sorted(phones.values_list("external_id", "person__display_name")) == [
        ("+14155550123", "Dana Wu"),
        ("+33612345678", "Claire Petit"),
    ]


def test_csv_columns_of_another_name_are_mapped(tmp_path: Path, channels: Channels) -> None:
    export = tmp_path / "helpdesk.csv"
    export.write_text(
        "Ticket,Opened,Customer email,Customer,Body\n"
        'T-1,2026-11-20T09:00:00+01:00,ana@example.pt,Ana Sousa,"Olá, a minha encomenda?"\n',
        encoding="utf-8",
    )

    output = run_import(
        export,
        "--channel=Service client",
        "--format=csv",
        "--map=Ticket=external_id",
        "--map=Opened=created_at",
        "--map=Customer email=author_id",
        "--map",
        "Customer=author_name",
        "--map",
        "Body=text",
    )

    assert report_line(output, "stored") == "1"
    message = Message.objects.get(external_id="T-1")
    assert message.author_identity is not None
    # A blank author_kind is the channel's network: email here.
    assert (message.author_identity.kind, message.author_identity.external_id) == (
        "email",
        "ana@example.pt",
    )


def test_a_csv_date_without_its_offset_is_rejected_with_its_row(
    tmp_path: Path, channels: Channels
) -> None:
    export = tmp_path / "naive.csv"
    export.write_text(
        "external_id,created_at,author_id,text\n"
        "a,2026-11-20T09:00:00+01:00,ana@example.pt,With an offset\n"
        "b,2026-11-20 09:00:00,ana@example.pt,Without one\n"
        "c,2026-11-20T09:05:00Z,ana@example.pt,UTC\n",
        encoding="utf-8",
    )

    output = run_import(export, "--channel", "Service client", "--format", "csv")

    assert (report_line(output, "stored"), report_line(output, "rejected")) == ("2", "1")
    assert "  row 3: created_at: Input should have timezone info" in output
    rejected = RejectedEvent.objects.get()
    assert (rejected.location, rejected.source) == ("row 3", Source.IMPORT)
    assert json.loads(rejected.raw)["created_at"] == "2026-11-20 09:00:00"
    assert not Message.objects.filter(external_id="b").exists()


def test_a_csv_in_another_encoding_is_read_with_encoding(
    tmp_path: Path, channels: Channels
) -> None:
    export = tmp_path / "latin1.csv"
    export.write_bytes(
        "external_id,created_at,author_id,text\n"
        'l1,2026-11-20T09:00:00+01:00,rene@example.fr,"Très déçu, René"\n'.encode("latin-1")
    )
    args = ("--channel", "Service client", "--format", "csv")

    first = run_import(export, *args)
    assert report_line(first, "rejected") == "1"
    assert "row 2: column 'text' is not valid utf-8-sig (try --encoding)" in first

    second = run_import(export, *args, "--encoding", "latin-1")
    assert report_line(second, "stored") == "1"
    assert Message.objects.get(external_id="l1").text == "Très déçu, René"


def test_an_mbox_imports_through_the_email_parser(channels: Channels, personas: Personas) -> None:
    output = run_import(IMPORTS / "support.mbox", "--channel", "Service client", "--format", "mbox")

    assert report_line(output, "received") == "4"
    assert report_line(output, "stored") == "3"
    assert report_line(output, "skipped") == "2"
    assert "  skipped 1: auto-reply" in output
    assert "  skipped 1: bounce" in output
    assert "  message 6: no sender address" in output
    thread = Conversation.objects.get(workspace=personas.workspace_a)
    assert thread.thread_key == "claire-51877-1@mail.example.fr"
    assert list(thread.messages.values_list("direction", flat=True)) == [
        "inbound",
        "outbound",  # from the channel's own address: the brand's answer
        "inbound",
    ]
    assert thread.messages.last().text == "Parfait, merci beaucoup !"  # type: ignore[union-attr]
    bad = RejectedEvent.objects.get()
    assert bad.location == "message 6"
    assert "A message whose From header is missing." in bad.raw


@pytest.mark.parametrize("packed", [False, True], ids=["tweets.js", "archive.zip"])
def test_an_x_archive_imports_the_owners_posts(
    tmp_path: Path, channels: Channels, packed: bool
) -> None:
    tweets = IMPORTS / "x-archive" / "data" / "tweets.js"
    path = tweets
    if packed:
        path = tmp_path / "twitter-2026-11-22-abc123.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data/account.js", 'window.YTD.account.part0 = [{"account": {}}]')
            archive.write(tweets, "data/tweets.js")

    output = run_import(path, "--channel", "@maisonlumiere", "--format", "x-archive")

    assert (report_line(output, "stored"), report_line(output, "rejected")) == ("6", "0")
    posts = Message.objects.filter(channel=channels.x)
    assert set(posts.values_list("direction", flat=True)) == {"outbound"}
    assert set(posts.values_list("author_identity", flat=True)) == {None}
    launch = posts.get(external_id="1858412938475610112")
    assert launch.text.startswith("La nouvelle lampe Aurore est là : laiton brossé & verre")
    assert launch.url == "https://x.com/i/web/status/1858412938475610112"
    assert launch.sent_at.isoformat() == "2026-11-18T09:12:44+00:00"
    assert [a["content_type"] for a in launch.attachments] == ["image/jpeg", "image/png"]
    self_reply = posts.get(external_id="1858430000111222333")
    assert (self_reply.kind, self_reply.in_reply_to) == ("reply", launch)
    assert self_reply.conversation_id == launch.conversation_id
    video = posts.get(external_id="1859100000000000002")
    assert video.attachments[0]["url"].endswith("/1280x720/hi.mp4?tag=16")


def test_the_report_lists_twenty_rejections_then_counts_the_rest(
    tmp_path: Path, channels: Channels
) -> None:
    lines = [f'{{"external_id": "n{i}", "text": "no date"}}' for i in range(25)]
    lines.append(
        '{"external_id": "ok", "created_at": "2026-11-20T10:00:00Z", "text": "hi", '
        '"author": {"kind": "other", "external_id": "u"}}'
    )
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")

    output = run_import(
        source, "--channel", "Boutique", "--workspace", "maison-lumiere", "--format", "jsonl"
    )

    shown = [line for line in output.splitlines() if line.startswith("  line ")]
    assert len(shown) == 20
    assert shown[0] == "  line 1: created_at: Field required"
    assert output.rstrip().endswith("  … and 5 more")
    assert report_line(output, "stored") == "1"


def test_the_progress_bar_goes_to_a_terminal_only(
    channels: Channels, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = io.StringIO()
    call_command(
        "import",
        str(IMPORTS / "events.jsonl"),
        "--channel=Service client",
        "--format=jsonl",
        stdout=out,
    )
    assert "100%" in terminal.getvalue()
    assert "100%" not in out.getvalue()

    quiet = Terminal()
    monkeypatch.setattr("sys.stderr", quiet)
    run_import(IMPORTS / "events.jsonl", "--channel=Service client", "--format=jsonl")
    assert quiet.getvalue() == ""


def test_a_large_file_streams_in_batches(tmp_path: Path, channels: Channels) -> None:
    source = tmp_path / "stream.jsonl"
    with source.open("w", encoding="utf-8") as handle:
        for i in range(1, 1201):
            event = {
                "external_id": f"s{i}",
                "created_at": f"2026-11-20T10:{i % 60:02d}:00+01:00",
                "text": f"message {i}",
                "author": {"kind": "other", "external_id": f"user-{i % 40}"},
            }
            handle.write(json.dumps(event) + "\n")

    output = run_import(
        source,
        "--channel=Boutique",
        "--workspace=maison-lumiere",
        "--format=jsonl",
        "--batch-size=500",
    )

    assert report_line(output, "stored") == "1,200"
    assert report_line(output, "new people") == "40"
    assert Message.objects.filter(channel=channels.webhook).count() == 1200
    batches = Event.objects.filter(verb="ingest.batch").order_by("id")
    assert [event.payload["stored"] for event in batches] == [500, 500, 200]


# A run that cannot start -------------------------------------------------------------------


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        call_command("import", *args, "--quiet", stdout=io.StringIO())
    message = str(error.value)
    assert "\n" not in message
    return message


def test_an_unknown_channel_is_named(channels: Channels) -> None:
    message = refused(str(IMPORTS / "events.jsonl"), "--channel", "Nope", "--format", "jsonl")
    assert message == "no channel is named 'Nope'"


def test_a_channel_name_two_workspaces_share_needs_the_workspace(channels: Channels) -> None:
    message = refused(str(IMPORTS / "events.jsonl"), "--channel", "Boutique", "--format", "jsonl")
    assert message == (
        "several workspaces have a channel named 'Boutique' (maison-lumiere, other-corp); "
        "add --workspace SLUG"
    )
    message = refused(
        str(IMPORTS / "events.jsonl"),
        "--channel=Boutique",
        "--workspace=nowhere",
        "--format=jsonl",
    )
    assert message == "no channel is named 'Boutique' in the workspace 'nowhere'"


def test_an_unreadable_file_is_named(tmp_path: Path, channels: Channels) -> None:
    missing = tmp_path / "missing.jsonl"
    assert refused(str(missing), "--channel=Service client", "--format=jsonl") == (
        f"cannot read {missing}: No such file or directory"
    )
    assert refused(str(tmp_path), "--channel=Service client", "--format=jsonl") == (
        f"cannot read {tmp_path}: it is a directory"
    )


@pytest.mark.parametrize(
    ("fixture", "fmt", "expected"),
    [
        (
            "x-archive/data/tweets.js",
            "jsonl",
            (
                "this is not JSONL: none of its first 10 lines is a JSON object "
                "(line 1: not valid JSON: Expecting value (column 1))"
            ),
        ),
        (
            "events.jsonl",
            "x-archive",
            (
                "tweets.js does not start with 'window.YTD.tweets.part0 = [': "
                "is it the tweets.js of an X data archive?"
            ),
        ),
        (
            "events.jsonl",
            "csv",
            "the CSV header has no column for external_id, created_at, text",
        ),
        ("events.jsonl", "mbox", "this is not an mbox: it does not start with a 'From ' line"),
    ],
)
def test_a_file_of_another_format_is_refused_whole(
    tmp_path: Path, channels: Channels, fixture: str, fmt: str, expected: str
) -> None:
    # Named tweets.js whatever it holds, so that the message does not depend on the fixture.
    path = tmp_path / "tweets.js"
    shutil.copy(IMPORTS / fixture, path)
    channel = {"x-archive": "@maisonlumiere"}.get(fmt, "Service client")

    message = refused(str(path), "--channel", channel, "--format", fmt)

    assert message.startswith(f"{path}: {expected}")
    assert message.endswith("; nothing was imported")
    assert Message.objects.count() == RejectedEvent.objects.count() == 0


def test_a_format_for_another_kind_of_channel_is_refused(channels: Channels) -> None:
    message = refused(
        str(IMPORTS / "support.mbox"), "--channel", "@maisonlumiere", "--format", "mbox"
    )
    assert message == "--format mbox imports into email channels; '@maisonlumiere' is a x channel"


def test_csv_options_belong_to_csv(channels: Channels) -> None:
    message = refused(
        str(IMPORTS / "events.jsonl"), "--channel=Service client", "--format=jsonl", "--map=a=text"
    )
    assert message == "--map and --encoding are options of --format csv"
    message = refused(
        str(IMPORTS / "messages.csv"), "--channel=Service client", "--format=csv", "--map=a:text"
    )
    assert message == "--map takes COLUMN=FIELD, not 'a:text'"
    message = refused(
        str(IMPORTS / "messages.csv"), "--channel=Service client", "--format=csv", "--map=text=body"
    )
    assert "--map names 'body', which is not a field" in message
