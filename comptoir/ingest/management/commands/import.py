# noqa: N999 - the module names the command, `comptoir import`
"""``comptoir import PATH --channel NAME --format FORMAT``: a file of messages into a channel.

The file is streamed through its format's reader (``comptoir.ingest.sources``) into the
pipeline in batches of ``--batch-size``; each batch lands whole or not at all, so an
interrupted import is finished by running it again (what is stored counts as duplicates).
Bad items are kept as rejected events with their line, row, message or tweet number; the
run still succeeds. The exit status is non-zero only when the run could not start or had
to stop: an unknown channel, an unreadable file, a file not of the format named.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from time import perf_counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from comptoir.channels.models import IDENTITY_KIND_OF_CHANNEL, Channel
from comptoir.ingest.models import Source
from comptoir.ingest.pipeline import BATCH_SIZE, ingest
from comptoir.ingest.queries import ChannelLookupError, channel_named
from comptoir.ingest.sources import CHANNEL_KINDS, FORMATS, FormatError, Tally, read
from comptoir.ingest.sources.csv import DEFAULT_ENCODING
from comptoir.ingest.types import Candidate, IngestReport

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = "Import a file of messages into a channel: JSONL, CSV, mbox or an X archive."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH")
        parser.add_argument("--channel", required=True, metavar="NAME")
        parser.add_argument("--format", required=True, choices=list(FORMATS), dest="fmt")
        parser.add_argument(
            "--workspace",
            default="",
            metavar="SLUG",
            help="Needed when several workspaces have a channel of that name.",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            metavar="N",
            help=f"Events per transaction (default {BATCH_SIZE}).",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="csv: read the column COLUMN as the field FIELD (repeatable).",
        )
        parser.add_argument(
            "--encoding",
            default=DEFAULT_ENCODING,
            help=f"csv: the file's encoding (default {DEFAULT_ENCODING}, BOM or not).",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        fmt: str = options["fmt"]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        channel = _channel(options["channel"], options["workspace"], fmt)
        _check_readable(path)
        reader_options = self._reader_options(fmt, options, channel)
        tally = Tally()
        bar = _Bar(disable=options["quiet"] or not sys.stderr.isatty())
        started = perf_counter()
        counted = _Counted(read(fmt, path, meter=bar, tally=tally, **reader_options))
        try:
            report = ingest(
                channel.workspace,
                channel,
                counted,
                source=Source.IMPORT,
                batch_size=options["batch_size"],
            )
        except FormatError as exc:
            raise CommandError(_stopped(path, exc, counted.count)) from None
        finally:
            bar.close()
        self._print_report(path, channel, report, tally, perf_counter() - started)

    def _reader_options(
        self, fmt: str, options: dict[str, Any], channel: Channel
    ) -> dict[str, Any]:
        if fmt != "csv" and (options["map"] or options["encoding"] != DEFAULT_ENCODING):
            raise CommandError("--map and --encoding are options of --format csv")
        if fmt == "mbox":
            # Mail from the channel's own address is the brand's: outbound.
            return {"mailbox_address": str(channel.config.get("address", ""))}
        if fmt != "csv":
            return {}
        mapping = {}
        for item in options["map"]:
            column, sep, field = item.partition("=")
            if not sep or not column.strip() or not field.strip():
                raise CommandError(f"--map takes COLUMN=FIELD, not {item!r}")
            mapping[column.strip()] = field.strip()
        return {
            "mapping": mapping,
            "encoding": options["encoding"],
            "author_kind": IDENTITY_KIND_OF_CHANNEL.get(channel.kind, ""),
        }

    def _print_report(
        self, path: Path, channel: Channel, report: IngestReport, tally: Tally, elapsed: float
    ) -> None:
        write = self.stdout.write
        rate = report.received / elapsed if elapsed > 0 else 0.0
        write(f"Imported {path.name} into {channel.name} ({channel.workspace.slug})")
        rows = [
            ("received", report.received),
            ("stored", report.stored),
            ("duplicates", report.duplicates),
            ("rejected", len(report.rejected)),
        ]
        if tally.skipped_total:
            rows.append(("skipped", tally.skipped_total))
        rows += [
            ("new people", report.new_people),
            ("new conversations", report.new_conversations),
        ]
        for label, value in rows:
            write(f"  {label:<18} {value:>10,}")
        write(f"  {'elapsed':<18} {elapsed:>9.1f}s")
        write(f"  {'messages/s':<18} {rate:>10,.0f}")
        for reason, count in tally.skipped.most_common():
            write(f"  skipped {count:,}: {reason}")
        if report.rejected:
            write("Rejected (kept for review: comptoir ingest --replay-rejected, or the web UI):")
            for rejection in report.rejected[:SHOWN_REJECTIONS]:
                write(f"  {rejection.location}: {_one_line(rejection.reason)}")
            more = len(report.rejected) - SHOWN_REJECTIONS
            if more > 0:
                write(f"  … and {more:,} more")


def _channel(name: str, workspace: str, fmt: str) -> Channel:
    try:
        channel = channel_named(name, workspace)
    except ChannelLookupError as exc:
        raise CommandError(str(exc)) from None
    kinds = CHANNEL_KINDS.get(fmt)
    if kinds and channel.kind not in kinds:
        raise CommandError(
            f"--format {fmt} imports into {' or '.join(kinds)} channels; "
            f"{channel.name!r} is a {channel.kind} channel"
        )
    return channel


def _check_readable(path: Path) -> None:
    try:
        with path.open("rb"):
            pass
    except IsADirectoryError:
        raise CommandError(f"cannot read {path}: it is a directory") from None
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None


def _stopped(path: Path, exc: FormatError, read_so_far: int) -> str:
    if not read_so_far:
        return f"{path}: {exc}; nothing was imported"
    return (
        f"{path}: {exc}; stopped after {read_so_far:,} items, whose complete batches are "
        "stored (run it again once fixed: they count as duplicates)"
    )


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Counted:
    """The candidates, counted as the pipeline takes them."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self._candidates = candidates
        self.count = 0

    def __iter__(self) -> Iterator[Candidate]:
        for candidate in self._candidates:
            self.count += 1
            yield candidate


class _Bar:
    """A tqdm progress bar on stderr, started by the reader once it knows the size."""

    def __init__(self, *, disable: bool) -> None:
        self._disable = disable
        self._bar: tqdm[Any] | None = None

    def start(self, total: int | None, unit: str) -> None:
        self.close()
        in_bytes = unit == "B"
        self._bar = tqdm(
            total=total,
            unit=unit,
            unit_scale=in_bytes,
            unit_divisor=1024 if in_bytes else 1000,
            file=sys.stderr,
            disable=self._disable,
            dynamic_ncols=True,
        )

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.update(amount)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
